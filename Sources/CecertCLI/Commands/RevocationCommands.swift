import CecertCore
import CecertStore
import Foundation

/// Parses a typed certificate number, or throws an error that shows the expected shape.
func parseCertificateNumber(_ arguments: ParsedArguments) throws -> CertificateNumber {
    guard arguments.positionals.count == 1, let typed = arguments.positionals.first else {
        throw UsageError("give exactly one certificate number")
    }
    guard let number = CertificateNumber(parsing: typed) else {
        throw CecertError(.invalidInput, "\(typed) is not a certificate number such as 321200-2020-000123-K (check the last character)")
    }
    return number
}

/// Returns the person a change is recorded against: `--actor`, else the login name.
func actorName(_ arguments: ParsedArguments) -> String {
    arguments.option("actor") ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
}

/// `cecert revoke NUMBER --reason CATEGORY --comment TEXT`.
enum RevokeCommand: Subcommand {
    static let name = "revoke"
    static let summary = "Revoke a certificate; the verification service shows it as revoked from the next request"
    static let usage = "NUMBER --reason \(RevocationReason.allCases.map(\.rawValue).joined(separator: "|")) --comment TEXT [--actor NAME]"
    static let options: Set<String> = ["reason", "comment", "actor"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let number = try parseCertificateNumber(arguments)
        guard let reasonName = arguments.option("reason") else { throw UsageError("--reason is required") }
        guard let reason = RevocationReason(rawValue: reasonName) else {
            throw UsageError("unknown reason \(reasonName); use one of \(RevocationReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let comment = arguments.option("comment"), !comment.isEmpty else { throw UsageError("--comment is required") }
        let store = try ReviewStore(path: context.configuration.store, mustExist: true)
        defer { store.close() }
        let actor = actorName(arguments)
        try store.revoke(number: number.description, reason: reason, comment: comment, actor: actor)
        context.logger.notice("Certificate revoked", metadata: ["cert.number": number.description, "revocation.reason": reason.rawValue,
                                                                "actor": actor])
        context.output("revoked \(number) (\(reason.chinese))")
        return CecertCommand.ExitStatus.success
    }
}

/// `cecert reinstate NUMBER`.
enum ReinstateCommand: Subcommand {
    static let name = "reinstate"
    static let summary = "Make a revoked certificate valid again"
    static let usage = "NUMBER [--actor NAME]"
    static let options: Set<String> = ["actor"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let number = try parseCertificateNumber(arguments)
        let store = try ReviewStore(path: context.configuration.store, mustExist: true)
        defer { store.close() }
        let actor = actorName(arguments)
        try store.reinstate(number: number.description, actor: actor)
        context.logger.notice("Certificate reinstated", metadata: ["cert.number": number.description, "actor": actor])
        context.output("reinstated \(number)")
        return CecertCommand.ExitStatus.success
    }
}

/// `cecert reissue NUMBER --reason TEXT`: a corrected certificate from the current data.
enum ReissueCommand: Subcommand {
    static let name = "reissue"
    static let summary = "Issue a corrected certificate from current data; the old one then verifies as superseded"
    static let usage = "NUMBER --reason TEXT [--actor NAME]"
    static let options: Set<String> = ["reason", "actor"]
    static let flags: Set<String> = []

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let number = try parseCertificateNumber(arguments)
        guard let reason = arguments.option("reason"), !reason.isEmpty else { throw UsageError("--reason is required") }
        let configuration = context.configuration
        let store = try ReviewStore(path: configuration.store, mustExist: true)
        defer { store.close() }
        let old = try store.certificate(number: number.description)
        guard let old else { throw CecertError(.notFound, "certificate \(number) was not issued") }
        guard old.state != .superseded else {
            throw CecertError(.conflict, "certificate \(number) is already superseded; reissue its current certificate instead")
        }
        guard old.state != .revoked else {
            throw CecertError(.conflict, "certificate \(number) is revoked, and a reissue would hide the revocation; reinstate it first if the revocation was a mistake")
        }
        // The replacement keeps the old certificate's verification host unless --base-url names another,
        // so a reissue without the original --config never points its QR code elsewhere.
        var reissueConfiguration = configuration
        if arguments.option("base-url") == nil,
           let oldURL = try? CertificateRecord.decode(canonicalJSON: old.recordJSON).facts.verifyURL,
           let range = oldURL.range(of: "/v/", options: .backwards) {
            reissueConfiguration.baseURL = String(oldURL[..<range.lowerBound])
        }
        let issuer = try IssueCommand.makeIssuer(reissueConfiguration, store: store, logger: context.logger)
        try issuer.recordCurrentTemplate()
        let actor = actorName(arguments)
        let item = try store.connection.withTransaction {
            try store.markSuperseded(number: number.description, by: nil)
            guard let item = try issuer.issueOne(old.applicationID) else {
                throw CecertError(.conflict, "application \(old.applicationID) got another certificate meanwhile")
            }
            try store.markSuperseded(number: number.description, by: item.number)
            try store.recordEvent(actor: actor, action: "reissue", subject: number.description, detail: "\(item.number): \(reason)")
            return item
        }
        try issuer.files.publish(temporary: item.temporary, number: item.number)
        context.logger.notice("Certificate reissued", metadata: ["cert.number": number.description, "cert.replacement": item.number,
                                                                 "actor": actor])
        context.output("reissued \(number) as \(item.number); the old certificate now verifies as superseded")
        return CecertCommand.ExitStatus.success
    }
}
