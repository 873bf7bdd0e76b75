import CecertCore
import CecertRender
import Foundation

/// Paths, sample facts and process helpers shared by the renderer tests.
enum Fixture {
    /// The repository root, found from this file's location.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let configuration = RenderConfiguration(
        fontPath: root + "/fonts/LXGWWenKai-Regular.ttf",
        templatesDirectory: root + "/templates")

    static let logger = Logger(label: "render-tests", logLevel: .warning)

    static let issuer = "泰州市专业技术人员职称（职业资格）工作领导小组办公室"

    static func facts(
        holderName: String = "王小明", workUnit: String = "泰州市第一中学",
        years: Int = 3, licence: String? = nil, templateVersion: String = "2"
    ) -> CertificateFacts {
        let summaries = (0..<years).map { index in
            YearSummary(
                year: 2017 + index, publicCourses: 1, publicHours: Hours(hundredths: 1250),
                professionalHours: Hours(60))
        }
        let publicHours = summaries.reduce(Hours.zero) { $0 + $1.publicHours }
        let professionalHours = summaries.reduce(Hours.zero) { $0 + $1.professionalHours }
        return CertificateFacts(
            number: CertificateNumber(area: "321200", year: 2020, serial: 123).description,
            verificationCode: "ABCDEFGHJKLMNPQRSTUV",
            verifyURL: "http://127.0.0.1:8080/v/ABCDEFGHJKLMNPQRSTUV",
            holderName: holderName, maskedIDNumber: "321204********0326", workUnit: workUnit,
            acceptancePoint: "海陵区人力资源和社会保障局", currentTitle: "初级（二级教师）", declaration: "初级申报中级",
            qualificationYears: years, periodStart: 2017, periodEnd: 2016 + years, requiredHours: Hours(40 * years),
            requiredPublicCourses: years, publicCourses: years, publicHours: publicHours,
            professionalHours: professionalHours, totalHours: publicHours + professionalHours, years: summaries,
            batchCode: "2020-01", batchName: "2020年度第一批职称申报继续教育学时审验",
            issueDate: CivilDate(year: 2020, month: 4, day: 15)!,
            issuer: issuer, licenceIdentifier: licence, templateVersion: templateVersion)
    }
}

/// A temporary directory that a test removes when it ends.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "cecert-render-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// The result of running a command-line tool.
struct ToolOutput {
    var status: Int32
    var standardOutput: Data
    var text: String { String(decoding: standardOutput, as: UTF8.self) }
}

/// Runs `tool` (looked up on PATH) with `arguments` and returns its exit status and standard output.
func run(_ tool: String, _ arguments: [String]) throws -> ToolOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolOutput(status: process.terminationStatus, standardOutput: data)
}
