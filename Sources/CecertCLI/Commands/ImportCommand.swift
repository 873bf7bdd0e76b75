import CecertCore
import CecertStore
import Foundation

/// `cecert import FILE.jsonl`: loads the platform's export into the store.
enum ImportCommand: Subcommand {
    static let name = "import"
    static let summary = "Load applications from the platform's JSON Lines export; unchanged records are skipped"
    static let usage = "FILE.jsonl [--store PATH]"
    static let options: Set<String> = []
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 1, let path = arguments.positionals.first else {
            throw UsageError("give exactly one file to import")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CecertError(.io, "cannot read \(path)")
        }
        let decoder = ApplicationDecoder(limits: ValidationLimits(maximumCourseHours: Hours(context.configuration.maximumCourseHours)))
        var report = ImportReport()
        var records: [(line: Int, application: Application)] = []
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            do {
                records.append((index + 1, try decoder.decode(line: index + 1, text: Substring(trimmed))))
            } catch {
                report.errors.append(error)
            }
        }
        let store = try ReviewStore(path: context.configuration.store)
        defer { store.close() }
        try store.importApplications(records, into: &report)

        for error in report.errors.sorted(by: { $0.line < $1.line }) {
            context.errorOutput("invalid: \(error)")
        }
        for notice in report.ignoredCourses {
            context.errorOutput("ignored: \(notice)")
        }
        context.output("imported \(path): \(report.inserted) new, \(report.updated) updated, \(report.unchanged) unchanged, \(report.errors.count) invalid")
        return report.errors.isEmpty ? CecertCommand.ExitStatus.success : CecertCommand.ExitStatus.partial
    }
}
