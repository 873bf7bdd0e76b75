import CecertCLI
import CecertCore
import CecertServer
import CecertStore
import Foundation
import Testing

/// The repository root, found from this file's path, so tests read the shipped fonts, templates and demo data.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A temporary folder for one test, removed when the test ends.
final class Workspace {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "cecert-cli-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var store: String { path + "/cecert.sqlite" }
    var certificates: String { path + "/certificates" }

    /// Options that point a command at this workspace and at the repository's font and templates.
    var commonArguments: [String] {
        ["--store", store, "--out", certificates, "--keys", path + "/keys", "--config", configPath]
    }

    var configPath: String {
        let path = self.path + "/config.json"
        if !FileManager.default.fileExists(atPath: path) {
            let json = """
                {"font_path": "\(repositoryRoot)/fonts/LXGWWenKai-Regular.ttf", "templates_directory": "\(repositoryRoot)/templates"}
                """
            FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        }
        return path
    }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }
}

/// The result of one in-process `cecert` run.
struct CommandResult {
    var status: Int32
    var output: [String]
    var errors: [String]
}

/// Runs `cecert` in this process with `arguments` and captures what it prints.
func cecert(_ arguments: [String]) -> CommandResult {
    final class Lines: @unchecked Sendable {
        // @unchecked: each instance is written by the one command run that owns it, on the test's thread.
        var output: [String] = []
        var errors: [String] = []
    }
    let lines = Lines()
    let logs = LogCapture()
    let status = CecertCommand.main(arguments, output: { lines.output.append($0) },
                                    errorOutput: { lines.errors.append($0) }, logSink: logs.sink)
    return CommandResult(status: status, output: lines.output, errors: lines.errors + logs.lines)
}

/// Runs an external program and returns its standard output; fails the test when it exits non-zero.
@discardableResult
func run(_ program: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let pipe = Pipe()
    let errorPipe = Pipe()
    process.standardOutput = pipe
    process.standardError = errorPipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    _ = errorPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CecertError(.io, "\(program) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// A verification server on 127.0.0.1 with a port the system picks, over the workspace's store, which
/// must exist. It stops and closes the store when it is released.
final class RunningServer {
    let directory: StoreDirectory
    let server: VerificationServer
    let port: Int

    init(_ workspace: Workspace) throws {
        directory = try StoreDirectory(path: workspace.store)
        server = try VerificationServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                                        directory: directory, logger: Logger(label: "test", sink: LogCapture().sink))
        port = try server.start()
    }

    deinit {
        server.stop()
        directory.close()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
}
