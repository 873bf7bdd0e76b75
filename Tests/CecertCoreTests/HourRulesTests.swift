import CecertCore
import Testing

struct HourRulesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var declaration: Declaration
        var years: Double
        var level: TitleLevel?
        var courses: [Course]
        var requiredHours: Hours?
        var period: ClosedRange<Int>
        var shortfalls: [String]

        var testDescription: String { label }
    }

    static let cases: [Case] = [
        // The notice's example: assistant title in 2015, applying in 2020 with 4 years: 160 hours, 4 public courses.
        Case(label: "notice example met", declaration: .juniorToIntermediate, years: 4, level: .junior,
             courses: (2016...2019).flatMap { [Fixture.publicCourse($0, 20), Fixture.professional($0, 20)] },
             requiredHours: Hours(160), period: 2016...2019, shortfalls: []),
        Case(label: "notice example short", declaration: .juniorToIntermediate, years: 4, level: .junior,
             courses: (2016...2019).map { Fixture.publicCourse($0, 30) } + [Fixture.professional(2019, 30)],
             requiredHours: Hours(160), period: 2016...2019, shortfalls: ["150 of 160 hours"]),
        Case(label: "promotion lacks public courses", declaration: .juniorToIntermediate, years: 2, level: .junior,
             courses: [Fixture.publicCourse(2019, 20), Fixture.professional(2018, 70)],
             requiredHours: Hours(80), period: 2018...2019, shortfalls: ["1 of 2 public courses"]),
        Case(label: "senior promotion 72 per year", declaration: .intermediateToSenior, years: 5, level: .intermediate,
             courses: (2015...2019).flatMap { [Fixture.publicCourse($0, 24), Fixture.professional($0, 48)] },
             requiredHours: Hours(360), period: 2015...2019, shortfalls: []),
        Case(label: "senior promotion one hour short", declaration: .intermediateToSenior, years: 5, level: .intermediate,
             courses: (2015...2019).flatMap { [Fixture.publicCourse($0, 24), Fixture.professional($0, $0 == 2017 ? 47 : 48)] },
             requiredHours: Hours(360), period: 2015...2019, shortfalls: ["359 of 360 hours"]),
        Case(label: "courses outside period ignored", declaration: .juniorToIntermediate, years: 1, level: .junior,
             courses: [Fixture.publicCourse(2018, 40), Fixture.publicCourse(2020, 40)],
             requiredHours: Hours(40), period: 2019...2019, shortfalls: ["0 of 40 hours", "0 of 1 public courses"]),
        Case(label: "initial appointment each year", declaration: .initialAppointment, years: 3, level: nil,
             courses: [Fixture.publicCourse(2017, 1), Fixture.publicCourse(2018, 1), Fixture.publicCourse(2019, 1)],
             requiredHours: nil, period: 2017...2019, shortfalls: []),
        Case(label: "initial appointment gap year", declaration: .initialAppointment, years: 3, level: nil,
             courses: [Fixture.publicCourse(2017, 10), Fixture.professional(2018, 50), Fixture.publicCourse(2019, 10)],
             requiredHours: nil, period: 2017...2019, shortfalls: ["2018 has no public course"]),
        Case(label: "fraction of a year counts whole", declaration: .initialAppointment, years: 0.4, level: nil,
             courses: [], requiredHours: nil, period: 2019...2019, shortfalls: ["2019 has no public course"]),
        Case(label: "2.1 years is 3", declaration: .juniorToIntermediate, years: 2.1, level: .junior,
             courses: (2017...2019).map { Fixture.publicCourse($0, 40) },
             requiredHours: Hours(120), period: 2017...2019, shortfalls: []),
        Case(label: "other junior 40 a year", declaration: .other, years: 2, level: .junior,
             courses: [Fixture.publicCourse(2018, 40), Fixture.publicCourse(2019, 25), Fixture.professional(2019, 14)],
             requiredHours: Hours(80), period: 2018...2019, shortfalls: ["2019 has 39 of 40 hours"]),
        Case(label: "other untitled 40 a year", declaration: .other, years: 1, level: nil,
             courses: [Fixture.publicCourse(2019, 40)], requiredHours: Hours(40), period: 2019...2019, shortfalls: []),
        Case(label: "other senior 72 a year", declaration: .other, years: 1, level: .senior,
             courses: [Fixture.publicCourse(2019, 40)], requiredHours: Hours(72), period: 2019...2019,
             shortfalls: ["2019 has 40 of 72 hours"]),
    ]

    @Test(arguments: cases)
    func evaluation(_ testCase: Case) {
        let application = Fixture.application(declaration: testCase.declaration, years: testCase.years,
                                               level: testCase.level, courses: testCase.courses)
        let result = HourRules.evaluate(application)
        #expect(result.requiredHours == testCase.requiredHours)
        #expect(result.period == testCase.period)
        #expect(result.shortfalls.map(\.description) == testCase.shortfalls)
        #expect(result.isMet == testCase.shortfalls.isEmpty)
    }

    @Test func noticeExampleRequiresFourPublicCourses() {
        let application = Fixture.application(declaration: .juniorToIntermediate, years: 4, level: .junior, courses: [])
        let result = HourRules.evaluate(application)
        #expect(result.requiredHours == Hours(160))
        #expect(result.requiredPublicCourses == 4)
        #expect(result.rows.map(\.year) == [2016, 2017, 2018, 2019])
    }

    @Test func fractionalHoursSumExactly() {
        let courses = (0..<10).map { _ in
            Course(year: 2019, category: .professional, title: "x", hours: Hours(exactly: 0.1)!, source: .manual, evidence: "e")
        }
        let application = Fixture.application(declaration: .other, years: 1, level: .junior, courses: courses)
        #expect(HourRules.evaluate(application).totalHours == Hours(1))
        #expect(Hours(exactly: 12.5)!.description == "12.5")
        #expect(Hours(exactly: 0.25)!.description == "0.25")
        #expect(Hours(exactly: 0.125) == nil)
    }
}
