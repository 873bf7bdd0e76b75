import CecertCore
import Foundation

/// A subcommand of `cecert`.
protocol Subcommand: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var options: Set<String> { get }
    static var flags: Set<String> { get }
    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32
}

/// Everything a subcommand needs from its environment; tests pass their own streams and logger.
struct CommandContext {
    var configuration: Configuration
    var logger: Logger
    var output: (String) -> Void
    var errorOutput: (String) -> Void
}

/// The `cecert` command line: lists the subcommands and dispatches to them.
///
/// Exit statuses: 0 success, 1 failure, 2 usage error, 3 finished with some records reported as invalid or refused.
public enum CecertCommand {
    static let subcommands: [any Subcommand.Type] = [
        ImportCommand.self, BatchesCommand.self, ApplicationsCommand.self, ApplicantsCommand.self, IssueCommand.self,
        PrintCommand.self,
        CertificatesCommand.self, RevokeCommand.self, ReinstateCommand.self, ReissueCommand.self, ServeCommand.self,
        KeysCommand.self,
    ]

    public enum ExitStatus {
        public static let success: Int32 = 0
        public static let failure: Int32 = 1
        public static let usage: Int32 = 2
        public static let partial: Int32 = 3
    }

    /// Runs `cecert` with `arguments` (without the program name) and returns the exit status.
    public static func main(_ arguments: [String], output: @escaping (String) -> Void = { StandardStreams.writeLine($0, to: STDOUT_FILENO) },
                            errorOutput: @escaping (String) -> Void = { StandardStreams.writeLine($0, to: STDERR_FILENO) },
                            logSink: Logger.Sink = .standardError) -> Int32 {
        guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
            output(help)
            return arguments.isEmpty ? ExitStatus.usage : ExitStatus.success
        }
        guard let command = subcommands.first(where: { $0.name == name }) else {
            errorOutput("error: unknown command \(name)\n\n\(help)")
            return ExitStatus.usage
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            output("usage: cecert \(command.name) \(command.usage)\n\n\(command.summary)")
            return ExitStatus.success
        }
        do {
            let parsed = try ParsedArguments(rest, options: command.options.union(Configuration.commonOptions).union(["log-level"]),
                                             flags: command.flags)
            var configuration = try Configuration.load(path: parsed.option("config"))
            try configuration.apply(parsed)
            var logger = Logger(label: "cecert", sink: logSink)
            if let levelName = parsed.option("log-level") {
                guard let level = Logger.Level(name: levelName) else { throw UsageError("unknown log level \(levelName)") }
                logger.logLevel = level
            }
            let context = CommandContext(configuration: configuration, logger: logger, output: output, errorOutput: errorOutput)
            let failedBefore = StandardStreams.failedWrites
            let status = try command.run(parsed, context: context)
            // A report or log line that could not be written (a full disk, a closed pipe) fails the command,
            // so a script never takes lost output for success. The command's own work is done by then.
            if StandardStreams.failedWrites > failedBefore && status == ExitStatus.success {
                errorOutput("error: standard output or standard error could not be written; the \(name) command itself finished")
                return ExitStatus.failure
            }
            return status
        } catch let error as UsageError {
            errorOutput("error: \(error.message)\nusage: cecert \(command.name) \(command.usage)")
            return ExitStatus.usage
        } catch let error as CecertError {
            errorOutput("error: \(error.description)")
            return ExitStatus.failure
        } catch {
            errorOutput("error: \(error)")
            return ExitStatus.failure
        }
    }

    static var help: String {
        var lines = ["usage: cecert <command> [options]", "", "Issues and verifies continuing-education certificates.", "", "Commands:"]
        for command in subcommands {
            lines.append("  " + command.name.padding(toLength: 14, withPad: " ", startingAt: 0) + command.summary)
        }
        lines += ["", "Options for every command:",
                  "  --config FILE     JSON settings (store, certificates_directory, base_url, issuer, area_code, ...)",
                  "  --store PATH      SQLite store file (default var/cecert.sqlite)",
                  "  --out DIR         folder of issued PDFs (default var/certificates)",
                  "  --keys DIR        folder of private signing keys (default var/keys)",
                  "  --base-url URL    prefix of verification URLs (default http://127.0.0.1:8080)",
                  "  --log-level NAME  trace, debug, info, notice, warning or error (default info)",
                  "", "Run `cecert <command> --help` for a command's own options."]
        return lines.joined(separator: "\n")
    }
}
