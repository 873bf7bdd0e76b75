import CecertCLI
import CecertCore
import CecertStore
import Foundation
import Testing

/// Revocation, reinstatement and reissue from the command line.
@Suite(.serialized)
struct LifecycleTests {
    /// A workspace with the first sample application imported and issued; returns its certificate number.
    static func issuedWorkspace() throws -> (Workspace, String) {
        let workspace = Workspace()
        let input = try PipelineTests.sampleSubset(workspace, count: 1)
        _ = cecert(["import", input] + workspace.commonArguments)
        _ = cecert(["issue"] + workspace.commonArguments)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        return (workspace, try #require(try store.allCertificateNumbers().first))
    }

    @Test func blankIssuerIsRejected() throws {
        let (workspace, _) = try Self.issuedWorkspace()
        for issuer in ["", "  "] {
            let result = cecert(["issue", "--issuer", issuer] + workspace.commonArguments)
            #expect(result.status == CecertCommand.ExitStatus.failure)
            #expect(result.errors.first == "error: configuration error: issuer must not be empty: it is printed on every certificate and signed in its record")
        }
    }

    @Test func revokeBlocksPrintUntilReinstated() throws {
        let (workspace, number) = try Self.issuedWorkspace()
        let revoked = cecert(["revoke", number, "--reason", "error", "--comment", "工作单位有误", "--actor", "王科长"] + workspace.commonArguments)
        #expect(revoked.status == 0)
        #expect(revoked.output == ["revoked \(number) (信息有误)"])
        #expect(revoked.errors.contains { $0.contains("notice cecert: Certificate revoked") && $0.contains("cert.number=\(number)") })

        let print = cecert(["print", number, "-o", workspace.path + "/x.pdf"] + workspace.commonArguments)
        #expect(print.status == CecertCommand.ExitStatus.failure)
        #expect(print.errors.first == "error: revoked: certificate \(number) is revoked and cannot be printed")

        let again = cecert(["revoke", number, "--reason", "error", "--comment", "x"] + workspace.commonArguments)
        #expect(again.errors.first == "error: conflict: certificate \(number) is revoked; only a valid certificate can be revoked")

        #expect(cecert(["reinstate", number, "--actor", "王科长"] + workspace.commonArguments).status == 0)
        #expect(cecert(["print", number, "-o", workspace.path + "/x.pdf"] + workspace.commonArguments).status == 0)

        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let events = try store.events(subject: number)
        #expect(events.map(\.action) == ["revoke", "reinstate"])
        #expect(events.map(\.actor) == ["王科长", "王科长"])
        #expect(events.first?.detail == "error: 工作单位有误")
    }

    @Test func unknownReasonIsUsageError() throws {
        let (workspace, number) = try Self.issuedWorkspace()
        let result = cecert(["revoke", number, "--reason", "typo", "--comment", "x"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.usage)
        #expect(result.errors.first?.hasPrefix("error: unknown reason typo; use one of error, fraud, duplicate, withdrawn, other") == true)
    }

    @Test func reissueSupersedesOldCertificate() throws {
        let (workspace, number) = try Self.issuedWorkspace()
        let result = cecert(["reissue", number, "--reason", "姓名更正"] + workspace.commonArguments)
        #expect(result.status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let numbers = try store.allCertificateNumbers()
        #expect(numbers.count == 2)
        let replacement = try #require(numbers.last)
        #expect(result.output == ["reissued \(number) as \(replacement); the old certificate now verifies as superseded"])
        #expect(try store.certificate(number: number)?.state == .superseded)
        #expect(try store.certificate(number: replacement)?.state == .valid)
        #expect(CertificateNumber(parsing: replacement)?.serial == 2)
        #expect(FileManager.default.fileExists(atPath: workspace.certificates + "/\(replacement).pdf"))
        let old = try #require(try store.certificate(number: number))
        let new = try #require(try store.certificate(number: replacement))
        #expect(old.verificationCode != new.verificationCode)

        let print = cecert(["print", number, "-o", workspace.path + "/old.pdf"] + workspace.commonArguments)
        #expect(print.errors.first?.contains("superseded") == true)
        let twice = cecert(["reissue", number, "--reason", "x"] + workspace.commonArguments)
        #expect(twice.errors.first?.contains("already superseded") == true)
    }
}

/// An issued certificate prints its snapshot, whatever happens to the store afterwards.
@Suite(.serialized)
struct SnapshotTests {
    @Test func laterEditsNeverChangeIssuedCertificate() throws {
        let (workspace, number) = try LifecycleTests.issuedWorkspace()
        let original = try Data(contentsOf: URL(fileURLWithPath: workspace.certificates + "/\(number).pdf"))
        let line = try String(contentsOfFile: PipelineTests.sample, encoding: .utf8).split(separator: "\n")[0]
        let edited = line.replacingOccurrences(of: "泰州市人民医院", with: "泰州市第二人民医院")
        #expect(edited != line)
        let imported = cecert(["import", workspace.write("edited.jsonl", edited + "\n")] + workspace.commonArguments)
        #expect(imported.status == 0)
        #expect(imported.output.first?.hasSuffix("0 new, 1 updated, 0 unchanged, 0 invalid") == true)
        #expect(imported.errors.contains { $0.hasPrefix("notice: line 1, application SZ2020-000001, field (record): changed after certificate \(number) was issued") })

        let reprint = workspace.path + "/reprint.pdf"
        #expect(cecert(["print", number, "-o", reprint] + workspace.commonArguments).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: reprint)) == original)
        #expect(try run("pdftotext", [reprint, "-"]).contains("泰州市人民医院"))

        #expect(cecert(["reissue", number, "--reason", "单位更名"] + workspace.commonArguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let replacement = try #require(try store.allCertificateNumbers().last)
        #expect(replacement != number)
        #expect(try run("pdftotext", [workspace.certificates + "/\(replacement).pdf", "-"]).contains("泰州市第二人民医院"))
    }

    @Test func issueDateIsShanghaiCalendarDay() throws {
        // 2020-05-09T16:30Z is 00:30 on 10 May in China; 15:59Z is still 9 May there.
        #expect(CivilDate(instant: Timestamp.parse("2020-05-09T16:30:00Z")!).chinese == "2020年5月10日")
        #expect(CivilDate(instant: Timestamp.parse("2020-05-09T15:59:59Z")!).chinese == "2020年5月9日")
        #expect(CivilDate(instant: Timestamp.parse("2020-05-09T23:59:59+08:00")!).description == "2020-05-09")
    }
}

/// A reprint uses the template bytes recorded at issue, never the file installed today.
@Suite(.serialized)
struct TemplateSnapshotTests {
    @Test func editedTemplateFileChangesNoReprint() throws {
        let workspace = Workspace()
        let templates = workspace.path + "/templates"
        try FileManager.default.copyItem(atPath: repositoryRoot + "/templates", toPath: templates)
        let config = workspace.write("templates-config.json", """
            {"font_path": "\(repositoryRoot)/fonts/LXGWWenKai-Regular.ttf", "templates_directory": "\(templates)"}
            """)
        let arguments = ["--store", workspace.store, "--out", workspace.certificates, "--keys", workspace.path + "/keys",
                         "--config", config]
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 2)] + arguments)
        #expect(cecert(["issue"] + arguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let number = try #require(try store.allCertificateNumbers().first)
        let original = try Data(contentsOf: URL(fileURLWithPath: workspace.certificates + "/\(number).pdf"))

