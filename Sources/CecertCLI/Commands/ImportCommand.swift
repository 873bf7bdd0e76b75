import CecertCore
import CecertStore
import Foundation

/// `cecert import FILE.jsonl|FILE.csv`: loads the platform's export into the store.
enum ImportCommand: Subcommand {
    static let name = "import"
    static let summary = "Load applications from the platform's JSON Lines or CSV export; unchanged records are skipped"
    static let usage = """
        FILE.jsonl|FILE.csv [--store PATH]

        A .csv file is the spreadsheet export, UTF-8 (with or without BOM) or GB18030, one row per course.
        Its 批次 must name a batch added with `cecert batches add`. 预审结果/预审人/预审时间 and
        终审结果/终审人/终审时间 hold the last decision of each stage; optional 预审意见, 终审意见 and
        提交时间 columns carry comments and the submission time.
        """
    static let options: Set<String> = []
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 1, let path = arguments.positionals.first else {
            throw UsageError("give exactly one file to import")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw CecertError(.io, "cannot read \(path): \(error.localizedDescription)")
        }
        let decoder = ApplicationDecoder(limits: ValidationLimits(maximumCourseHours: Hours(context.configuration.maximumCourseHours)))
        var report = ImportReport()
        if path.lowercased().hasSuffix(".csv") {
            return try importCSV(path, bytes: Array(data), decoder: decoder, context: context)
        }
        let store = try ReviewStore(path: context.configuration.store)
        defer { store.close() }
        try importJSONLines(data, decoder: decoder, store: store, report: &report)
        return finish(path, report: report, context: context)
    }

    /// Decodes each line and writes the valid ones in chunks, each chunk in its own transaction, so memory
    /// stays flat on a large export. Re-importing after an interruption is safe because unchanged records
    /// are skipped.
    static func importJSONLines(_ data: Data, decoder: ApplicationDecoder, store: ReviewStore,
                                report: inout ImportReport) throws {
        let chunkSize = 500
        var records: [(line: Int, application: Application)] = []
        var firstLine: [String: Int] = [:]
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]

        for (index, lineBytes) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard let line = String(validating: lineBytes, as: UTF8.self) else {
                report.errors.append(RecordError(line: number, applicationID: nil, field: "(line)", message: "is not valid UTF-8"))
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }

            do {
                let application = try decoder.decode(line: number, text: Substring(trimmed))
                if let earlier = firstLine[application.id] {
                    report.errors.append(RecordError(line: number, applicationID: application.id, field: "application_id",
                                                     message: "appears again after line \(earlier); each application has one line"))
                    continue
                }
                firstLine[application.id] = number
                records.append((number, application))
            } catch {
                report.errors.append(error)
            }

            if records.count >= chunkSize {
                try store.importApplications(records, into: &report)
                records.removeAll(keepingCapacity: true)
            }
        }
        try store.importApplications(records, into: &report)
    }

    static func importCSV(_ path: String, bytes: [UInt8], decoder: ApplicationDecoder, context: CommandContext) throws -> Int32 {
        let (text, encoding) = try TextEncoding.decode(bytes)
        context.logger.debug("Read CSV export", metadata: ["file.path": path, "file.encoding": encoding.rawValue])
        let store = try ReviewStore(path: context.configuration.store)
        defer { store.close() }
        var batches: [String: Batch?] = [:]
        let csv = CSVApplicationDecoder(limits: decoder.limits)
        var lookupError: (any Error)?
        let result = try csv.decode(text) { code in
            if let cached = batches[code] { return cached }
            do {
                let batch = try store.batchConfiguration(code: code)?.batch
                batches[code] = batch
                return batch
            } catch {
                lookupError = error
                return nil
            }
        }
        if let lookupError { throw lookupError }
        var report = ImportReport()
        report.errors = result.errors
        try store.importApplications(result.records, into: &report)
        return finish(path, report: report, context: context)
    }

    static func finish(_ path: String, report: ImportReport, context: CommandContext) -> Int32 {
        for error in report.errors.sorted(by: { $0.line < $1.line }) {
            context.errorOutput("invalid: \(error)")
        }
        for notice in report.certifiedChanges {
            context.errorOutput("notice: \(notice)")
        }
        for notice in report.ignoredCourses {
            context.errorOutput("ignored: \(notice)")
        }
        context.output("imported \(path): \(report.inserted) new, \(report.updated) updated, \(report.unchanged) unchanged, \(report.errors.count) invalid")
        return report.errors.isEmpty ? CecertCommand.ExitStatus.success : CecertCommand.ExitStatus.partial
    }
}
