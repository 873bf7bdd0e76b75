import CecertCore
import CecertRender
import CecertStore
import Foundation

extension CertificateRenderer: CertificateRendering {}

/// `cecert issue [--batch CODE]`: certificates for every eligible application that has none.
enum IssueCommand: Subcommand {
    static let name = "issue"
    static let summary = "Issue certificates for final-approved applications that meet the hour rules"
    static let usage = """
        [--batch CODE] [--jobs N] [--store PATH] [--out DIR] [--keys DIR] [--base-url URL]
          --jobs N  render on N threads (default: the number of processors)
        """
    static let options: Set<String> = ["batch", "jobs"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let configuration = context.configuration
        let store = try ReviewStore(path: configuration.store, mustExist: true)
        defer { store.close() }
        if let batch = arguments.option("batch"), try !store.batchExists(batch) {
            throw CecertError(.notFound, "batch \(batch) is not in the store; import its applications first")
        }
        let jobs = try arguments.integer("jobs") ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...64).contains(jobs) else { throw UsageError("--jobs must be 1 to 64, not \(jobs)") }
        var issuer = try makeIssuer(configuration, store: store, logger: context.logger, jobs: jobs)
        issuer.progress = { done, total in context.errorOutput("progress: \(done)/\(total) applications") }

        let started = Date()
        let report = try issuer.run(batch: arguments.option("batch"))
        for refusal in report.refused {
            context.errorOutput("refused: application \(refusal.applicationID): \(refusal.reason)")
        }
        if report.recovered > 0 {
            context.errorOutput("recovered: wrote \(report.recovered) missing certificate files again from their snapshots")
        }
        let seconds = Date().timeIntervalSince(started)
        context.output("issued \(report.issued.count) certificates, refused \(report.refused.count), in \(String(format: "%.2f", seconds)) s; files in \(configuration.certificatesDirectory)")
        return report.refused.isEmpty ? CecertCommand.ExitStatus.success : CecertCommand.ExitStatus.partial
    }

    /// Makes an issuer over `store` with the configured renderers, signing key (created on first use) and folder.
    static func makeIssuer(_ configuration: Configuration, store: ReviewStore, logger: Logger, jobs: Int = 1) throws -> Issuer {
        let renderers: [any CertificateRendering] = try (0..<max(1, jobs)).map { _ in try makeRenderer(configuration, logger: logger) }
        let key = try KeyRing(directory: configuration.keysDirectory).activeKey(store: store, createIfMissing: true)
        return Issuer(
            store: store, renderers: renderers, files: try CertificateFiles(directory: configuration.certificatesDirectory),
            key: key,
            factsBuilder: FactsBuilder(baseURL: configuration.baseURL, issuer: configuration.issuer,
                                       licenceTypeCode: configuration.licenceTypeCode,
                                       issuerCreditCode: configuration.issuerCreditCode),
            areaCode: configuration.areaCode, groupSize: configuration.issueGroupSize,
            logger: logger)
    }

    static func makeRenderer(_ configuration: Configuration, logger: Logger) throws -> CertificateRenderer {
        try CertificateRenderer(configuration: RenderConfiguration(fontPath: configuration.fontPath,
                                                                   templatesDirectory: configuration.templatesDirectory),
                                logger: logger)
    }
}

/// `cecert print NUMBER [-o FILE]`: the certificate again, byte-identical to the first issue.
enum PrintCommand: Subcommand {
    static let name = "print"
    static let summary = "Write an issued certificate again, byte-identical, and record the print"
    static let usage = "NUMBER [-o FILE] [--store PATH]"
    static let options: Set<String> = ["output"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.count == 1, let typed = arguments.positionals.first else {
            throw UsageError("give exactly one certificate number")
        }
        guard let number = CertificateNumber(parsing: typed) else {
            throw CecertError(.invalidInput, "\(typed) is not a certificate number such as 321200-2020-000123-K (check the last character)")
        }
        let store = try ReviewStore(path: context.configuration.store, mustExist: true)
        defer { store.close() }
        guard let stored = try store.certificate(number: number.description) else {
            throw CecertError(.notFound, "certificate \(number) was not issued")
        }
        switch stored.state {
        case .revoked: throw CecertError(.revoked, "certificate \(number) is revoked and cannot be printed")
        case .superseded: throw CecertError(.revoked, "certificate \(number) was superseded by a corrected certificate and cannot be printed")
        case .valid: break
        }
        let renderer = try IssueCommand.makeRenderer(context.configuration, logger: context.logger)
        let pdf = try Reprint.render(stored, renderer: renderer, store: store)
        let path = arguments.option("output") ?? "\(number).pdf"
        // Each file in the certificates folder is named after its certificate, so a print must not replace another's.
        let folder = URL(fileURLWithPath: context.configuration.certificatesDirectory).standardizedFileURL.resolvingSymlinksInPath()
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        if target.deletingLastPathComponent().path == folder.path, target.lastPathComponent != "\(number).pdf" {
            throw CecertError(.invalidInput, "\(path) is in the certificates folder under another name; print to a file outside \(context.configuration.certificatesDirectory)")
        }
        // Through a temporary name, so a failed write never truncates or removes an existing file, such as
        // the issued PDF when the print goes to its own name in the certificates folder.
        try CertificateFiles.writeAtomically(pdf, to: path)
        try store.recordPrint(number: number.description, channel: "cli")
        context.output("printed \(number) to \(path)")
        return CecertCommand.ExitStatus.success
    }
}