        let file = templates + "/certificate-v2.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "继续教育学时审验合格证明", with: "继续教育学时证明")
        #expect(edited != text)
        try edited.write(toFile: file, atomically: true, encoding: .utf8)

        let reprint = workspace.path + "/reprint.pdf"
        let printed = cecert(["print", number, "-o", reprint] + arguments)
        #expect(printed.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: reprint)) == original)

        let lines = try String(contentsOfFile: PipelineTests.sample, encoding: .utf8).split(separator: "\n")
        _ = cecert(["import", workspace.write("more.jsonl", lines[3] + "\n")] + arguments)
        let issued = cecert(["issue"] + arguments)
        #expect(issued.status == CecertCommand.ExitStatus.failure)
        #expect(issued.errors.first == "error: configuration error: template file certificate-v2.json differs from template version 2 as certificates were issued with it; restore the file and put a changed layout in a new version")
    }
}

@Suite(.serialized)
struct ApplicantRenameTests {
    @Test func renameThenReissuePrintsCorrectedName() throws {
        let (workspace, number) = try LifecycleTests.issuedWorkspace()
        let renamed = cecert(["applicants", "rename", "321204197101110326", "--name", "巴特尔·其木格日", "--reason", "户籍更正",
                              "--actor", "王科长"] + workspace.commonArguments)
        #expect(renamed.status == 0)
        #expect(renamed.output == ["renamed the applicant 321204********0326",
                                   "certificate \(number) still shows the old name; run `cecert reissue \(number) --reason ...` to correct it"])
        #expect(!renamed.errors.joined().contains("321204197101110326"))
        #expect(cecert(["reissue", number, "--reason", "姓名更正"] + workspace.commonArguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let replacement = try #require(try store.allCertificateNumbers().last)
        #expect(try run("pdftotext", [workspace.certificates + "/\(replacement).pdf", "-"]).contains("巴特尔·其木格日"))
        #expect(try store.events(subject: "321204********0326").map(\.detail) == ["巴特尔·其木格 → 巴特尔·其木格日: 户籍更正"])
    }

    @Test func unknownApplicantIsNotFound() throws {
        let (workspace, _) = try LifecycleTests.issuedWorkspace()
        let result = cecert(["applicants", "rename", "11010519491231002X", "--name", "张三", "--reason", "x"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.failure)
        #expect(result.errors.first == "error: not found: no applicant has the ID number 110105********002X")
    }
}
