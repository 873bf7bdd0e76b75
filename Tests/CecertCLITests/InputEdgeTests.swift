import CecertCLI
import CecertCore
import CecertStore
import Foundation
import Testing

/// Input that a newcomer's tries showed to go wrong, each pinned to its exact outcome.
@Suite(.serialized)
struct InputEdgeTests {
    static func sampleLines(_ count: Int) throws -> [String] {
        try String(contentsOfFile: PipelineTests.sample, encoding: .utf8).split(separator: "\n").prefix(count).map(String.init)
    }

    @Test func configBaseURLReachesTheQR() throws {
        let workspace = Workspace()
        let config = workspace.write("base.json", """
            {"base_url": "https://verify.example.cn", "font_path": "\(repositoryRoot)/fonts/LXGWWenKai-Regular.ttf",
             "templates_directory": "\(repositoryRoot)/templates"}
            """)
        let arguments = ["--store", workspace.store, "--out", workspace.certificates, "--keys", workspace.path + "/keys",
                         "--config", config]
        _ = cecert(["import", workspace.write("one.jsonl", try Self.sampleLines(1)[0] + "\n")] + arguments)
        #expect(cecert(["issue"] + arguments).status == 0)
        let listed = cecert(["certificates"] + arguments)
        #expect(listed.output.first?.contains("  https://verify.example.cn/v/") == true)
    }

