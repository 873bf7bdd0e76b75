import CecertCore
import CecertStore

/// The facts that a verification page and the verify API both show, built once so the two cannot disagree.
struct VerificationView: Sendable {
    /// The verification states as the API names them.
    enum Status: String, Sendable, CaseIterable {
        case valid
        case revoked
        case superseded
        case notFound = "not_found"
        case malformed
        case tampered

        /// The state's label on the page.
        var label: String {
            switch self {
            case .valid: "有效"
            case .revoked: "已撤销"
            case .superseded: "已被更正"
            case .notFound: "未找到证书"
            case .malformed: "验证码格式不正确"
            case .tampered: "证书记录校验失败"
            }
        }

        /// One fixed explanation per state; it never echoes the input, so each state has one body.
        var explanation: String {
            switch self {
            case .valid: "本证书由发证机关签发，记录完整，当前有效。"
            case .revoked: "本证书已被发证机关撤销，不再有效。"
            case .superseded: "本证书已被更正后的新证书取代，不再有效。请向持证人索取更正后的证书。"
            case .notFound: "没有与该验证码对应的证书。请核对证书上的证书编号和验证码后重试。"
            case .malformed: "验证码应为20位，由数字2–9和除I、O以外的大写字母组成。请核对后重试。"
            case .tampered: "该证书的存档记录未通过签名校验，无法确认其内容。请联系发证机关核实。"
            }
        }

        /// HTTP status: a found record is 200 whatever its state; an unknown or malformed code is 404.
        var httpStatus: Int {
            switch self {
            case .valid, .revoked, .superseded, .tampered: 200
            case .notFound, .malformed: 404
            }
        }
    }

    /// One scalar fact, with the key the API uses and the label the page shows.
    struct Field: Sendable {
        enum Value: Sendable {
            case text(String)
            case integer(Int)

            var display: String {
                switch self {
                case let .text(text): text
                case let .integer(number): String(number)
                }
            }
        }

        var key: String
        var label: String
        var value: Value
    }

    var status: Status
    /// The signed facts, for the states that have a readable record.
    var facts: CertificateFacts?
    /// The certificate number, also for a tampered record, whose facts are not trusted.
    var number: String?
    var revokedOn: CivilDate?
    var revocationReason: String?
    /// Whether a name given with the request equals the holder's name; nil when no name was given.
    var nameMatch: Bool?
    /// The certificate fields rendered once per verified record, if the lookup had them.
    var rendering: FactsRendering?

    init(outcome: VerificationOutcome, nameMatch: Bool? = nil, rendering: FactsRendering? = nil) {
        self.nameMatch = nameMatch
        self.rendering = outcome.record == nil ? nil : rendering
        switch outcome {
        case let .valid(record):
            status = .valid
            facts = record.facts
        case let .revoked(record, at, reason):
            status = .revoked
            facts = record.facts
            revokedOn = at.map { CivilDate(instant: $0) }
            revocationReason = reason
        case let .superseded(record):
            status = .superseded
            facts = record.facts
        case .notFound:
            status = .notFound
        case .malformed:
            status = .malformed
        case let .tampered(number):
            status = .tampered
            self.number = number
        }
        if let facts { number = facts.number }
        if facts == nil { self.nameMatch = nil }
    }

    /// The holder's name in full after a matching name confirmation, otherwise masked (张**).
    var displayedName: String? {
        guard let facts else { return nil }
        return nameMatch == true ? facts.holderName : PersonName.masked(facts.holderName)
    }

    /// The scalar facts in display order. The page and the API both render exactly this list.
    var fields: [Field] {
        guard let facts else {
            return number.map { [Field(key: "number", label: "证书编号", value: .text($0))] } ?? []
        }
        return Self.certificateFields(facts, displayedName: displayedName ?? "") + revocationFields
    }

    /// The signed facts as fields, with the name as shown.
    static func certificateFields(_ facts: CertificateFacts, displayedName: String) -> [Field] {
        [
            Field(key: "number", label: "证书编号", value: .text(facts.number)),
            Field(key: "holder_name", label: "姓名", value: .text(displayedName)),
            Field(key: "masked_id_number", label: "身份证号", value: .text(facts.maskedIDNumber)),
            Field(key: "work_unit", label: "工作单位", value: .text(facts.workUnit)),
            Field(key: "current_title", label: "现任职称", value: .text(facts.currentTitle)),
            Field(key: "declaration", label: "申报类别", value: .text(facts.declaration)),
            Field(key: "period", label: "学时年度", value: .text("\(facts.periodStart)–\(facts.periodEnd)")),
            Field(key: "public_courses", label: "公需科目（门）", value: .integer(facts.publicCourses)),
            Field(key: "public_hours", label: "公需科目学时", value: .text(facts.publicHours.description)),
            Field(key: "professional_hours", label: "专业科目学时", value: .text(facts.professionalHours.description)),
            Field(key: "total_hours", label: "合计学时", value: .text(facts.totalHours.description)),
            Field(key: "issue_date", label: "发证日期", value: .text(facts.issueDate.description)),
            Field(key: "issuer", label: "发证机关", value: .text(facts.issuer)),
        ]
    }

    /// The revocation date and reason, which follow the certificate fields of a revoked certificate.
    var revocationFields: [Field] {
        guard status == .revoked else { return [] }
        return [
            Field(key: "revoked_on", label: "撤销日期", value: .text(revokedOn?.description ?? "")),
            Field(key: "revocation_reason", label: "撤销原因", value: .text(revocationReasonLabel)),
        ]
    }

    /// The cached rendering of the certificate fields, when it fits this view: it shows the masked
    /// name, so a matching name confirmation, which shows the full name, renders afresh.
    var reusableRendering: FactsRendering? {
        nameMatch == true ? nil : rendering
    }

    /// The reason category in Chinese, or the stored text when it is not a known category.
    var revocationReasonLabel: String {
        guard let revocationReason else { return "" }
        return RevocationReason(rawValue: revocationReason)?.chinese ?? revocationReason
    }

    /// The hours per year, as `(year, public courses, public hours, professional hours, total hours)`.
    var years: [YearSummary] { facts?.years ?? [] }

    /// The path that the page's name confirmation form submits to, or nil when there are no facts to confirm.
    var nameFormAction: String? {
        facts.map { "/v/" + $0.verificationCode }
    }

    /// The outcome of a name confirmation as the page shows it, or nil when none was requested.
    var nameMatchLabel: String? {
        nameMatch.map { $0 ? "姓名一致" : "姓名不一致" }
    }
}
