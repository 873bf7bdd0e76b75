import CecertCore
import Foundation

/// Renders certificates as one-page A4 PDFs with an embedded font subset and a QR verification code.
///
/// The font and every template are read once in `init`. Rendering is deterministic: the same facts and
/// template version give byte-identical PDFs in every process, because libharu writes no creation date or
/// document ID unless asked, and the font subset's tag is always the first one libharu assigns.
///
/// Threading: an instance is not thread-safe, because it reuses one libharu document handle, so use one renderer
/// per thread. It is not `Sendable` for that reason.
public final class CertificateRenderer {
    private let font: TrueTypeFont
    private let templates: [String: Template]
    private let templateSources: [String: [UInt8]]
    private let logger: Logger
    private let document: PDFDocument
    /// The shared glyphs built so far, keyed by a template's shared base and its shared fields' values, which
    /// together determine the characters. Emptied when it reaches `sharedGlyphsLimit` entries; a
    /// certificate's bytes never depend on what is cached.
    private var sharedGlyphs: [SharedKey: SharedGlyphs] = [:]
    private static let sharedGlyphsLimit = 64
    /// Thread CPU time spent in each stage of the latest `render` call.
    private(set) var lastTimings = RenderTimings()

    /// The template version new certificates use: the highest installed version number.
    public let currentTemplateVersion: String

    /// Loads the font and every `certificate-v<version>.json` template.
    /// - Parameters:
    ///   - configuration: the font and template locations.
    ///   - logger: receives one info line with what was loaded.
    /// - Throws: `CecertError(.configuration)` naming the missing or malformed file, the element and the problem.
    public init(configuration: RenderConfiguration, logger: Logger) throws {
        self.font = try TrueTypeFont(path: configuration.fontPath)
        let installed = try CertificateRenderer.loadTemplates(in: configuration.templatesDirectory)
        self.templates = installed.mapValues(\.template)
        self.templateSources = installed.mapValues(\.source)
        self.logger = logger
        self.document = try PDFDocument()
        let versions = templates.keys.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
        self.currentTemplateVersion = versions.last!
        for template in templates.values {
            try checkTemplateCharacters(template)
        }
        logger.info(
            "Certificate renderer ready",
            metadata: [
                "render.font": configuration.fontPath, "render.font.glyphs": "\(font.numberOfGlyphs)",
                "render.templates": versions.joined(separator: ","),
            ])
    }

    /// Checks that the font can draw every printed character of the facts.
    /// - Throws: `CecertError(.unsupportedCharacter)` naming the field, the character and its code point, for
    ///   example `holder_name: 𬌗 U+2C317 is not in the font`.
    public func checkPrintable(_ facts: CertificateFacts) throws {
        for (field, text) in facts.printedTexts {
            try checkCharacters(text, field: field, code: .unsupportedCharacter)
        }
    }

    /// Renders the certificate with the template named by `facts.templateVersion`.
    /// - Returns: the bytes of a one-page PDF.
    /// - Throws: `CecertError(.unsupportedCharacter)` as `checkPrintable` does, before anything is drawn;
    ///   `CecertError(.configuration)` for an unknown template version; `CecertError(.rendering)` when a text
    ///   cannot fit its box even at the minimum size, or libharu or libqrencode fails.
    public func render(_ facts: CertificateFacts) throws -> [UInt8] {
        guard let template = templates[facts.templateVersion] else {
            throw CecertError(
                .configuration,
                "template version \(facts.templateVersion) is not installed "
                    + "(installed: \(templates.keys.sorted().joined(separator: ", ")))")
        }
        return try render(facts, template: template)
    }

    /// Renders with the template in `templateSource`, the bytes of a template file as it was when the
    /// certificate was issued, so a reprint never depends on the file installed today.
    /// - Throws: as `render(_:)`, and `CecertError(.configuration)` when the bytes are not a valid template.
    public func render(_ facts: CertificateFacts, templateSource: [UInt8]) throws -> [UInt8] {
        let template = try TemplateLoader.parse(Data(templateSource), path: "stored version \(facts.templateVersion)")
        try checkTemplateCharacters(template)
        return try render(facts, template: template)
    }

    /// Returns the shared glyphs for the template and the placeholder `values` of its shared fields, built on
    /// first use.
    private func shared(_ template: Template, base: [UInt32], values: [String: String]) throws -> SharedGlyphs {
        let key = SharedKey(base: base, values: template.sharedFields.map { values[$0] ?? "" })
        if let known = sharedGlyphs[key] { return known }
        let built = try SharedGlyphs(font: font, scalars: template.sharedScalars(values: values) ?? base)
        if sharedGlyphs.count >= CertificateRenderer.sharedGlyphsLimit { sharedGlyphs.removeAll() }
        sharedGlyphs[key] = built
        return built
    }

    private struct SharedKey: Hashable {
        let base: [UInt32]
        let values: [String]
    }

    /// Returns the bytes of the installed template file for `version`, or nil when none is installed.
    public func templateSource(version: String) -> [UInt8]? { templateSources[version] }

