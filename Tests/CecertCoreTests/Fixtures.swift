import CecertCore
import Foundation

/// Builds applications for rule and workflow tests with only the fields a case cares about.
enum Fixture {
    static let batch2020 = Batch(code: "2020-SZ-CE", name: "2020年市直继续教育学时审验",
                                 opensOn: CivilDate("2020-03-27")!, closesOn: CivilDate("2020-05-29")!)

    static func application(declaration: Declaration, years: Double, level: TitleLevel?,
                            courses: [Course]) -> Application {
        Application(
            id: "T-1", batch: batch2020,
            applicant: Applicant(idNumber: "321204197101110326", name: "张三", phone: "", email: "", region: "市直",
                                 workUnit: "泰州市人民医院"),
            acceptancePoint: "市直—泰州市卫生健康委员会",
            currentTitle: level.map { CurrentTitle(level: $0, name: "助理工程师", obtainedOn: CivilDate("2015-07-01")) },
            declaration: declaration, qualificationYears: years, submittedAt: nil, courses: courses,
            reviews: [])
    }

    static func publicCourse(_ year: Int, _ hours: Int) -> Course {
        Course(year: year, category: .public, title: "公需课", hours: Hours(hours), source: .platform)
    }

    static func professional(_ year: Int, _ hours: Int) -> Course {
        Course(year: year, category: .professional, title: "专业课", hours: Hours(hours), source: .manual, evidence: "e.pdf")
    }
}