    @Test func unknownConfigKeyRejected() throws {
        let workspace = Workspace()
        let config = workspace.write("typo.json", #"{"aera_code": "321200"}"#)
        let result = cecert(["certificates", "--store", workspace.store, "--config", config])
        #expect(result.status == CecertCommand.ExitStatus.failure)
        #expect(result.errors.first?.hasPrefix("error: configuration error: configuration file \(config) has the unknown key \"aera_code\"") == true)
    }

    @Test func crlfLinesImport() throws {
        let workspace = Workspace()
        let file = workspace.write("crlf.jsonl", try Self.sampleLines(3).joined(separator: "\r\n") + "\r\n")
        let result = cecert(["import", file] + workspace.commonArguments)
        #expect(result.status == 0)
        #expect(result.output == ["imported \(file): 3 new, 0 updated, 0 unchanged, 0 invalid"])
    }

    @Test func negativeLimitIsUsageError() throws {
        let workspace = Workspace()
        let result = cecert(["certificates", "--limit", "-1"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.usage)
        #expect(result.errors.first?.hasPrefix("error: --limit must be 0 or more, not -1") == true)
    }

    @Test(arguments: [
        ("泰州市人民医院", "泰州市\\u0000人民医院", "applicant.work_unit", "contains the control character U+0000"),
        ("泰州市人民医院", "泰州市\\n人民医院", "applicant.work_unit", "contains a line break or tab"),
        ("\"qualification_years\": 1", "\"qualification_years\": 6", "qualification_years", "6 is more than 5"),
        ("\"submitted_at\": \"2020-05-04T09:00:00+08:00\"", "\"submitted_at\": \"2020-03-26T15:59:59Z\"", "submitted_at",
         "is outside the batch window 2020-03-27 to 2020-05-29"),
        ("\"at\": \"2020-05-05T12:46:00+08:00\"", "\"at\": \"2020-05-01T12:46:00+08:00\"", "reviews",
         "reviews[0]: dated 2020-05-01T12:46:00+08:00, before the submission"),
    ])
    func badFieldReported(_ old: String, _ new: String, _ field: String, _ message: String) throws {
        let workspace = Workspace()
        let line = try Self.sampleLines(1)[0]
        let edited = line.replacingOccurrences(of: old, with: new)
        #expect(edited != line)
        let file = workspace.write("bad.jsonl", edited + "\n")
        let result = cecert(["import", file] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        let report = result.errors.first { $0.hasPrefix("invalid: line 1, application SZ2020-000001, field \(field): ") }
        #expect(report?.contains(message) == true, "\(result.errors)")
    }

    @Test func windowEdgesInChinaTime() throws {
        let workspace = Workspace()
        let line = try Self.sampleLines(1)[0]
        // 2020-03-26T16:00:00Z is 00:00 on 27 March in China, the first second of the window.
        let first = line.replacingOccurrences(of: "2020-05-04T09:00:00+08:00", with: "2020-03-26T16:00:00Z")
        #expect(first != line)
        let result = cecert(["import", workspace.write("edge.jsonl", first + "\n")] + workspace.commonArguments)
        #expect(result.status == 0)
    }

    @Test func revokedCertificateCannotBeReissued() throws {
        let (workspace, number) = try LifecycleTests.issuedWorkspace()
        #expect(cecert(["revoke", number, "--reason", "fraud", "--comment", "伪造材料"] + workspace.commonArguments).status == 0)
        let result = cecert(["reissue", number, "--reason", "x"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.failure)
        #expect(result.errors.first == "error: conflict: certificate \(number) is revoked, and a reissue would hide the revocation; reinstate it first if the revocation was a mistake")
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        #expect(try store.certificate(number: number)?.state == .revoked)
        #expect(try store.certificateCount() == 1)
    }

    @Test func duplicateIDAndInvalidUTF8Reported() throws {
        let workspace = Workspace()
        let lines = try Self.sampleLines(2)
        var bytes = Array((lines[0] + "\n" + lines[1] + "\n" + lines[0] + "\n").utf8)
        bytes += [0x7B, 0xFF, 0xFE, 0x7D, 0x0A]
        let file = workspace.path + "/mixed.jsonl"
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let result = cecert(["import", file] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        #expect(result.output == ["imported \(file): 2 new, 0 updated, 0 unchanged, 2 invalid"])
        #expect(result.errors.contains("invalid: line 3, application SZ2020-000001, field application_id: appears again after line 1; each application has one line"))
        #expect(result.errors.contains("invalid: line 4, application (unknown), field (line): is not valid UTF-8"))
    }

    @Test func eachApplicationKeepsItsWorkUnit() throws {
        let workspace = Workspace()
        let line = try Self.sampleLines(1)[0]
        let later = line.replacingOccurrences(of: "SZ2020-000001", with: "SZ2020-900001")
            .replacingOccurrences(of: "泰州市人民医院", with: "泰州市第二人民医院")
        #expect(later != line)
        _ = cecert(["import", workspace.write("first.jsonl", line + "\n")] + workspace.commonArguments)
        _ = cecert(["import", workspace.write("later.jsonl", later + "\n")] + workspace.commonArguments)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        #expect(try store.application(id: "SZ2020-000001")?.applicant.workUnit == "泰州市人民医院")
        #expect(try store.application(id: "SZ2020-900001")?.applicant.workUnit == "泰州市第二人民医院")
    }
}

@Suite(.serialized)
struct TimestampEdgeTests {
    @Test(arguments: ["2020-04-31T09:00:00+08:00", "2020-02-30T09:00:00+08:00", "2020-05-09T23:59:60+08:00",
                      "2020-05-09T24:00:00+08:00", "2020-05-09"])
    func impossibleTimesRejected(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func validTimesParse() {
        #expect(Timestamp.parse("2020-05-09T23:59:59+08:00") != nil)
        #expect(Timestamp.parse("2020-05-09T15:59:59.250Z") != nil)
    }

    @Test func futureReviewRejectedAtImport() throws {
        let workspace = Workspace()
        let line = try InputEdgeTests.sampleLines(1)[0]
        let future = line.replacingOccurrences(of: "2020-05-09T17:06:00+08:00", with: "2099-01-01T00:00:00+08:00")
        #expect(future != line)
        let result = cecert(["import", workspace.write("future.jsonl", future + "\n")] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        #expect(result.errors.contains("invalid: line 1, application SZ2020-000001, field reviews[1].at: 2099-01-01T00:00:00+08:00 is in the future"))
    }

    @Test func reissueKeepsTheOriginalVerificationHost() throws {
        let workspace = Workspace()
        let line = try InputEdgeTests.sampleLines(1)[0]
        _ = cecert(["import", workspace.write("one.jsonl", line + "\n")] + workspace.commonArguments)
        #expect(cecert(["issue", "--base-url", "https://verify.example.cn"] + workspace.commonArguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let number = try #require(try store.allCertificateNumbers().first)
        #expect(cecert(["reissue", number, "--reason", "x"] + workspace.commonArguments).status == 0)
        let replacement = try #require(try store.allCertificateNumbers().last)
        let stored = try #require(try store.certificate(number: replacement))
        let url = try CertificateRecord.decode(canonicalJSON: stored.recordJSON).facts.verifyURL
        #expect(url == "https://verify.example.cn/v/\(stored.verificationCode)")
    }
}

@Suite(.serialized)
struct PapercutTests {
    @Test(arguments: ["\u{200B}", "\u{202E}", "\u{200D}"])
    func invisibleCharactersInNamesRejected(_ character: String) {
        #expect(throws: CecertError(.invalidInput, "")) { try PersonName.normalize("张\(character)三") }
    }

    @Test func hoursBeyondTwoDecimalsRejected() {
        #expect(Hours(exactly: 14.999999999) == nil)
        #expect(Hours(exactly: 12.34) == Hours(hundredths: 1234))
        #expect(Hours(exactly: 0.1 + 0.2) == Hours(hundredths: 30))
    }

    @Test func printNeverReplacesAnotherCertificate() throws {
        let workspace = Workspace()
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 2)] + workspace.commonArguments)
        _ = cecert(["issue"] + workspace.commonArguments)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let numbers = try store.allCertificateNumbers()
        #expect(numbers.count == 2)
        let other = workspace.certificates + "/\(numbers[1]).pdf"
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        let result = cecert(["print", numbers[0], "-o", other] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.failure)
        #expect(result.errors.first?.contains("is in the certificates folder under another name") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
        let own = cecert(["print", numbers[0], "-o", workspace.certificates + "/\(numbers[0]).pdf"] + workspace.commonArguments)
        #expect(own.status == 0)
    }

    @Test func extraArgumentIsUsageError() throws {
        let workspace = Workspace()
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 1)] + workspace.commonArguments)
        let result = cecert(["certificates", "extra"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.usage)
    }
}

@Suite(.serialized)
struct ChunkedImportTests {
    @Test func importAcrossChunksIsComplete() throws {
        let workspace = Workspace()
        let sample = try String(contentsOfFile: PipelineTests.sample, encoding: .utf8).split(separator: "\n").map(String.init)
        // 1,200 lines cross two chunk boundaries; ids are renumbered and one line in the second chunk is broken.
        var lines: [String] = []
        for index in 0..<1200 {
            let id = String(format: "SZ2020-%06d", index + 1)
            lines.append(sample[index % sample.count].replacingOccurrences(of: String(format: "SZ2020-%06d", index % sample.count + 1), with: id))
        }
        lines[700] = "{broken"
        let file = workspace.write("many.jsonl", lines.joined(separator: "\n") + "\n")
        let first = cecert(["import", file] + workspace.commonArguments)
        #expect(first.output == ["imported \(file): 1199 new, 0 updated, 0 unchanged, 1 invalid"])
        #expect(first.errors.contains("invalid: line 701, application (unknown), field (line): invalid JSON"))
        let second = cecert(["import", file] + workspace.commonArguments)
        #expect(second.output == ["imported \(file): 0 new, 0 updated, 1199 unchanged, 1 invalid"])
    }
}
