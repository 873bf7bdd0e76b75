import CecertCLI
import CecertCore
import CecertStore
import Foundation
import Testing

/// Broken start-up files and two issuers at once. The kill -9, full-disk and hostile HTTP tests drive the
/// release binary instead, from `scripts/faults.py`.
@Suite(.serialized)
struct FaultStartupTests {
    /// Makes a workspace with the first `count` sample applications imported, a signing key and its own copy
    /// of the templates, so a test can break one file without touching the repository.
    static func makeWorkspace(count: Int = 3) throws -> Workspace {
        let workspace = Workspace()
        let input = try PipelineTests.sampleSubset(workspace, count: count)
        #expect(cecert(["import", input] + workspace.commonArguments).status == 0)
        #expect(cecert(["keys", "generate"] + workspace.commonArguments).status == 0)
        try FileManager.default.copyItem(atPath: repositoryRoot + "/templates", toPath: workspace.path + "/templates")
        writeConfig(workspace, font: repositoryRoot + "/fonts/LXGWWenKai-Regular.ttf", templates: workspace.path + "/templates")
        return workspace
    }

    static func writeConfig(_ workspace: Workspace, font: String, templates: String) {
        let json = #"{"font_path": "\#(font)", "templates_directory": "\#(templates)"}"#
        FileManager.default.createFile(atPath: workspace.configPath, contents: Data(json.utf8))
    }

    static func keyPath(_ workspace: Workspace) throws -> String {
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: workspace.path + "/keys").first)
        return workspace.path + "/keys/" + name
    }

    static func certificateCount(_ workspace: Workspace) throws -> Int {
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        return try store.certificateCount()
    }

    /// Runs `issue` and checks that it failed with exit status 1, named `path` and issued nothing.
    static func expectStartupError(_ workspace: Workspace, naming path: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = cecert(["issue"] + workspace.commonArguments)
        #expect(result.status == CecertCommand.ExitStatus.failure, sourceLocation: sourceLocation)
        let message = result.errors.first { $0.hasPrefix("error: ") } ?? "(no error line)"
        #expect(message.hasPrefix("error: configuration error: "), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains(path), "\(message)", sourceLocation: sourceLocation)
        #expect(try certificateCount(workspace) == 0, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ("empty", Data()),
        ("text", Data(String(repeating: "not a font\n", count: 100).utf8)),
        ("truncated", try! Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/fonts/LXGWWenKai-Regular.ttf")).prefix(65536)),
    ])
    func corruptFontNamed(label: String, bytes: Data) throws {
        let workspace = try Self.makeWorkspace()
        let font = workspace.path + "/font-\(label).ttf"
        FileManager.default.createFile(atPath: font, contents: bytes)
        Self.writeConfig(workspace, font: font, templates: workspace.path + "/templates")
        try Self.expectStartupError(workspace, naming: font)
    }

    @Test func missingFontNamed() throws {
        let workspace = try Self.makeWorkspace()
        let font = workspace.path + "/no-such-font.ttf"
        Self.writeConfig(workspace, font: font, templates: workspace.path + "/templates")
        try Self.expectStartupError(workspace, naming: font)
    }

    @Test(arguments: ["", "{\"elements\": [", "[1, 2, 3]", "{\"elements\": []}"])
    func corruptTemplateNamed(text: String) throws {
        let workspace = try Self.makeWorkspace()
        let template = workspace.path + "/templates/certificate-v1.json"
        FileManager.default.createFile(atPath: template, contents: Data(text.utf8))
        try Self.expectStartupError(workspace, naming: template)
    }

    @Test func missingTemplateFolderNamed() throws {
        let workspace = try Self.makeWorkspace()
        let templates = workspace.path + "/no-such-templates"
        Self.writeConfig(workspace, font: repositoryRoot + "/fonts/LXGWWenKai-Regular.ttf", templates: templates)
        try Self.expectStartupError(workspace, naming: templates)
    }

    @Test func missingKeyFileNamed() throws {
        let workspace = try Self.makeWorkspace()
        let key = try Self.keyPath(workspace)
        try FileManager.default.removeItem(atPath: key)
        try Self.expectStartupError(workspace, naming: key)
    }

    @Test(arguments: ["", "zz\n", String(repeating: "11", count: 32) + "\n"])
    func corruptKeyFileNamed(text: String) throws {
        let workspace = try Self.makeWorkspace()
        let key = try Self.keyPath(workspace)
        FileManager.default.createFile(atPath: key, contents: Data(text.utf8))
        try Self.expectStartupError(workspace, naming: key)
    }

    @Test func twoIssuersAtOnceIssueEachOnce() throws {
        let workspace = try Self.makeWorkspace(count: 12)
        let results = ResultBox()
        let arguments = ["issue"] + workspace.commonArguments
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            results.set(index, cecert(arguments))
        }
        let statuses = results.values.map(\.status)
        #expect(statuses == [0, 0])
        let issued = results.values.compactMap { $0.output.first }.map { $0.split(separator: " ")[1] }
        #expect(Set(issued) == ["0", "11"])

        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let numbers = try store.allCertificateNumbers()
        #expect(numbers.count == 11)
        #expect(numbers.map { CertificateNumber(parsing: $0)!.serial }.sorted() == Array(1...11))
        let applications = try numbers.compactMap { try store.certificate(number: $0)?.applicationID }
        #expect(Set(applications).count == 11)
    }
}

/// The two concurrent command results, written from `concurrentPerform`'s threads.
final class ResultBox: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var results: [Int: CommandResult] = [:]

    func set(_ index: Int, _ result: CommandResult) {
        lock.withLock { results[index] = result }
    }

    var values: [CommandResult] {
        lock.withLock { results.sorted { $0.key < $1.key }.map(\.value) }
    }
}
