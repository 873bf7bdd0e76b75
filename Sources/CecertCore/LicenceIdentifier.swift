/// The GB/T 36904 electronic licence identifier:
/// `1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check>`, where the check
/// character is ISO 7064 MOD 37,36 over the type code, credit code, serial and version joined without dots.
public enum LicenceIdentifier {
    public static let prefix = "1.2.156.3005.2."

    /// Builds the identifier, or throws when a part has the wrong length or characters.
    /// - Parameters:
    ///   - typeCode: the 21-character licence type code.
    ///   - issuerCreditCode: the issuer's 18-character unified social credit code.
    ///   - serial: the licence serial; cecert uses the certificate number without dashes.
    ///   - version: the licence version, 1 for a first issue, printed as 3 digits.
    public static func make(typeCode: String, issuerCreditCode: String, serial: String, version: Int) throws -> String {
        guard typeCode.count == 21 else { throw CecertError(.configuration, "licence type code must have 21 characters") }
        guard issuerCreditCode.count == 18 else { throw CecertError(.configuration, "issuer credit code must have 18 characters") }
        guard (1...999).contains(version) else { throw CecertError(.configuration, "licence version must be 1 to 999") }
        let versionText = String(repeating: "0", count: 3 - String(version).count) + String(version)
        let joined = typeCode + issuerCreditCode + serial + versionText
        guard let check = ISO7064Mod3736.checkCharacter(for: joined) else {
            throw CecertError(.configuration, "licence identifier parts may contain only 0-9 and A-Z")
        }
        return prefix + [typeCode, issuerCreditCode, serial, versionText, String(check)].joined(separator: ".")
    }
}

/// Builds the printed facts of a certificate from an application and its rule evaluation.
public struct FactsBuilder: Sendable {
    public var baseURL: String
    public var issuer: String
    public var licenceTypeCode: String?
    public var issuerCreditCode: String?

    public init(baseURL: String, issuer: String, licenceTypeCode: String? = nil, issuerCreditCode: String? = nil) {
        self.baseURL = baseURL
        self.issuer = issuer
        self.licenceTypeCode = licenceTypeCode
        self.issuerCreditCode = issuerCreditCode
    }

    /// The facts for `application`, which must be final-approved and meet the rules.
    /// - Throws: `CecertError(.ruleNotMet)` naming what is missing, for example "2017 has no public course".
    public func makeFacts(for application: Application, evaluation: RuleEvaluation, number: CertificateNumber,
                          code: String, templateVersion: String, licenceVersion: Int = 1) throws -> CertificateFacts {
        guard let approval = application.lastFinalReview, approval.decision == .approved else {
            throw CecertError(.ruleNotMet, "no final-review approval")
        }
        guard evaluation.isMet else {
            throw CecertError(.ruleNotMet, "does not meet the hour rules: "
                + evaluation.shortfalls.map(\.description).joined(separator: "; "))
        }
        var licence: String?
        if let typeCode = licenceTypeCode, let creditCode = issuerCreditCode {
            licence = try LicenceIdentifier.make(typeCode: typeCode, issuerCreditCode: creditCode,
                                                 serial: TypedInput.compact(number.description), version: licenceVersion)
        }
        return CertificateFacts(
            number: number.description, verificationCode: code, verifyURL: "\(baseURL)/v/\(code)",
            holderName: application.applicant.name, maskedIDNumber: IDNumber.mask(application.applicant.idNumber),
            workUnit: application.applicant.workUnit, acceptancePoint: application.acceptancePoint,
            currentTitle: application.currentTitle?.chinese ?? "无", declaration: application.declaration.chinese,
            qualificationYears: evaluation.years, periodStart: evaluation.period.lowerBound,
            periodEnd: evaluation.period.upperBound, requiredHours: evaluation.requiredHours,
            requiredPublicCourses: evaluation.requiredPublicCourses, publicCourses: evaluation.publicCourses,
            publicHours: evaluation.publicHours, professionalHours: evaluation.professionalHours,
            totalHours: evaluation.totalHours, years: evaluation.rows, batchCode: application.batch.code,
            batchName: application.batch.name, issueDate: CivilDate(instant: approval.at), issuer: issuer,
            licenceIdentifier: licence, templateVersion: templateVersion)
    }
}
