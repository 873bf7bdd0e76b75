import CecertCore
import Foundation
import Testing

/// A small spreadsheet export: a header and rows built from one base row with some columns changed.
enum CSVFixture {
    static let header = CSVApplicationDecoder.requiredHeaders

    static let base: [String: String] = [
        "申请编号": "SZ2020-000001", "批次": "2020-SZ-CE", "身份证号": "321204197101110326", "姓名": "张三",
        "手机": "18009883727", "邮箱": "user00001@example.cn", "所在地": "市直", "工作单位": "泰州市人民医院",
        "受理点": "市直—泰州市卫生健康委员会", "现职称级别": "初级", "现职称名称": "助理工程师", "取得时间": "2015/7/1",
        "申报类型": "初级申报中级", "资历年限": "4", "年度": "2019", "科目类别": "公需科目", "课程名称": "科学素养",
        "学时": "25", "来源": "平台", "证明材料": "", "预审结果": "通过", "预审人": "卫健委", "预审时间": "2020/5/5 12:46",
        "终审结果": "", "终审人": "", "终审时间": "",
    ]

    static func row(_ changes: [String: String] = [:]) -> [String: String] {
        base.merging(changes) { $1 }
    }

    static func text(_ rows: [[String: String]], lineBreak: String = "\r\n") -> String {
        var lines = [header.joined(separator: ",")]
        for row in rows {
            lines.append(header.map { quote(row[$0] ?? "") }.joined(separator: ","))
        }
        return lines.joined(separator: lineBreak) + lineBreak
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func lookup(_ code: String) -> Batch? { code == Fixture.batch2020.code ? Fixture.batch2020 : nil }
}

struct CSVReaderTests {
    @Test func quotedFieldsKeepCommasQuotesAndBreaks() throws {
        let records = try CSVReader.records("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\r\n\"\",2,3\n")
        #expect(records.count == 3)
        #expect(records[1].fields == ["x, y", "say \"hi\"", "line1\nline2"])
        #expect(records[2].fields == ["", "2", "3"])
    }

    @Test func rowNumbersCountPhysicalLines() throws {
        let records = try CSVReader.records("h1,h2\n\"a\nb\",1\n\nc,2")
        #expect(records.map(\.row) == [1, 2, 5])
        #expect(records[2].fields == ["c", "2"])
    }

    @Test func unclosedQuoteRejected() {
        #expect(throws: CecertError(.invalidInput, "")) { try CSVReader.records("a,b\n\"open,1\n") }
    }

    @Test func textAfterClosingQuoteRejected() {
        #expect(throws: CecertError(.invalidInput, "")) { try CSVReader.records("\"a\"b,1\n") }
    }
}

struct TextEncodingTests {
    @Test func byteOrderMarkDropped() throws {
        let decoded = try TextEncoding.decode([0xEF, 0xBB, 0xBF] + Array("申请编号,批次".utf8))
        #expect(decoded.text == "申请编号,批次")
        #expect(decoded.encoding == .utf8)
    }

    @Test func gb18030FromIconvDecodes() throws {
        let original = "申请编号,姓名\r\nSZ-1,巴特尔·其木格\r\n"
        let bytes = try Self.iconv(Array(original.utf8), to: "GB18030")
        #expect(bytes != Array(original.utf8))
        #expect(String(validating: bytes, as: UTF8.self) == nil)
        let decoded = try TextEncoding.decode(bytes)
        #expect(decoded.encoding == .gb18030)
        #expect(decoded.text == original)
    }

    @Test func invalidBytesRejected() {
        // 0xFF never starts a GB18030 sequence and is not UTF-8.
        #expect(throws: CecertError(.invalidInput, "")) { try TextEncoding.decode([0x41, 0xFF, 0xFF, 0x42]) }
    }

    /// Converts UTF-8 bytes with the `iconv` program, independently of the code under test.
    static func iconv(_ bytes: [UInt8], to encoding: String) throws -> [UInt8] {
        let directory = NSTemporaryDirectory() + "cecert-iconv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in.txt"
        FileManager.default.createFile(atPath: input, contents: Data(bytes))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        process.arguments = ["-f", "UTF-8", "-t", encoding, input]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return Array(output)
    }
}

struct CSVApplicationDecoderTests {
    @Test func chineseLabelsDecode() throws {
        let text = CSVFixture.text([
            CSVFixture.row(),
            CSVFixture.row(["年度": "2018", "科目类别": "专业科目", "课程名称": "论文, \"第一作者\"", "学时": "12.5", "来源": "手工",
                            "证明材料": "evidence/2018-1.pdf"]),
        ])
        let result = try CSVApplicationDecoder().decode(text, batch: CSVFixture.lookup)
        #expect(result.errors.isEmpty)
        let (line, application) = try #require(result.records.first)
        #expect(line == 2)
        #expect(application.batch == Fixture.batch2020)
        #expect(application.declaration == .juniorToIntermediate)
        #expect(application.currentTitle?.level == .junior)
        #expect(application.currentTitle?.obtainedOn == CivilDate("2015-07-01"))
        #expect(application.qualificationYears == 4)
        #expect(application.courses.count == 2)
        #expect(application.courses[1].title == "论文, \"第一作者\"")
        #expect(application.courses[1].hours == Hours(hundredths: 1250))
        #expect(application.courses[1].category == .professional)
        #expect(application.courses[1].evidence == "evidence/2018-1.pdf")
        #expect(application.reviews.map(\.stage) == [.pre])
        #expect(application.reviews.first.map { Timestamp.format($0.at) } == "2020-05-05T12:46:00+08:00")
    }

