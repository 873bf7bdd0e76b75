/// The hour norms of a batch. The default is the 2020 notice; later batches may set other figures
/// (the national rule since 2015 requires 90 hours a year).
public struct HourNorms: Sendable, Hashable, Codable {
    /// Yearly norm for junior and untitled staff.
    public var juniorPerYear: Hours
    /// Yearly norm for intermediate and senior staff.
    public var seniorPerYear: Hours
    /// Hours per qualification year for a junior → intermediate declaration.
    public var juniorToIntermediatePerYear: Hours
    /// Hours per qualification year for an intermediate → senior declaration.
    public var intermediateToSeniorPerYear: Hours
    /// Public courses required per qualification year for the two promotion declarations.
    public var publicCoursesPerYear: Int

    public init(juniorPerYear: Hours = Hours(40), seniorPerYear: Hours = Hours(72),
                juniorToIntermediatePerYear: Hours = Hours(40), intermediateToSeniorPerYear: Hours = Hours(72),
                publicCoursesPerYear: Int = 1) {
        self.juniorPerYear = juniorPerYear
        self.seniorPerYear = seniorPerYear
        self.juniorToIntermediatePerYear = juniorToIntermediatePerYear
        self.intermediateToSeniorPerYear = intermediateToSeniorPerYear
        self.publicCoursesPerYear = publicCoursesPerYear
    }

    /// The figures of the 2020 notice: 40 h a year for junior and untitled staff, 72 h for intermediate and senior.
    public static let notice2020 = HourNorms()
}

/// One calendar year of the qualification period.
public struct YearSummary: Sendable, Hashable, Codable {
    public var year: Int
    public var publicCourses: Int
    public var publicHours: Hours
    public var professionalHours: Hours

    enum CodingKeys: String, CodingKey {
        case year
        case publicCourses = "public_courses"
        case publicHours = "public_hours"
        case professionalHours = "professional_hours"
    }

    public init(year: Int, publicCourses: Int, publicHours: Hours, professionalHours: Hours) {
        self.year = year
        self.publicCourses = publicCourses
        self.publicHours = publicHours
        self.professionalHours = professionalHours
    }

    public var totalHours: Hours { publicHours + professionalHours }
}

/// Something an application lacks under the hour rules.
public enum Shortfall: Sendable, Hashable, CustomStringConvertible {
    case totalHours(completed: Hours, required: Hours)
    case publicCourses(completed: Int, required: Int)
    case noPublicCourse(year: Int)
    case yearBelowNorm(year: Int, completed: Hours, required: Hours)

    public var description: String {
        switch self {
        case let .totalHours(completed, required): "\(completed) of \(required) hours"
        case let .publicCourses(completed, required): "\(completed) of \(required) public courses"
        case let .noPublicCourse(year): "\(year) has no public course"
        case let .yearBelowNorm(year, completed, required): "\(year) has \(completed) of \(required) hours"
        }
    }
}

/// The result of checking an application's courses against the hour rules of its declaration.
public struct RuleEvaluation: Sendable, Hashable {
    public var declaration: Declaration
    /// Qualification years rounded up, at least one.
    public var years: Int
    /// The calendar years counted: the `years` years before the batch year.
    public var period: ClosedRange<Int>
    /// Total hours required, or nil for an initial appointment, which requires public courses only.
    public var requiredHours: Hours?
    /// Public courses required over the period.
    public var requiredPublicCourses: Int
    /// The yearly norm of the applicant's level (40 h or 72 h under the 2020 notice).
    public var yearlyNorm: Hours
    /// One row per year of the period, oldest first.
    public var rows: [YearSummary]
    public var shortfalls: [Shortfall]

    public var isMet: Bool { shortfalls.isEmpty }
    public var publicHours: Hours { rows.reduce(.zero) { $0 + $1.publicHours } }
    public var professionalHours: Hours { rows.reduce(.zero) { $0 + $1.professionalHours } }
    public var totalHours: Hours { publicHours + professionalHours }
    public var publicCourses: Int { rows.reduce(0) { $0 + $1.publicCourses } }
}

public enum HourRules {
    /// Rounds qualification years up to whole years, at least one: 0.5 counts as 1, 2.1 as 3.
    public static func wholeYears(_ qualificationYears: Double) -> Int {
        guard qualificationYears.isFinite, qualificationYears > 0 else { return 1 }
        return max(1, Int(qualificationYears.rounded(.up)))
    }

    /// Checks an application's courses against its declaration's rules.
    ///
    /// Only courses inside the qualification period count. The promotion declarations need total
    /// hours of their multiplier × years and one public course per year in number (not per calendar year);
    /// an initial appointment needs a public course in every year; `other` needs every year at its
    /// level's yearly norm.
    public static func evaluate(_ application: Application, norms: HourNorms = .notice2020) -> RuleEvaluation {
        let years = wholeYears(application.qualificationYears)
        let lastYear = application.batch.year - 1
        let period = (lastYear - years + 1)...lastYear
        let rows = summarize(application.courses, over: period)
        let level = application.currentTitle?.level
        let yearlyNorm = (level == .intermediate || level == .senior) ? norms.seniorPerYear : norms.juniorPerYear

        var evaluation = RuleEvaluation(
            declaration: application.declaration, years: years, period: period, requiredHours: nil,
            requiredPublicCourses: 0, yearlyNorm: yearlyNorm, rows: rows, shortfalls: [])

        switch application.declaration {
        case .juniorToIntermediate, .intermediateToSenior:
            let perYear = application.declaration == .juniorToIntermediate
                ? norms.juniorToIntermediatePerYear : norms.intermediateToSeniorPerYear
            let required = perYear * years
            evaluation.requiredHours = required
            evaluation.requiredPublicCourses = norms.publicCoursesPerYear * years
            if evaluation.totalHours < required {
                evaluation.shortfalls.append(.totalHours(completed: evaluation.totalHours, required: required))
            }
            if evaluation.publicCourses < evaluation.requiredPublicCourses {
                evaluation.shortfalls.append(.publicCourses(completed: evaluation.publicCourses,
                                                            required: evaluation.requiredPublicCourses))
            }
        case .initialAppointment:
            evaluation.requiredPublicCourses = years
            for row in rows where row.publicCourses == 0 {
                evaluation.shortfalls.append(.noPublicCourse(year: row.year))
            }
        case .other:
            evaluation.requiredHours = yearlyNorm * years
            for row in rows where row.totalHours < yearlyNorm {
                evaluation.shortfalls.append(.yearBelowNorm(year: row.year, completed: row.totalHours, required: yearlyNorm))
            }
        }
        return evaluation
    }

    static func summarize(_ courses: [Course], over period: ClosedRange<Int>) -> [YearSummary] {
        period.map { year in
            var row = YearSummary(year: year, publicCourses: 0, publicHours: .zero, professionalHours: .zero)
            for course in courses where course.year == year {
                switch course.category {
                case .public:
                    row.publicCourses += 1
                    row.publicHours = row.publicHours + course.hours
                case .professional:
                    row.professionalHours = row.professionalHours + course.hours
                }
            }
            return row
        }
    }
}
