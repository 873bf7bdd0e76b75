import CecertCore
import CecertStore
import Foundation
import Testing

struct ImportCSVTests {
    static let header = CSVApplicationDecoder.requiredHeaders + ["预审意见"]

    static let base: [String: String] = [
        "申请编号": "SZ2020-000001", "批次": "2020-SZ-CE", "身份证号": "321204197101110326", "姓名": "巴特尔・其木格",
        "手机": "18009883727", "邮箱": "a@example.cn", "所在地": "市直", "工作单位": "泰州市人民医院",
        "受理点": "市直—泰州市卫生健康委员会", "现职称级别": "初级", "现职称名称": "助理工程师", "取得时间": "2015/7/1",
        "申报类型": "初级申报中级", "资历年限": "4", "年度": "2019", "科目类别": "公需科目", "课程名称": "科学素养",
        "学时": "40", "来源": "平台", "证明材料": "", "预审结果": "通过", "预审人": "卫健委", "预审时间": "2020/5/5 12:46",
        "终审结果": "通过", "终审人": "职称办", "终审时间": "2020-05-09 17:06:00", "预审意见": "材料齐全，同意",
    ]

    static func csv(_ rows: [[String: String]]) -> String {
        func quote(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let lines = [header.joined(separator: ",")] + rows.map { row in header.map { quote(row[$0] ?? "") }.joined(separator: ",") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static let sample = csv([
        base,
        base.merging(["年度": "2018", "科目类别": "专业科目", "课程名称": "论文，\"核心\"期刊,\n第一作者", "学时": "12.5", "来源": "手工",
                      "证明材料": "evidence/2018-1.pdf"]) { $1 },
        base.merging(["申请编号": "SZ2020-000002", "身份证号": "11010519491231002x", "姓名": "王 五", "现职称级别": "无",
                      "申报类型": "其他", "资历年限": "1", "终审结果": "退回", "终审人": "职称办", "终审时间": "2020/5/9 17:06"]) { $1 },
    ])

    func addBatch(_ store: String) throws {
        let added = CLI.run(["batches", "add", "2020-SZ-CE", "--name", "2020年市直批次", "--opens", "2020-03-27", "--closes",
                             "2020-05-29", "--region", "市直", "--store", store])
        try #require(added.status == 0, "\(added.errorOutput)")
    }

    /// Lists every row of the tables an import writes, in a stable order.
    func dump(_ path: String) throws -> [String] {
        let store = try ReviewStore(path: path)
        defer { store.close() }
        var lines: [String] = []
        let tables: [(String, String, [String])] = [
            ("applicants", "id_number", ["id_number", "name", "phone", "email", "region", "work_unit"]),
            ("applications", "id", ["id", "batch_code", "applicant_id", "acceptance_point", "title_level", "title_name",
                                    "title_obtained_on", "declaration", "qualification_years", "submitted_at", "state", "version",
                                    "source_hash"]),
            ("courses", "application_id, position", ["application_id", "position", "year", "category", "title", "hours_hundredths",
                                                     "source", "evidence"]),
            ("reviews", "application_id, seq", ["application_id", "seq", "stage", "decision", "reviewer", "at", "comment"]),
        ]
        for (table, order, columns) in tables {
            for row in try store.connection.query("SELECT * FROM \(table) ORDER BY \(order)") {
                lines.append("\(table): " + columns.map { "\($0)=\(row[$0])" }.joined(separator: " "))
            }
        }
        return lines
    }

    @Test func gb18030AndBOMImportSameContents() throws {
        let directory = TemporaryDirectory()
        let utf8File = directory.write("export-utf8.csv", [0xEF, 0xBB, 0xBF] + Array(Self.sample.utf8))
        let gbFile = directory.write("export-gb.csv", try CLI.iconv(Array(Self.sample.utf8), to: "GB18030"))
        var dumps: [[String]] = []
        for (file, name) in [(utf8File, "utf8.sqlite"), (gbFile, "gb.sqlite")] {
            let store = directory.path + "/" + name
            try addBatch(store)
            let result = CLI.run(["import", file, "--store", store])
            #expect(result.status == 0, "\(result.errorOutput)")
            #expect(result.output == "imported \(file): 2 new, 0 updated, 0 unchanged, 0 invalid")
            dumps.append(try dump(store))
        }
        #expect(dumps[0].count == 11)
        #expect(dumps[0] == dumps[1])

        let store = try ReviewStore(path: directory.path + "/gb.sqlite")
        defer { store.close() }
        let first = try #require(try store.application(id: "SZ2020-000001"))
        #expect(first.applicant.name == "巴特尔·其木格")
        #expect(first.courses.map(\.title) == ["科学素养", "论文，\"核心\"期刊,\n第一作者"])
        #expect(first.reviews.first?.comment == "材料齐全，同意")
        let second = try #require(try store.application(id: "SZ2020-000002"))
        #expect(second.applicant.idNumber == "11010519491231002X")
        #expect(second.applicant.name == "王五")
        #expect(second.currentTitle == nil)
        #expect(try store.workflowStatus(applicationID: "SZ2020-000002")?.state == .finalReturned)
    }

    @Test func unknownBatchReportedPerRecord() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("export.csv", Self.sample)
        let store = directory.path + "/cecert.sqlite"
        let result = CLI.run(["import", file, "--store", store])
        #expect(result.status == 3)
        #expect(result.output == "imported \(file): 0 new, 0 updated, 0 unchanged, 2 invalid")
        #expect(result.errorOutput.split(separator: "\n").first == "invalid: line 2, application SZ2020-000001, field 批次: batch 2020-SZ-CE is not configured; add it with `cecert batches add 2020-SZ-CE ...` first")
    }

    @Test func forbiddenHistoryReportedWithRow() throws {
        let directory = TemporaryDirectory()
        let store = directory.path + "/cecert.sqlite"
        try addBatch(store)
        let file = directory.write("export.csv", Self.csv([
            Self.base.merging(["预审结果": "", "预审人": "", "预审时间": "", "预审意见": ""]) { $1 },
            Self.base.merging(["申请编号": "SZ2020-000002", "身份证号": "11010519491231002X", "姓名": "王五", "学时": "300"]) { $1 },
        ]))
        let result = CLI.run(["import", file, "--store", store])
        #expect(result.status == 3)
        let errors = result.errorOutput.split(separator: "\n").map(String.init)
        #expect(errors == [
            "invalid: line 2, application SZ2020-000001, field reviews: reviews[0]: final-review approved is allowed only after pre-review approval; the application is submitted",
            "invalid: line 3, application SZ2020-000002, field 学时: 300 exceeds the maximum of 200 for one entry",
        ])
    }
}
