import CecertCore
import Foundation
import Testing

struct BatchConfigurationTests {
    static let configuration = BatchConfiguration(batch: Fixture.batch2020, region: "市直")

    @Test(arguments: [
        ("2020-03-26T23:59:59+08:00", false),
        ("2020-03-27T00:00:00+08:00", true),
        ("2020-03-26T16:00:00Z", true),
        ("2020-05-29T23:59:00+08:00", true),
        ("2020-05-29T23:59:59+08:00", true),
        ("2020-05-30T00:00:00+08:00", false),
        ("2020-05-29T15:59:59Z", true),
        ("2020-05-29T16:00:00Z", false),
        // 08:59 on 29 May in Los Angeles (UTC-7) is already 30 May in China.
        ("2020-05-29T09:00:00-07:00", false),
        ("2020-05-29T08:59:59-07:00", true),
    ])
    func windowEdgesInChinaTime(_ text: String, _ inside: Bool) throws {
        let instant = try #require(Timestamp.parse(text))
        if inside {
            try Self.configuration.checkWindow(instant)
        } else {
            #expect(throws: CecertError(.workflow, "")) { try Self.configuration.checkWindow(instant) }
        }
    }

    @Test(arguments: [
        ("市直", "市直—泰州市卫生健康委员会", nil),
        ("市直", "市直-泰州市教育局", nil),
        ("海陵区", "市直—泰州市卫生健康委员会", "applicant.region"),
        ("市直", "海陵区—海陵区人社局", "acceptance_point"),
        ("市直", "市直泰州市教育局", "acceptance_point"),
    ] as [(String, String, String?)])
    func regionRuleAdmits(_ region: String, _ point: String, _ field: String?) {
        #expect(Self.configuration.admissionProblem(region: region, acceptancePoint: point)?.field == field)
    }

    @Test func configuredPointsAreExclusive() {
        var configuration = Self.configuration
        configuration.acceptancePoints = ["市直—泰州市教育局"]
        #expect(configuration.admissionProblem(region: "市直", acceptancePoint: "市直—泰州市教育局") == nil)
        let problem = configuration.admissionProblem(region: "市直", acceptancePoint: "市直—泰州市卫生健康委员会")
        #expect(problem?.field == "acceptance_point")
        #expect(problem?.message.contains("not configured for batch 2020-SZ-CE") == true)
    }

    @Test func normsRoundTripThroughJSON() throws {
        let norms = HourNorms(juniorPerYear: Hours(90), seniorPerYear: Hours(hundredths: 9050), publicCoursesPerYear: 2)
        let text = norms.jsonText()
        #expect(text.contains("\"senior_per_year\":\"90.5\""))
        #expect(try HourNorms(jsonText: text) == norms)
        #expect(throws: CecertError(.storage, "")) { try HourNorms(jsonText: "{}") }
    }

    @Test func nationalNormsRaiseRequirement() {
        let application = Fixture.application(declaration: .other, years: 1, level: .intermediate,
                                               courses: [Fixture.publicCourse(2019, 72)])
        let national = HourNorms(juniorPerYear: Hours(90), seniorPerYear: Hours(90))
        #expect(HourRules.evaluate(application).isMet)
        #expect(HourRules.evaluate(application, norms: national).shortfalls.map(\.description) == ["2019 has 72 of 90 hours"])
    }
}