    @Test func jsonCodesDecode() throws {
        let text = CSVFixture.text([CSVFixture.row(["现职称级别": "junior", "申报类型": "junior_to_intermediate", "科目类别": "public",
                                                    "来源": "platform", "预审结果": "approved", "终审结果": "returned", "终审人": "职称办",
                                                    "终审时间": "2020-05-09T17:06:00+08:00"])])
        let result = try CSVApplicationDecoder().decode(text, batch: CSVFixture.lookup)
        let application = try #require(result.records.first?.application)
        #expect(application.reviews.map(\.decision) == [.approved, .returned])
        #expect(application.courses.first?.source == .platform)
    }

    @Test(arguments: [
        (["学时": "abc"], 2, "学时", "must be a number"),
        (["学时": "250"], 2, "学时", "exceeds the maximum of 200"),
        (["学时": "0"], 2, "学时", "must be greater than 0"),
        (["身份证号": "321204197101110327"], 2, "身份证号", "check character"),
        (["邮箱": "not-an-email"], 2, "邮箱", "must look like"),
        (["手机": "12345"], 2, "手机", "11-digit mobile"),
        (["申报类型": "晋升"], 2, "申报类型", "is not one of"),
        (["批次": "2021-XX"], 2, "批次", "is not configured"),
        (["预审时间": "昨天"], 2, "预审时间", "ISO 8601"),
    ] as [([String: String], Int, String, String)])
    func fieldErrorsNameRowAndColumn(_ changes: [String: String], _ row: Int, _ column: String, _ message: String) throws {
        let text = CSVFixture.text([CSVFixture.row(changes)])
        let result = try CSVApplicationDecoder().decode(text, batch: CSVFixture.lookup)
        let error = try #require(result.errors.first)
        #expect(error.line == row)
        #expect(error.field == column)
        #expect(error.applicationID == "SZ2020-000001")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func courseErrorPointsAtItsRow() throws {
        let text = CSVFixture.text([
            CSVFixture.row(["课程名称": "多行\n课程"]),
            CSVFixture.row(["年度": "2018", "科目类别": "专业科目", "来源": "手工", "证明材料": ""]),
        ])
        let result = try CSVApplicationDecoder().decode(text, batch: CSVFixture.lookup)
        let error = try #require(result.errors.first)
        // The first data row spans lines 2 and 3, so the second starts on line 4.
        #expect(error.line == 4)
        #expect(error.field == "证明材料")
    }

    @Test func disagreeingRowsReported() throws {
        let text = CSVFixture.text([CSVFixture.row(), CSVFixture.row(["年度": "2018", "姓名": "李四"])])
        let result = try CSVApplicationDecoder().decode(text, batch: CSVFixture.lookup)
        let error = try #require(result.errors.first)
        #expect(error.line == 3)
        #expect(error.field == "姓名")
        #expect(result.records.isEmpty)
    }

    @Test func applicationsGroupedById() throws {
        let text = CSVFixture.text([
            CSVFixture.row(),
            CSVFixture.row(["申请编号": "SZ2020-000002", "身份证号": "11010519491231002X", "姓名": "王五", "年度": "", "科目类别": "",
                            "课程名称": "", "学时": "", "来源": ""]),
            CSVFixture.row(["年度": "2017"]),
        ])
        let result = try CSVApplicationDecoder().decode(text, batch: CSVFixture.lookup)
        #expect(result.errors.isEmpty)
        #expect(result.records.map(\.application.id) == ["SZ2020-000001", "SZ2020-000002"])
        #expect(result.records[0].application.courses.map(\.year) == [2019, 2017])
        #expect(result.records[1].application.courses.isEmpty)
    }

    @Test func missingHeaderRejected() {
        #expect(throws: CecertError(.invalidInput, "")) {
            try CSVApplicationDecoder().decode("申请编号,批次\nA,B\n", batch: CSVFixture.lookup)
        }
    }
}
