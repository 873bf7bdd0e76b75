import CecertCore
import Foundation

/// The reason category of a revocation. The verification page shows the category, and the comment
/// stays internal.
public enum RevocationReason: String, Sendable, CaseIterable {
    /// Issued on wrong facts (信息有误).
    case error
    /// Obtained by false declaration (弄虚作假).
    case fraud
    /// Issued twice for one declaration (重复发放).
    case duplicate
    /// Withdrawn at the holder's request (本人申请撤回).
    case withdrawn
    case other

    public var chinese: String {
        switch self {
        case .error: "信息有误"
        case .fraud: "弄虚作假"
        case .duplicate: "重复发放"
        case .withdrawn: "本人申请撤回"
        case .other: "其他"
        }
    }
}

extension ReviewStore {
    /// Revokes a valid certificate and appends an audit event, in one transaction.
    /// - Throws: `CecertError(.notFound)` for an unknown number, `.conflict` when it is not valid.
    public func revoke(number: String, reason: RevocationReason, comment: String, actor: String, at: Date = Date()) throws {
        try connection.withTransaction {
            let stored = try requireCertificate(number)
            guard stored.state == .valid else {
                throw CecertError(.conflict, "certificate \(number) is \(stored.state.rawValue); only a valid certificate can be revoked")
            }
            try connection.run("""
                UPDATE certificates SET state = 'revoked', revoked_at = ?, revocation_reason = ?, revocation_comment = ?
                WHERE number = ? AND state = 'valid'
                """, [.text(Timestamp.format(at)), .text(reason.rawValue), .text(comment), .text(number)])
            try recordEvent(actor: actor, action: "revoke", subject: number, detail: "\(reason.rawValue): \(comment)", at: at)
        }
    }

    /// Makes a revoked certificate valid again and appends an audit event, in one transaction.
    public func reinstate(number: String, actor: String, at: Date = Date()) throws {
        try connection.withTransaction {
            let stored = try requireCertificate(number)
            guard stored.state == .revoked else {
                throw CecertError(.conflict, "certificate \(number) is \(stored.state.rawValue); only a revoked certificate can be reinstated")
            }
            try connection.run("""
                UPDATE certificates SET state = 'valid', revoked_at = NULL, revocation_reason = NULL, revocation_comment = NULL
                WHERE number = ?
                """, [.text(number)])
            try recordEvent(actor: actor, action: "reinstate", subject: number, at: at)
        }
    }

    /// Marks a certificate as superseded by `replacement`; the caller inserts the replacement in the
    /// same transaction.
    public func markSuperseded(number: String, by replacement: String?) throws {
        try connection.run("UPDATE certificates SET state = 'superseded', superseded_by = ? WHERE number = ?",
                           [.optionalText(replacement), .text(number)])
    }

    /// Counts the certificates an application has had, superseded ones included.
    public func certificateCount(applicationID: String) throws -> Int {
        try connection.queryRow("SELECT COUNT(*) AS n FROM certificates WHERE application_id = ?", [.text(applicationID)])?.int("n") ?? 0
    }

    /// Audit events about one subject, oldest first, as `(at, actor, action, detail)`.
    public func events(subject: String) throws -> [(at: String, actor: String, action: String, detail: String)] {
        try connection.query("SELECT at, actor, action, detail FROM events WHERE subject = ? ORDER BY rowid", [.text(subject)]).map {
            ($0.text("at") ?? "", $0.text("actor") ?? "", $0.text("action") ?? "", $0.text("detail") ?? "")
        }
    }

    func requireCertificate(_ number: String) throws -> StoredCertificate {
        guard let stored = try certificate(number: number) else {
            throw CecertError(.notFound, "certificate \(number) was not issued")
        }
        return stored
    }
}

// MARK: - Templates

extension ReviewStore {
    /// Returns the template file that certificates of `version` were issued with, if any was recorded.
    public func templateSource(version: String) throws -> (sha256: String, content: [UInt8])? {
        guard let row = try connection.queryRow("SELECT sha256, content FROM templates WHERE version = ?", [.text(version)]) else {
            return nil
        }
        return (row.text("sha256") ?? "", row.blob("content") ?? [])
    }

    /// Records the bytes of a template version the first time a certificate uses it.
    /// - Throws: `CecertError(.configuration)` when the version was recorded with other bytes, because a
    ///   released template is never edited: a changed layout is a new version.
    public func recordTemplate(version: String, content: [UInt8], fileName: String) throws {
        let digest = Sodium.sha256Hex(content)
        if let stored = try templateSource(version: version) {
            guard stored.sha256 == digest else {
                throw CecertError(.configuration, "\(fileName) differs from template version \(version) as certificates were issued with it; restore the file and put a changed layout in a new version")
            }
            return
        }
        try connection.run("INSERT INTO templates (version, sha256, content, recorded_at) VALUES (?, ?, ?, ?)",
                           [.text(version), .text(digest), .blob(content), .text(Timestamp.format(Date()))])
    }
}

// MARK: - Applicants

extension ReviewStore {
    /// Corrects an applicant's name and appends an audit event, in one transaction. Issued certificates
    /// keep the name they were issued with until they are reissued.
    /// - Returns: the current certificates of the applicant's applications, which a reissue would correct.
    /// - Throws: `CecertError(.notFound)` for an unknown ID number.
    @discardableResult
    public func renameApplicant(idNumber: String, to name: String, reason: String, actor: String, at: Date = Date()) throws -> [String] {
        try connection.withTransaction {
            guard let row = try connection.queryRow("SELECT name FROM applicants WHERE id_number = ?", [.text(idNumber)]) else {
                throw CecertError(.notFound, "no applicant has the ID number \(IDNumber.mask(idNumber))")
            }
            let old = row.text("name") ?? ""
            try connection.run("UPDATE applicants SET name = ? WHERE id_number = ?", [.text(name), .text(idNumber)])
            try recordEvent(actor: actor, action: "applicant.rename", subject: IDNumber.mask(idNumber),
                            detail: "\(old) → \(name): \(reason)", at: at)
            return try connection.query("""
                SELECT c.number FROM certificates c JOIN applications a ON a.id = c.application_id
                WHERE a.applicant_id = ? AND c.state = 'valid' ORDER BY c.number
                """, [.text(idNumber)]).compactMap { $0.text("number") }
        }
    }
}
