import Foundation
import Testing

/// Runs the built `cecert` executable as child processes.
struct ProcessTests {
    @Test func windowEdgesUnderLosAngelesZone() throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1", "A-2", "A-3", "A-4"])
        let cases: [(String, String, Int32)] = [
            ("A-1", "2020-03-27T00:00:00+08:00", 0),
            ("A-2", "2020-03-26T08:59:59-07:00", 1),
            ("A-3", "2020-05-29T08:59:59-07:00", 0),
            ("A-4", "2020-05-30T00:00:00+08:00", 1),
        ]
        for (id, at, status) in cases {
            let result = try CLI.runProcess(["applications", "submit", id, "--at", at, "--store", store],
                                            environment: ["TZ": "America/Los_Angeles"])
            #expect(result.status == status, "\(id) at \(at): \(result.errorOutput)")
            if status != 0 {
                #expect(result.errorOutput.contains("accepts submissions from 2020-03-27 00:00 to 2020-05-29 23:59:59 China time"))
            }
        }
        let show = try CLI.runProcess(["applications", "show", "A-3", "--store", store], environment: ["TZ": "America/Los_Angeles"])
        #expect(show.output.contains("  2020-05-29T23:59:59+08:00  submitted by cli"))
    }

    /// Foundation's FileHandle.write stopped the process (SIGILL) when standard output or error was full.
    @Test func fullStandardStreamsFailCleanly() throws {
        let (workspace, _) = try LifecycleTests.issuedWorkspace()
        for (stream, arguments) in [("output", ["certificates", "--limit", "1"]), ("error", ["issue", "--log-level", "debug"])] {
            let process = Process()
            process.executableURL = try CLI.executable
            process.arguments = arguments + workspace.commonArguments
            let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            let other = Pipe()
            if stream == "output" {
                process.standardOutput = full
                process.standardError = other
            } else {
                process.standardOutput = other
                process.standardError = full
            }
            try process.run()
            let captured = String(decoding: other.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit, "standard \(stream)")
            #expect(process.terminationStatus == 1, "standard \(stream): \(captured)")
            if stream == "output" {
                #expect(captured.contains("error: standard output or standard error could not be written; the certificates command itself finished"))
            } else {
                #expect(captured.hasPrefix("issued 0 certificates"))
            }
        }
    }

    @Test func concurrentDecisionsFromTwoProcesses() throws {
        let directory = TemporaryDirectory()
        let store = try WorkflowData.store(in: directory, drafts: ["A-1"])
        #expect(CLI.run(["applications", "submit", "A-1", "--at", "2020-05-04T09:00:00+08:00", "--store", store]).status == 0)
        let first = try CLI.spawn(["applications", "approve", "A-1", "--stage", "pre", "--reviewer", "甲", "--expect-version", "1",
                                   "--store", store])
        let second = try CLI.spawn(["applications", "return", "A-1", "--stage", "pre", "--reviewer", "乙", "--comment", "退回",
                                    "--expect-version", "1", "--store", store])
        let results = [CLI.finish(first), CLI.finish(second)]
        #expect(results.map(\.status).sorted() == [0, 1])
        let loser = try #require(results.first { $0.status == 1 })
        #expect(loser.errorOutput.hasPrefix("error: conflict: application A-1 was changed by someone else (version 1 is now 2"))

        let show = CLI.run(["applications", "show", "A-1", "--store", store])
        let decisions = show.output.split(separator: "\n").filter { $0.contains("pre-review (预审)") }
        #expect(decisions.count == 1)
        #expect(show.output.hasPrefix("application A-1  state pre_"))
    }
}
