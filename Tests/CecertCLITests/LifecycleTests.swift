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
