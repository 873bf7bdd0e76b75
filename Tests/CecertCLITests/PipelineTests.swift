import CecertCLI
import CecertCore
import CecertStore
import Foundation
import Testing

/// The first pipeline end to end: import the sample, issue, scan the QR, reprint.
@Suite(.serialized)
struct PipelineTests {
    static let sample = repositoryRoot + "/demo/applications.sample.jsonl"

    /// The first `count` lines of the bundled sample, as a file in `workspace`.
    static func sampleSubset(_ workspace: Workspace, count: Int) throws -> String {
        let text = try String(contentsOfFile: sample, encoding: .utf8)
        let lines = text.split(separator: "\n").prefix(count)
        return workspace.write("subset.jsonl", lines.joined(separator: "\n") + "\n")
    }

    @Test func importReportsCountsAndIsIdempotent() throws {
        let workspace = Workspace()
        let first = cecert(["import", Self.sample] + workspace.commonArguments)
        #expect(first.status == 0)
        #expect(first.output == ["imported \(Self.sample): 300 new, 0 updated, 0 unchanged, 0 invalid"])
        let second = cecert(["import", Self.sample] + workspace.commonArguments)
        #expect(second.output == ["imported \(Self.sample): 0 new, 0 updated, 300 unchanged, 0 invalid"])
    }

