import CecertCLI
import CecertCore
import Foundation
import Synchronization
import Testing

/// A temporary folder for one test, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "cecert-cli-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
}

/// The status and joined output of one `cecert` run, for tests that compare whole texts.
struct CLIResult {
    var status: Int32
    var output: String
    var errorOutput: String
}

enum CLI {
    /// Runs `cecert` in this process with its output captured.
    static func run(_ arguments: [String]) -> CLIResult {
        let output = Mutex<[String]>([])
        let errors = Mutex<[String]>([])
        let status = CecertCommand.main(arguments, output: { line in output.withLock { $0.append(line) } },
                                        errorOutput: { line in errors.withLock { $0.append(line) } },
                                        logSink: Logger.Sink { _ in })
        return CLIResult(status: status, output: output.withLock { $0.joined(separator: "\n") },
                             errorOutput: errors.withLock { $0.joined(separator: "\n") })
    }

    /// The `cecert` executable next to the test bundle, so `swift build` must have built it.
    static var executable: URL {
        get throws {
            if let path = ProcessInfo.processInfo.environment["CECERT_BINARY"] { return URL(fileURLWithPath: path) }
            var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("cecert")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder.deleteLastPathComponent()
            }
            Issue.record("cecert executable not found next to \(CommandLine.arguments[0]); run `swift build` first or set CECERT_BINARY")
            throw CecertError(.notFound, "cecert executable not found")
        }
    }

    /// Starts `cecert` as a child process with the given environment additions.
    static func spawn(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    /// Waits for a child process and collects its result.
    static func finish(_ started: (Process, Pipe, Pipe)) -> CLIResult {
        let (process, output, errors) = started
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                             output: String(decoding: outputData, as: UTF8.self).trimmingCharacters(in: .newlines),
                             errorOutput: String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .newlines))
    }

    /// Converts UTF-8 bytes with the `iconv` program, independently of the code under test.
    static func iconv(_ bytes: [UInt8], to encoding: String) throws -> [UInt8] {
        let directory = TemporaryDirectory()
        let input = directory.write("in.txt", bytes)
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

    /// Runs `cecert` as a child process and waits for it.
    static func runProcess(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        finish(try spawn(arguments, environment: environment))
    }
}

/// Draft applications and batch settings that CLI tests share.
enum WorkflowData {
    static let batchName = "2020年市直批次"

    /// Returns a JSON Lines draft with no submission and no review.
    static func draft(_ id: String, idNumber: String = "321204197101110326", name: String = "张三") -> String {
        #"{"application_id": "\#(id)", "batch": {"code": "2020-SZ-CE", "name": "\#(batchName)", "opens_on": "2020-03-27", "closes_on": "2020-05-29"}, "applicant": {"id_number": "\#(idNumber)", "name": "\#(name)", "phone": "18009883727", "email": "a@example.cn", "region": "市直", "work_unit": "泰州市人民医院"}, "acceptance_point": "市直—泰州市卫生健康委员会", "current_title": {"level": "junior", "name": "助理工程师", "obtained_on": "2015-07-01"}, "declaration": "junior_to_intermediate", "qualification_years": 4, "courses": [{"year": 2019, "category": "public", "title": "科学素养", "hours": 40, "source": "platform"}, {"year": 2018, "category": "public", "title": "法治", "hours": 40, "source": "platform"}, {"year": 2017, "category": "public", "title": "心理健康", "hours": 40, "source": "platform"}, {"year": 2016, "category": "public", "title": "诚信", "hours": 30, "source": "platform"}]}"#
    }

    static let idNumbers = ["321204197101110326", "11010519491231002X", "110105198001010016", "110105198001010024"]

    /// Creates a store with the 2020 市直 batch and the given drafts, each with its own applicant.
    static func store(in directory: TemporaryDirectory, drafts ids: [String]) throws -> String {
        let store = directory.path + "/cecert.sqlite"
        let added = CLI.run(["batches", "add", "2020-SZ-CE", "--name", batchName, "--opens", "2020-03-27", "--closes", "2020-05-29",
                             "--region", "市直", "--store", store])
        try #require(added.status == 0, "\(added.errorOutput)")
        let lines = ids.enumerated().map { draft($0.element, idNumber: idNumbers[$0.offset], name: "申请人\($0.offset)") }
        let file = directory.write("drafts.jsonl", lines.joined(separator: "\n") + "\n")
        let imported = CLI.run(["import", file, "--store", store])
        try #require(imported.status == 0, "\(imported.errorOutput)")
        return store
    }
}
