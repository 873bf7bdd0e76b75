import Foundation

/// Everything printed on one certificate, frozen at issuance.
///
/// This snapshot is what a reprint renders from, so later edits of the applicant, the store or the
/// template never change an issued certificate. It contains the masked ID number only, so the full
/// number is never printed and never reaches the signed record or a verification page.
public struct CertificateFacts: Sendable, Hashable, Codable {
    public var number: String
    public var verificationCode: String
    /// `<base URL>/v/<code>`, the text of the QR code.
    public var verifyURL: String
    public var holderName: String
    public var maskedIDNumber: String
    public var workUnit: String
    public var acceptancePoint: String
    /// For example 初级（二级教师）, or 无 for untitled staff.
    public var currentTitle: String
    /// The Chinese label of the declaration, for example 初级申报中级.
    public var declaration: String
    public var qualificationYears: Int
    public var periodStart: Int
    public var periodEnd: Int
    /// Total hours required; nil for an initial appointment, which requires public courses only.
    public var requiredHours: Hours?
    public var requiredPublicCourses: Int
    public var publicCourses: Int
    public var publicHours: Hours
    public var professionalHours: Hours
    public var totalHours: Hours
    public var years: [YearSummary]
    public var batchCode: String
    public var batchName: String
    /// The date of the final approval in Asia/Shanghai.
    public var issueDate: CivilDate
    public var issuer: String
    /// The GB/T 36904 electronic licence identifier, when the issuer codes are configured.
    public var licenceIdentifier: String?
    public var templateVersion: String

    /// Snake-case keys written out, because the automatic conversion does not round-trip `verifyURL`.
    enum CodingKeys: String, CodingKey {
        case number
        case verificationCode = "verification_code"
        case verifyURL = "verify_url"
        case holderName = "holder_name"
        case maskedIDNumber = "masked_id_number"
        case workUnit = "work_unit"
        case acceptancePoint = "acceptance_point"
        case currentTitle = "current_title"
        case declaration
        case qualificationYears = "qualification_years"
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case requiredHours = "required_hours"
        case requiredPublicCourses = "required_public_courses"
        case publicCourses = "public_courses"
        case publicHours = "public_hours"
        case professionalHours = "professional_hours"
        case totalHours = "total_hours"
        case years
        case batchCode = "batch_code"
        case batchName = "batch_name"
        case issueDate = "issue_date"
        case issuer
        case licenceIdentifier = "licence_identifier"
        case templateVersion = "template_version"
    }

    public init(number: String, verificationCode: String, verifyURL: String, holderName: String, maskedIDNumber: String,
                workUnit: String, acceptancePoint: String, currentTitle: String, declaration: String,
                qualificationYears: Int, periodStart: Int, periodEnd: Int, requiredHours: Hours?,
                requiredPublicCourses: Int, publicCourses: Int, publicHours: Hours, professionalHours: Hours,
                totalHours: Hours, years: [YearSummary], batchCode: String, batchName: String, issueDate: CivilDate,
                issuer: String, licenceIdentifier: String?, templateVersion: String) {
        self.number = number
        self.verificationCode = verificationCode
        self.verifyURL = verifyURL
        self.holderName = holderName
        self.maskedIDNumber = maskedIDNumber
        self.workUnit = workUnit
        self.acceptancePoint = acceptancePoint
        self.currentTitle = currentTitle
        self.declaration = declaration
        self.qualificationYears = qualificationYears
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.requiredHours = requiredHours
        self.requiredPublicCourses = requiredPublicCourses
        self.publicCourses = publicCourses
        self.publicHours = publicHours
        self.professionalHours = professionalHours
        self.totalHours = totalHours
        self.years = years
        self.batchCode = batchCode
        self.batchName = batchName
        self.issueDate = issueDate
        self.issuer = issuer
        self.licenceIdentifier = licenceIdentifier
        self.templateVersion = templateVersion
    }

    /// Every string field that is printed, with its field name, for checking that the font can draw them.
    public var printedTexts: [(field: String, text: String)] {
        [("number", number), ("holder_name", holderName), ("masked_id_number", maskedIDNumber),
         ("work_unit", workUnit), ("acceptance_point", acceptancePoint), ("current_title", currentTitle),
         ("declaration", declaration), ("batch_name", batchName), ("issuer", issuer),
         ("verification_code", verificationCode), ("licence_identifier", licenceIdentifier ?? "")]
    }
}

/// The signed part of a certificate: its facts and the SHA-256 of its PDF.
public struct CertificateRecord: Sendable, Hashable, Codable {
    public var facts: CertificateFacts
    /// Lower-case hex SHA-256 of the PDF bytes as issued.
    public var pdfSHA256: String

    enum CodingKeys: String, CodingKey {
        case facts
        case pdfSHA256 = "pdf_sha256"
    }

    public init(facts: CertificateFacts, pdfSHA256: String) {
        self.facts = facts
        self.pdfSHA256 = pdfSHA256
    }

    /// The canonical serialisation that is signed: UTF-8 JSON with sorted snake_case keys, strings in NFC,
    /// no insignificant white space. Hours are strings, so no float formatting enters the bytes.
    public func canonicalJSON() throws -> [UInt8] {
        var normalized = self
        normalized.facts = normalized.facts.normalizedToNFC()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(normalized))
    }

    public static func decode(canonicalJSON bytes: [UInt8]) throws -> CertificateRecord {
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(CertificateRecord.self, from: Data(bytes))
        } catch {
            throw CecertError(.storage, "certificate record is not valid JSON: \(error)")
        }
    }
}

extension CertificateFacts {
    func normalizedToNFC() -> CertificateFacts {
        var copy = self
        copy.holderName = holderName.precomposedStringWithCanonicalMapping
        copy.workUnit = workUnit.precomposedStringWithCanonicalMapping
        copy.acceptancePoint = acceptancePoint.precomposedStringWithCanonicalMapping
        copy.currentTitle = currentTitle.precomposedStringWithCanonicalMapping
        copy.declaration = declaration.precomposedStringWithCanonicalMapping
        copy.batchName = batchName.precomposedStringWithCanonicalMapping
        copy.issuer = issuer.precomposedStringWithCanonicalMapping
        return copy
    }
}