    @Test func malformedLinesReportedOthersLoad() throws {
        let workspace = Workspace()
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n").prefix(3).map(String.init)
        let broken = lines[1].replacingOccurrences(of: "\"qualification_years\": 2", with: "\"qualification_years\": -2")
        #expect(broken != lines[1])
        let file = workspace.write("bad.jsonl", [lines[0], broken, "{oops", lines[2]].joined(separator: "\n"))
        let result = cecert(["import", file] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        #expect(result.output == ["imported \(file): 2 new, 0 updated, 0 unchanged, 2 invalid"])
        #expect(result.errors.contains("invalid: line 2, application SZ2020-000002, field qualification_years: must be a number greater than 0 and at most 50"))
        #expect(result.errors.contains("invalid: line 3, application (unknown), field (line): invalid JSON"))
    }

    @Test func issueTwiceIssuesNothingNew() throws {
        let workspace = Workspace()
        let input = try Self.sampleSubset(workspace, count: 12)
        #expect(cecert(["import", input] + workspace.commonArguments).status == 0)
        let first = cecert(["issue"] + workspace.commonArguments)
        #expect(first.status == 0)
        let issuedCount = try FileManager.default.contentsOfDirectory(atPath: workspace.certificates).filter { $0.hasSuffix(".pdf") }.count
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let approved = try store.applicationsAwaitingCertificate(batch: nil)
        #expect(approved.isEmpty)
        #expect(try store.certificateCount() == issuedCount)
        #expect(issuedCount == 11)
        let second = cecert(["issue"] + workspace.commonArguments)
        #expect(second.status == 0)
        #expect(second.output.first?.hasPrefix("issued 0 certificates, refused 0") == true)
        #expect(try store.certificateCount() == issuedCount)
        let numbers = try store.allCertificateNumbers()
        #expect(numbers.map { CertificateNumber(parsing: $0)!.serial } == Array(1...issuedCount))
    }

    @Test func scannedQREqualsStoredURLAndTextIsExtractable() throws {
        let workspace = Workspace()
        let input = try Self.sampleSubset(workspace, count: 1)
        _ = cecert(["import", input] + workspace.commonArguments)
        #expect(cecert(["issue"] + workspace.commonArguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let number = try #require(try store.allCertificateNumbers().first)
        let stored = try #require(try store.certificate(number: number))
        let record = try CertificateRecord.decode(canonicalJSON: stored.recordJSON)
        let pdf = workspace.certificates + "/\(number).pdf"

        try run("pdftoppm", ["-r", "150", "-png", "-singlefile", pdf, workspace.path + "/page"])
        let scanned = try run("zbarimg", ["--raw", "-q", workspace.path + "/page.png"])
        #expect(scanned.trimmingCharacters(in: .newlines) == record.facts.verifyURL)
        #expect(record.facts.verifyURL == "http://127.0.0.1:8080/v/\(stored.verificationCode)")

        let text = try run("pdftotext", ["-layout", pdf, "-"])
        #expect(text.contains("巴特尔·其木格"))
        #expect(text.contains("泰州市人民医院"))
        #expect(text.contains(number))
        #expect(!text.contains("321204197101110326"))
        #expect(!text.contains("19710111"))
        #expect(Sodium.sha256Hex(Array(try Data(contentsOf: URL(fileURLWithPath: pdf)))) == record.pdfSHA256)
    }

    @Test func reprintIsByteIdenticalAndRecorded() throws {
        let workspace = Workspace()
        let input = try Self.sampleSubset(workspace, count: 2)
        _ = cecert(["import", input] + workspace.commonArguments)
        _ = cecert(["issue"] + workspace.commonArguments)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let number = try #require(try store.allCertificateNumbers().last)
        let original = try Data(contentsOf: URL(fileURLWithPath: workspace.certificates + "/\(number).pdf"))
        for attempt in 1...3 {
            let output = workspace.path + "/reprint-\(attempt).pdf"
            let result = cecert(["print", number.replacingOccurrences(of: "-", with: ""), "-o", output] + workspace.commonArguments)
            #expect(result.status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == original)
        }
        #expect(try store.printCount(number: number) == 3)
    }

    @Test func unknownNumberAndBadCheckCharacterRejected() throws {
        let workspace = Workspace()
        _ = cecert(["import", try Self.sampleSubset(workspace, count: 1)] + workspace.commonArguments)
        let missing = CertificateNumber(area: "321200", year: 2020, serial: 999).description
        let notIssued = cecert(["print", missing] + workspace.commonArguments)
        #expect(notIssued.status == CecertCommand.ExitStatus.failure)
        #expect(notIssued.errors.first == "error: not found: certificate \(missing) was not issued")
        let badCheck = cecert(["print", "321200-2020-000001-?"] + workspace.commonArguments)
        #expect(badCheck.status == CecertCommand.ExitStatus.failure)
        #expect(badCheck.errors.first?.contains("is not a certificate number") == true)
    }

    @Test func ruleFailureRefusedNamingShortfallAndBatchGoesOn() throws {
        let workspace = Workspace()
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n").prefix(2).map(String.init)
        // Line 2 is a junior → intermediate declaration over 2 years (80 hours); drop its 2019 public course.
        let short = lines[1].replacingOccurrences(
            of: #"{"year": 2019, "category": "public", "title": "专业技术人员科学素养与科学精神", "hours": 25, "source": "platform"}, "#,
            with: "")
        #expect(short != lines[1])
        let file = workspace.write("short.jsonl", lines[0] + "\n" + short + "\n")
        #expect(cecert(["import", file] + workspace.commonArguments).status == 0)
        let result = cecert(["issue"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        #expect(result.errors.contains("refused: application SZ2020-000002: application SZ2020-000002 does not meet the hour rules: 55 of 80 hours; 1 of 2 public courses"))
        #expect(result.output.first?.hasPrefix("issued 1 certificates, refused 1") == true)
    }

    @Test func characterMissingFromFontRefusedBatchGoesOn() throws {
        let workspace = Workspace()
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n").prefix(2).map(String.init)
        // U+20000 (CJK Extension B) is not in LXGW WenKai; U+2C317 is, above U+FFFF.
        let missing = lines[0].replacingOccurrences(of: "巴特尔·其木格", with: "张\u{20000}")
        let rare = lines[1].replacingOccurrences(of: "段梅强", with: "段\u{2C317}强")
        #expect(missing != lines[0])
        #expect(rare != lines[1])
        let file = workspace.write("names.jsonl", missing + "\n" + rare + "\n")
        #expect(cecert(["import", file] + workspace.commonArguments).status == 0)
        let result = cecert(["issue"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        let refusal = result.errors.first { $0.hasPrefix("refused: application SZ2020-000001") }
        #expect(refusal?.contains("U+20000") == true)
        #expect(refusal?.contains("holder_name") == true)
        #expect(result.output.first?.hasPrefix("issued 1 certificates, refused 1") == true)

        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let numbers = try store.allCertificateNumbers()
        #expect(numbers.count == 1)
        let stored = try #require(try store.certificate(number: numbers[0]))
        #expect(stored.applicationID == "SZ2020-000002")
        #expect(CertificateNumber(parsing: numbers[0])?.serial == 1)
        let record = try CertificateRecord.decode(canonicalJSON: stored.recordJSON)
        #expect(record.facts.holderName == "段\u{2C317}强")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.certificates)
        #expect(leftovers == ["\(numbers[0]).pdf"])
    }

    @Test func renderFailureKeepsSerialsContiguous() throws {
        let workspace = Workspace()
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n").prefix(4).map(String.init)
        // A work unit far past two lines at the minimum size fails in the renderer, after its serial was assigned.
        let huge = lines[1].replacingOccurrences(of: "泰州市疾病预防控制中心", with: String(repeating: "泰州市疾病预防控制中心", count: 30))
        #expect(huge != lines[1])
        let file = workspace.write("huge.jsonl", [lines[0], huge, lines[3]].joined(separator: "\n") + "\n")
        #expect(cecert(["import", file] + workspace.commonArguments).status == 0)
        let result = cecert(["issue", "--jobs", "2"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.partial)
        #expect(result.errors.contains { $0.hasPrefix("refused: application SZ2020-000002:") })

        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let numbers = try store.allCertificateNumbers()
        #expect(numbers.map { CertificateNumber(parsing: $0)!.serial } == [1, 2])
        #expect(try store.certificate(number: numbers[1])?.applicationID == "SZ2020-000004")
        for number in numbers {
            let stored = try #require(try store.certificate(number: number))
            let record = try CertificateRecord.decode(canonicalJSON: stored.recordJSON)
            #expect(record.facts.number == number)
            let pdf = Array(try Data(contentsOf: URL(fileURLWithPath: workspace.certificates + "/\(number).pdf")))
            #expect(Sodium.sha256Hex(pdf) == record.pdfSHA256)
            let text = try run("pdftotext", [workspace.certificates + "/\(number).pdf", "-"])
            #expect(text.contains(number))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.certificates).sorted() == numbers.map { "\($0).pdf" })
    }
}
