import CecertCore

/// The placeholder values a template can print, computed from a certificate's facts.
enum CertificateText {
    /// Placeholders available everywhere in a template.
    static let names: Set<String> = [
        "number", "verification_code", "verify_url", "holder_name", "masked_id_number", "work_unit",
        "acceptance_point", "current_title", "declaration", "qualification_years", "period", "period_start",
        "period_end", "required_text", "required_clause", "completed_text", "required_public_courses",
        "public_courses", "public_hours", "professional_hours", "total_hours", "batch_code", "batch_name",
        "issue_date", "issuer", "licence_identifier",
    ]

    /// Placeholders of a per-year table row.
    static let yearNames: Set<String> = ["year", "public_courses", "public_hours", "professional_hours", "total_hours"]

    /// Computes every placeholder's value from the facts.
    static func values(for facts: CertificateFacts) -> [String: String] {
        let period =
            facts.periodStart == facts.periodEnd
            ? "\(facts.periodStart)年度" : "\(facts.periodStart)—\(facts.periodEnd)年度"
        // An initial appointment (初定) has no hour total, only one public course a year.
        let requiredText: String
        let requiredClause: String
        if let required = facts.requiredHours, facts.requiredPublicCourses == 0 {
            // The "other" declaration sets a yearly norm and no public-course count.
            let perYear = Hours(hundredths: required.hundredths / max(1, facts.qualificationYears))
            requiredText = "\(required)学时（每年不少于\(perYear)学时）"
            requiredClause = "应修\(required)学时，"
        } else if let required = facts.requiredHours {
            requiredText = "\(required)学时，其中公需科目不少于\(facts.requiredPublicCourses)门"
            requiredClause = "应修\(required)学时，"
        } else {
            requiredText = "每年至少1门公需科目"
            requiredClause = "应每年至少修1门公需科目，"
        }
        let completedText =
            "\(facts.totalHours)学时（公需科目\(facts.publicCourses)门\(facts.publicHours)学时，"
            + "专业科目\(facts.professionalHours)学时）"
        return [
            "number": facts.number,
            "verification_code": facts.verificationCode,
            "verify_url": facts.verifyURL,
            "holder_name": facts.holderName,
            "masked_id_number": facts.maskedIDNumber,
            "work_unit": facts.workUnit,
            "acceptance_point": facts.acceptancePoint,
            "current_title": facts.currentTitle,
            "declaration": facts.declaration,
            "qualification_years": "\(facts.qualificationYears)",
            "period": period,
            "period_start": "\(facts.periodStart)",
            "period_end": "\(facts.periodEnd)",
            "required_text": requiredText,
            "required_clause": requiredClause,
            "completed_text": completedText,
            "required_public_courses": "\(facts.requiredPublicCourses)",
            "public_courses": "\(facts.publicCourses)",
            "public_hours": "\(facts.publicHours)",
            "professional_hours": "\(facts.professionalHours)",
            "total_hours": "\(facts.totalHours)",
            "batch_code": facts.batchCode,
            "batch_name": facts.batchName,
            "issue_date": facts.issueDate.chinese,
            "issuer": facts.issuer,
            "licence_identifier": facts.licenceIdentifier ?? "",
        ]
    }

    static func yearValues(for year: YearSummary) -> [String: String] {
        [
            "year": "\(year.year)",
            "public_courses": "\(year.publicCourses)",
            "public_hours": "\(year.publicHours)",
            "professional_hours": "\(year.professionalHours)",
            "total_hours": "\(year.totalHours)",
        ]
    }
}
