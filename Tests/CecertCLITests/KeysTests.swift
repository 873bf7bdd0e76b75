import CecertCLI
import CecertCore
import CecertStore
import Foundation
import Testing

@Suite(.serialized)
struct KeysTests {
    @Test func generateCreatesPrivateFileMode0600() throws {
        let workspace = Workspace()
        let result = cecert(["keys", "generate"] + workspace.commonArguments)
        #expect(result.status == 0)
        let keyID = try #require(result.output.first?.replacingOccurrences(of: "generated key ", with: ""))
        #expect(keyID.count == 16)
        let path = workspace.path + "/keys/\(keyID).key"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let seed = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(seed.count == 64)
        #expect(!result.errors.joined().contains(seed))
        let second = cecert(["keys", "generate"] + workspace.commonArguments)
        #expect(second.status == CecertCommand.ExitStatus.failure)
        #expect(second.errors.first == "error: conflict: key \(keyID) is already active; use `cecert keys rotate` for a new one")
    }

    @Test func rotationKeepsOldCertificatesValid() throws {
        let workspace = Workspace()
        let lines = try String(contentsOfFile: PipelineTests.sample, encoding: .utf8).split(separator: "\n").prefix(2).map(String.init)
        _ = cecert(["import", workspace.write("one.jsonl", lines[0] + "\n")] + workspace.commonArguments)
        _ = cecert(["issue"] + workspace.commonArguments)
        let rotated = cecert(["keys", "rotate"] + workspace.commonArguments)
        #expect(rotated.status == 0)
        _ = cecert(["import", workspace.write("two.jsonl", lines[1] + "\n")] + workspace.commonArguments)
        _ = cecert(["issue"] + workspace.commonArguments)

        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let certificates = try store.allCertificateNumbers().compactMap { try store.certificate(number: $0) }
        #expect(certificates.count == 2)
        #expect(Set(certificates.map(\.keyID)).count == 2)
        let keys = try store.publicKeys()
        #expect(keys.count == 2)
        #expect(keys.filter { $0.retiredAt == nil }.map(\.keyID) == [certificates[1].keyID])

        let directory = try StoreDirectory(path: workspace.store)
        defer { directory.close() }
        let verifier = Verifier(directory: directory, logger: Logger(label: "test", sink: LogCapture().sink))
        for certificate in certificates {
            #expect(try verifier.verify(code: certificate.verificationCode).status == "valid")
        }
        let listed = cecert(["keys", "list"] + workspace.commonArguments)
        #expect(listed.output.count == 2)
        #expect(listed.output[0].contains("retired"))
        #expect(listed.output[1].contains("active"))
    }

    @Test func corruptKeyFileNamedAtStart() throws {
        let workspace = Workspace()
        let keyID = try #require(cecert(["keys", "generate"] + workspace.commonArguments).output.first?
            .replacingOccurrences(of: "generated key ", with: ""))
        let path = workspace.path + "/keys/\(keyID).key"
        try "not hex\n".write(toFile: path, atomically: true, encoding: .utf8)
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 1)] + workspace.commonArguments)
        let result = cecert(["issue"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.failure)
        #expect(result.errors.first == "error: configuration error: signing key file \(path) is corrupt: expected 64 hex digits")
        try FileManager.default.removeItem(atPath: path)
        let missing = cecert(["issue"] + workspace.commonArguments)
        #expect(missing.errors.first == "error: configuration error: signing key file \(path) is missing or unreadable")
    }
}
