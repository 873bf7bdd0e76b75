import Foundation

/// A batch of declarations opened by the title office, such as `2020-SZ-CE`.
public struct Batch: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var opensOn: CivilDate
    public var closesOn: CivilDate

    public init(code: String, name: String, opensOn: CivilDate, closesOn: CivilDate) {
        self.code = code
        self.name = name
        self.opensOn = opensOn
        self.closesOn = closesOn
    }

    /// The year the batch is declared in: the year of `opensOn`. The qualification period is the
    /// calendar years before it.
    public var year: Int { opensOn.year }
}

public struct Applicant: Sendable, Hashable, Codable {
    /// The normalised 18-character ID number (GB 11643). Log only `IDNumber.mask(_:)` of it.
    public var idNumber: String
    public var name: String
    public var phone: String
    public var email: String
    /// 所在地, such as 市直.
    public var region: String
    public var workUnit: String

    public init(idNumber: String, name: String, phone: String, email: String, region: String, workUnit: String) {
        self.idNumber = idNumber
        self.name = name
        self.phone = phone
        self.email = email
        self.region = region
        self.workUnit = workUnit
    }
}

public enum TitleLevel: String, Sendable, Hashable, Codable, CaseIterable {
    case junior, intermediate, senior

    /// 初级, 中级 or 高级.
    public var chinese: String {
        switch self {
        case .junior: "初级"
        case .intermediate: "中级"
        case .senior: "高级"
        }
    }
}

public struct CurrentTitle: Sendable, Hashable, Codable {
    public var level: TitleLevel
    public var name: String
    public var obtainedOn: CivilDate?

    public init(level: TitleLevel, name: String, obtainedOn: CivilDate?) {
        self.level = level
        self.name = name
        self.obtainedOn = obtainedOn
    }

    /// The title as printed, for example 初级（二级教师）.
    public var chinese: String { name.isEmpty ? level.chinese : "\(level.chinese)（\(name)）" }
}

public enum Declaration: String, Sendable, Hashable, Codable, CaseIterable {
    case juniorToIntermediate = "junior_to_intermediate"
    case intermediateToSenior = "intermediate_to_senior"
    case initialAppointment = "initial_appointment"
    case other

    /// The label the platform shows, for example 初级申报中级.
    public var chinese: String {
        switch self {
        case .juniorToIntermediate: "初级申报中级"
        case .intermediateToSenior: "中级申报高级"
        case .initialAppointment: "初定"
        case .other: "其他"
        }
    }
}

public enum CourseCategory: String, Sendable, Hashable, Codable, CaseIterable {
    /// 公需科目, from the city CE platform.
    case `public`
    /// 专业科目, entered by hand with a proof.
    case professional

    public var chinese: String { self == .public ? "公需科目" : "专业科目" }
}

public enum CourseSource: String, Sendable, Hashable, Codable, CaseIterable {
    case platform, manual

    public var chinese: String { self == .platform ? "平台" : "手工" }
}

public struct Course: Sendable, Hashable, Codable {
    public var year: Int
    public var category: CourseCategory
    public var title: String
    public var hours: Hours
    public var source: CourseSource
    /// The uploaded proof of a manual entry, such as `evidence/2019-3439.pdf`.
    public var evidence: String?

    public init(year: Int, category: CourseCategory, title: String, hours: Hours, source: CourseSource,
                evidence: String? = nil) {
        self.year = year
        self.category = category
        self.title = title
        self.hours = hours
        self.source = source
        self.evidence = evidence
    }
}

public enum ReviewStage: String, Sendable, Hashable, Codable, CaseIterable {
    /// 预审, by the supervising department.
    case pre
    /// 终审, by the title office.
    case final
}

public enum ReviewDecision: String, Sendable, Hashable, Codable, CaseIterable {
    case approved, returned
}

public struct Review: Sendable, Hashable, Codable {
    public var stage: ReviewStage
    public var decision: ReviewDecision
    public var reviewer: String
    public var at: Date
    public var comment: String

    public init(stage: ReviewStage, decision: ReviewDecision, reviewer: String, at: Date, comment: String = "") {
        self.stage = stage
        self.decision = decision
        self.reviewer = reviewer
        self.at = at
        self.comment = comment
    }
}

/// One applicant's declaration in one batch, with its courses and its review history.
public struct Application: Sendable, Hashable {
    public var id: String
    public var batch: Batch
    public var applicant: Applicant
    /// 受理点, such as 市直—泰州市卫生健康委员会.
    public var acceptancePoint: String
    public var currentTitle: CurrentTitle?
    public var declaration: Declaration
    public var qualificationYears: Double
    public var submittedAt: Date?
    public var courses: [Course]
    /// Oldest first.
    public var reviews: [Review]

    public init(id: String, batch: Batch, applicant: Applicant, acceptancePoint: String, currentTitle: CurrentTitle?,
                declaration: Declaration, qualificationYears: Double, submittedAt: Date?, courses: [Course],
                reviews: [Review]) {
        self.id = id
        self.batch = batch
        self.applicant = applicant
        self.acceptancePoint = acceptancePoint
        self.currentTitle = currentTitle
        self.declaration = declaration
        self.qualificationYears = qualificationYears
        self.submittedAt = submittedAt
        self.courses = courses
        self.reviews = reviews
    }

    /// The last final-review decision, if any.
    public var lastFinalReview: Review? { reviews.last(where: { $0.stage == .final }) }

    /// True when the last final-review decision is an approval.
    public var isFinalApproved: Bool { lastFinalReview?.decision == .approved }
}
