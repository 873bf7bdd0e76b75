import CecertCore
import Foundation

/// Settings shared by the commands. Every value has a default, so `cecert` runs with no file at all;
/// `--config FILE` (JSON with these keys in snake_case) and command-line options override them.
struct Configuration: Sendable, Codable {
    /// The SQLite store file.
    var store = "var/cecert.sqlite"
    /// The folder of issued PDFs, each named `<number>.pdf`.
    var certificatesDirectory = "var/certificates"
    /// Private signing keys, one `<key id>.key` file each, mode 0600.
    var keysDirectory = "var/keys"
    /// The prefix of every verification URL. The QR code contains `<base_url>/v/<code>`.
    var baseURL = "http://127.0.0.1:8080"
    /// The issuing office printed on every certificate.
    var issuer = "泰州市专业技术人员职称（职业资格）工作领导小组办公室"
    /// The administrative area code that starts every certificate number (321200 is 泰州市).
    var areaCode = "321200"
    /// GB/T 36904 licence type code (21 characters); no licence identifier is printed when unset.
    var licenceTypeCode: String?
    /// The issuer's unified social credit code (18 characters), part of the GB/T 36904 identifier.
    var issuerCreditCode: String?
    var fontPath = "fonts/LXGWWenKai-Regular.ttf"
    var templatesDirectory = "templates"
    /// The largest number of hours one course entry may claim.
    var maximumCourseHours = 200
    /// Certificates issued per store transaction; a crash loses at most this many uncommitted ones.
    var issueGroupSize = 32

    static func load(path: String?) throws -> Configuration {
        guard let path else { return Configuration() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CecertError(.configuration, "configuration file \(path) cannot be read")
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw CecertError(.configuration, "configuration file \(path) has the unknown key \"\(unknown)\"; known keys: \(known.sorted().joined(separator: ", "))")
            }
        }
        do {
            return try JSONDecoder().decode(Configuration.self, from: data)
        } catch {
            throw CecertError(.configuration, "configuration file \(path) is invalid: \(error)")
        }
    }

    /// The file's keys, spelled out because the automatic snake-case conversion reads `base_url` as `baseUrl`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case store
        case certificatesDirectory = "certificates_directory"
        case keysDirectory = "keys_directory"
        case baseURL = "base_url"
        case issuer
        case areaCode = "area_code"
        case licenceTypeCode = "licence_type_code"
        case issuerCreditCode = "issuer_credit_code"
        case fontPath = "font_path"
        case templatesDirectory = "templates_directory"
        case maximumCourseHours = "maximum_course_hours"
        case issueGroupSize = "issue_group_size"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let defaults = Configuration()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        store = try container.decodeIfPresent(String.self, forKey: .store) ?? defaults.store
        certificatesDirectory = try container.decodeIfPresent(String.self, forKey: .certificatesDirectory) ?? defaults.certificatesDirectory
        keysDirectory = try container.decodeIfPresent(String.self, forKey: .keysDirectory) ?? defaults.keysDirectory
        baseURL = try container.decodeIfPresent(String.self, forKey: .baseURL) ?? defaults.baseURL
        issuer = try container.decodeIfPresent(String.self, forKey: .issuer) ?? defaults.issuer
        areaCode = try container.decodeIfPresent(String.self, forKey: .areaCode) ?? defaults.areaCode
        licenceTypeCode = try container.decodeIfPresent(String.self, forKey: .licenceTypeCode)
        issuerCreditCode = try container.decodeIfPresent(String.self, forKey: .issuerCreditCode)
        fontPath = try container.decodeIfPresent(String.self, forKey: .fontPath) ?? defaults.fontPath
        templatesDirectory = try container.decodeIfPresent(String.self, forKey: .templatesDirectory) ?? defaults.templatesDirectory
        maximumCourseHours = try container.decodeIfPresent(Int.self, forKey: .maximumCourseHours) ?? defaults.maximumCourseHours
        issueGroupSize = try container.decodeIfPresent(Int.self, forKey: .issueGroupSize) ?? defaults.issueGroupSize
    }

    /// Applies the options every command accepts: `--store`, `--out`, `--keys`, `--base-url`, `--issuer`.
    mutating func apply(_ arguments: ParsedArguments) throws {
        if let value = arguments.option("store") { store = value }
        if let value = arguments.option("out") { certificatesDirectory = value }
        if let value = arguments.option("keys") { keysDirectory = value }
        if let value = arguments.option("base-url") { baseURL = value }
        if let value = arguments.option("issuer") { issuer = value }
        try validate()
    }

    func validate() throws {
        guard areaCode.count == 6, areaCode.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CecertError(.configuration, "area_code must be 6 digits, not \(areaCode)")
        }
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
              baseURL.allSatisfy(\.isASCII), !baseURL.hasSuffix("/") else {
            throw CecertError(.configuration, "base_url must be an ASCII http(s) URL without a trailing slash, not \(baseURL)")
        }
        if let code = licenceTypeCode, code.count != 21 {
            throw CecertError(.configuration, "licence_type_code must have 21 characters, not \(code.count)")
        }
        if let code = issuerCreditCode, code.count != 18 {
            throw CecertError(.configuration, "issuer_credit_code must have 18 characters, not \(code.count)")
        }
        guard issueGroupSize >= 1 else { throw CecertError(.configuration, "issue_group_size must be at least 1") }
        guard !issuer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CecertError(.configuration, "issuer must not be empty: it is printed on every certificate and signed in its record")
        }
    }

    static let commonOptions: Set<String> = ["config", "store", "out", "keys", "base-url", "issuer"]
}
