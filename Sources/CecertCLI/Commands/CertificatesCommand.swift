import CecertCore
import CecertStore

/// `cecert certificates [--limit N]`: issued certificates with their state and verification URL.
enum CertificatesCommand: Subcommand {
    static let name = "certificates"
    static let summary = "List issued certificates: number, state, application and verification URL"
    static let usage = "[--limit N] [--store PATH]"
    static let options: Set<String> = ["limit"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected argument \(arguments.positionals[0])") }
        let limit = try arguments.integer("limit") ?? Int.max
        guard limit >= 0 else { throw UsageError("--limit must be 0 or more, not \(limit)") }
        let store = try ReviewStore(path: context.configuration.store, mustExist: true)
        defer { store.close() }
        for number in try store.allCertificateNumbers().prefix(limit) {
            guard let stored = try store.certificate(number: number) else { continue }
            let url = (try? CertificateRecord.decode(canonicalJSON: stored.recordJSON))?.facts.verifyURL ?? "(unreadable record)"
            context.output("\(number)  \(stored.state.rawValue)  \(stored.applicationID)  \(url)")
        }
        return CecertCommand.ExitStatus.success
    }
}
