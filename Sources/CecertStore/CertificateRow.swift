import CecertCore
import Foundation

/// The columns of one certificate row that verification reads, lent to a closure without copying.
///
/// Lifetime: every buffer points into SQLite's current row and is valid only until the closure that
/// received the row returns. Copy what must outlive it, for example with `storedCertificate()`.
public struct CertificateRow {
    public let number: UnsafeRawBufferPointer
    public let verificationCode: UnsafeRawBufferPointer
    public let applicationID: UnsafeRawBufferPointer
    /// The canonical JSON that was signed, exactly as stored.
    public let recordJSON: UnsafeRawBufferPointer
    public let signature: UnsafeRawBufferPointer
    public let keyID: UnsafeRawBufferPointer
    /// The columns that revocation, reinstatement and supersession change without a new signature.
    public let lifecycle: Lifecycle
    public let issuedAt: UnsafeRawBufferPointer

    /// The lifecycle columns of a row, each nil for SQL NULL.
    public struct Lifecycle {
        public let state: UnsafeRawBufferPointer?
        public let revokedAt: UnsafeRawBufferPointer?
        public let revocationReason: UnsafeRawBufferPointer?
        public let supersededBy: UnsafeRawBufferPointer?
    }

    /// Copies the row into a `StoredCertificate`.
    public func storedCertificate() -> StoredCertificate {
        let state = lifecycle.state.map(Self.text).flatMap(CertificateState.init(rawValue:)) ?? .valid
        return StoredCertificate(number: Self.text(number), verificationCode: Self.text(verificationCode),
                                 applicationID: Self.text(applicationID), recordJSON: Array(recordJSON),
                                 signature: Array(signature), keyID: Self.text(keyID), state: state,
                                 revokedAt: lifecycle.revokedAt.map(Self.text).flatMap(Timestamp.parse),
                                 revocationReason: lifecycle.revocationReason.map(Self.text),
                                 issuedAt: Timestamp.parse(Self.text(issuedAt)) ?? Date(timeIntervalSince1970: 0))
    }

    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// A copy of a row's lifecycle columns, to tell whether the row has changed since it was read.
public struct CertificateLifecycleSnapshot: Sendable, Hashable {
    public let state: [UInt8]?
    public let revokedAt: [UInt8]?
    public let revocationReason: [UInt8]?
    public let supersededBy: [UInt8]?

    public init(_ lifecycle: CertificateRow.Lifecycle) {
        state = lifecycle.state.map { Array($0) }
        revokedAt = lifecycle.revokedAt.map { Array($0) }
        revocationReason = lifecycle.revocationReason.map { Array($0) }
        supersededBy = lifecycle.supersededBy.map { Array($0) }
    }

    /// True when every lifecycle column of `lifecycle` is byte-identical to this copy, NULL only to NULL.
    public func matches(_ lifecycle: CertificateRow.Lifecycle) -> Bool {
        CertificateRow.bytes(lifecycle.state, equal: state) && CertificateRow.bytes(lifecycle.revokedAt, equal: revokedAt)
            && CertificateRow.bytes(lifecycle.revocationReason, equal: revocationReason)
            && CertificateRow.bytes(lifecycle.supersededBy, equal: supersededBy)
    }
}

extension CertificateRow {
    /// True when a column's bytes equal `array`. A NULL column (nil) equals only nil.
    public static func bytes(_ column: UnsafeRawBufferPointer?, equal array: [UInt8]?) -> Bool {
        switch (column, array) {
        case (nil, nil): true
        case let (column?, array?): bytes(column, equal: array)
        default: false
        }
    }

    public static func bytes(_ column: UnsafeRawBufferPointer, equal array: [UInt8]) -> Bool {
        guard column.count == array.count else { return false }
        guard let start = column.baseAddress, !array.isEmpty else { return true }
        return array.withUnsafeBytes { memcmp(start, $0.baseAddress!, column.count) == 0 }
    }

    public static func bytes(_ column: UnsafeRawBufferPointer, equal text: String) -> Bool {
        guard column.count == text.utf8.count else { return false }
        // A native string has contiguous UTF-8, so memcmp can compare it in place of a generic element loop.
        let contiguous = text.utf8.withContiguousStorageIfAvailable { utf8 in
            utf8.isEmpty || memcmp(column.baseAddress!, utf8.baseAddress!, utf8.count) == 0
        }
        return contiguous ?? column.elementsEqual(text.utf8)
    }
}

// MARK: - Reading

extension ReviewStore {
    static let certificateRowSQL = """
        SELECT number, verification_code, application_id, record_json, signature, key_id, state, revoked_at,
            revocation_reason, superseded_by, issued_at FROM certificates WHERE verification_code = ?
        """

    /// Reads the certificate with `verificationCode` and lends its row to `body`, or nil when there is none.
    ///
    /// The row is read in one step, so all its columns come from one snapshot of the store.
    public func withCertificateRow<T>(verificationCode: String, _ body: (CertificateRow?) throws -> T) throws -> T {
        let statement = try connection.statement(Self.certificateRowSQL)
        defer { statement.reset() }
        try statement.bind([.text(verificationCode)])
        guard try statement.step() else { return try body(nil) }

        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let row = CertificateRow(
            number: statement.columnBytes(0) ?? empty, verificationCode: statement.columnBytes(1) ?? empty,
            applicationID: statement.columnBytes(2) ?? empty, recordJSON: statement.columnBytes(3) ?? empty,
            signature: statement.columnBytes(4) ?? empty, keyID: statement.columnBytes(5) ?? empty,
            lifecycle: CertificateRow.Lifecycle(state: statement.columnBytes(6), revokedAt: statement.columnBytes(7),
                                                revocationReason: statement.columnBytes(8),
                                                supersededBy: statement.columnBytes(9)),
            issuedAt: statement.columnBytes(10) ?? empty)
        return try body(row)
    }
}

extension StoreDirectory {
    /// Reads the certificate with `verificationCode` on a pooled connection and lends its row to `body`.
    ///
    /// `body` runs while the connection is borrowed, so it should only compare or copy the row.
    public func withCertificateRow<T>(verificationCode: String, _ body: (CertificateRow?) throws -> T) throws -> T {
        try withStore { try $0.withCertificateRow(verificationCode: verificationCode, body) }
    }
}