    func render(_ facts: CertificateFacts, template: Template) throws -> [UInt8] {
        try checkPrintable(facts)
        var timings = RenderTimings()
        var clock = StageClock()

        let values = CertificateText.values(for: facts)
        let operations = try PageLayout(template: template, font: font).makeOperations(for: facts, values: values)
        timings.layout = clock.lap()

        let scalars = PageLayout.scalars(in: operations)
        // Template text and the phrases built around the facts are checked here, because glyph 0 must never print.
        for scalar in scalars where font.characterToGlyph[scalar] == nil {
            throw CecertError(.unsupportedCharacter, "template text: \(Self.codePoint(scalar)) is not in the font")
        }
        let subset: FontSubset
        if let base = template.sharedBase {
            subset = try FontSubset.make(font: font, scalars: scalars, shared: try shared(template, base: base, values: values))
        } else {
            subset = try FontSubset.make(font: font, scalars: scalars)
        }
        timings.subset = clock.lap()

        try document.begin()
        try document.setInfo(
            title: "继续教育学时审验合格证明 \(facts.number)", author: facts.issuer,
            subject: facts.verifyURL)
        try document.embedFont(subset)
        timings.fontLoading = clock.lap()

        try document.addPage(width: template.pageWidth, height: template.pageHeight)
        try document.draw(operations, substitutes: subset.substitutes)
        timings.drawing = clock.lap()

        let bytes = try document.save()
        timings.saving = clock.lap()
        timings.fontBytes = subset.bytes.count
        lastTimings = timings
        logger.trace("Certificate rendered", metadata: ["cert.number": facts.number, "render.bytes": "\(bytes.count)"])
        return bytes
    }
}

// MARK: - Loading and checks

extension CertificateRenderer {
    static func loadTemplates(in directory: String) throws -> [String: (template: Template, source: [UInt8])] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CecertError(.configuration, "template folder \(directory) is missing or unreadable")
        }
        var templates: [String: (template: Template, source: [UInt8])] = [:]
        for name in names.sorted() where name.hasPrefix("certificate-v") && name.hasSuffix(".json") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CecertError(.configuration, "template file \(path) is missing or unreadable")
            }
            let template = try TemplateLoader.parse(data, path: path)
            let expected = String(name.dropFirst("certificate-v".count).dropLast(".json".count))
            guard template.version == expected else {
                throw CecertError(
                    .configuration,
                    "template \(path): 'version' is \(template.version) but the file "
                        + "name says \(expected)")
            }
            templates[template.version] = (template, Array(data))
        }
        guard !templates.isEmpty else {
            throw CecertError(.configuration, "template folder \(directory) has no certificate-v<version>.json file")
        }
        return templates
    }

    /// Checks the fixed text of a template (everything outside placeholders) and its shared characters
    /// against the font.
    func checkTemplateCharacters(_ template: Template) throws {
        if let shared = template.sharedCharacters {
            try checkCharacters(shared, field: "template \(template.path) sharedCharacters", code: .configuration)
        }
        for element in template.elements {
            for text in element.texts {
                let fixed = Template.fixedText(text)
                try checkCharacters(
                    fixed, field: "template \(template.path) element '\(element.id)'",
                    code: .configuration)
            }
        }
    }

    func checkCharacters(_ text: String, field: String, code: CecertError.Code) throws {
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) {
                throw CecertError(code, "\(field): control character \(Self.codePoint(scalar.value)) cannot be printed")
            }
            if font.glyph(for: scalar) == nil {
                throw CecertError(code, "\(field): \(Character(scalar)) \(Self.codePoint(scalar.value)) is not in the font")
            }
        }
    }
}

extension CertificateRenderer {
    /// Formats a code point as U+XXXX for error messages.
    static func codePoint(_ value: UInt32) -> String {
        "U+" + String(value, radix: 16, uppercase: true).leftPadded(to: 4)
    }
}

extension PageLayout {
    /// Collects every character the operations print.
    static func scalars(in operations: [DrawOperation]) -> Set<UInt32> {
        var scalars = Set<UInt32>()
        for case .text(let fitted, _, _) in operations {
            for line in fitted.lines {
                for scalar in line.scalars { scalars.insert(scalar.value) }
            }
        }
        return scalars
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

// MARK: - Timing

/// Thread CPU nanoseconds spent in each stage of one render, and the size of the font subset in bytes.
struct RenderTimings: Sendable {
    /// Placeholders, text fitting and QR encoding.
    var layout: UInt64 = 0
    /// Building the TrueType subset.
    var subset: UInt64 = 0
    /// libharu: starting the document and loading the subset, which builds its 65,536-entry tables.
    var fontLoading: UInt64 = 0
    /// libharu: drawing the page.
    var drawing: UInt64 = 0
    /// libharu: compressing and serialising the document.
    var saving: UInt64 = 0
    var fontBytes = 0
}

/// Measures on-CPU time of the calling thread, so that other processes on a busy machine do not inflate it.
struct StageClock {
    private var last = StageClock.now()

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    mutating func lap() -> UInt64 {
        let now = StageClock.now()
        defer { last = now }
        return now - last
    }
}
