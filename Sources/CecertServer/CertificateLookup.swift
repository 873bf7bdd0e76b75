import CecertCore
import CecertStore
import Synchronization

/// Verification for the server: the core `Verifier` plus two caches that keep repeat lookups cheap.
///
/// Every lookup reads the certificate row from the store, so a revocation or reinstatement shows on
/// the next request. Public keys are cached by key id, and a verified record is reused only while
/// the stored record bytes, signature and key id are byte-identical to those that were verified.
final class CertificateLookup: Sendable {
    let directory: StoreDirectory
    /// The store with public keys cached, which the per-request `Verifier` reads.
    let keyDirectory: KeyCachingDirectory
    private let maxCachedPerShard: Int
    private let shards: [LockedValue<[String: VerifiedRecord]>]

    /// A record whose signature has been checked, with the bytes it was checked against.
    struct VerifiedRecord {
        var recordJSON: [UInt8]
        var signature: [UInt8]
        var keyID: String
        var record: CertificateRecord
        var rendering: FactsRendering
    }

    /// A verification outcome with the rendering of its facts, which is nil when the record is unverified
    /// or the cache is turned off.
    struct Result {
        var outcome: VerificationOutcome
        var rendering: FactsRendering?
    }

    init(directory: StoreDirectory, cacheSize: Int, shardCount: Int = 16) {
        self.directory = directory
        self.keyDirectory = KeyCachingDirectory(store: directory)
        self.maxCachedPerShard = cacheSize / shardCount
        self.shards = (0..<shardCount).map { _ in LockedValue([:]) }
    }

    /// Verifies a code as typed or scanned; malformed input never reaches the store.
    ///
    /// - Parameter logger: The request's logger, which records a failed signature check as an error.
    func verify(code raw: String, logger: @autoclosure () -> Logger) throws -> Result {
        guard let code = VerificationCode.normalize(raw) else { return Result(outcome: .malformed) }
        guard let stored = try directory.certificate(verificationCode: code) else { return Result(outcome: .notFound) }
        return try verified(stored, logger: logger())
    }

    /// Checks a stored certificate, reusing an earlier signature check of the same bytes.
    func outcome(for stored: StoredCertificate, logger: @autoclosure () -> Logger) throws -> VerificationOutcome {
        try verified(stored, logger: logger()).outcome
    }

    private func verified(_ stored: StoredCertificate, logger: @autoclosure () -> Logger) throws -> Result {
        let shard = shards[Int(UInt(bitPattern: stored.number.hashValue) % UInt(shards.count))]
        let cached = shard.withLock { $0[stored.number] }
        if let cached, cached.keyID == stored.keyID, cached.signature == stored.signature,
           cached.recordJSON == stored.recordJSON {
            return Result(outcome: Self.outcome(record: cached.record, stored: stored), rendering: cached.rendering)
        }

        let outcome = try Verifier(directory: keyDirectory, logger: logger()).outcome(for: stored)
        guard maxCachedPerShard > 0, let record = outcome.record else { return Result(outcome: outcome) }
        let entry = VerifiedRecord(recordJSON: stored.recordJSON, signature: stored.signature,
                                   keyID: stored.keyID, record: record, rendering: FactsRendering(facts: record.facts))
        shard.withLock { entries in
            // Dropping the whole shard when full is crude but bounded, and a miss costs one signature check.
            if entries.count >= maxCachedPerShard { entries.removeAll(keepingCapacity: true) }
            entries[stored.number] = entry
        }
        return Result(outcome: outcome, rendering: entry.rendering)
    }

    /// Builds the outcome for a verified record in its current stored state, as `Verifier.outcome(for:)` does.
    static func outcome(record: CertificateRecord, stored: StoredCertificate) -> VerificationOutcome {
        switch stored.state {
        case .valid: .valid(record)
        case .revoked: .revoked(record, at: stored.revokedAt, reason: stored.revocationReason)
        case .superseded: .superseded(record)
        }
    }
}

extension VerificationOutcome {
    /// The signed record, for the outcomes that have one.
    var record: CertificateRecord? {
        switch self {
        case let .valid(record), let .revoked(record, _, _), let .superseded(record): record
        case .notFound, .malformed, .tampered: nil
        }
    }
}

/// A `CertificateDirectory` that remembers public keys once read; an unknown key id is read again every time.
///
/// The store never rewrites a registered key (`registerPublicKey` ignores a repeated key id), so the
/// cached key is the one first read. A key edited behind the store's back is not seen until a restart.
final class KeyCachingDirectory: CertificateDirectory {
    let store: StoreDirectory
    private let keys = Mutex<[String: [UInt8]]>([:])

    init(store: StoreDirectory) {
        self.store = store
    }

    func certificate(verificationCode: String) throws -> StoredCertificate? {
        try store.certificate(verificationCode: verificationCode)
    }

    func certificate(number: String) throws -> StoredCertificate? {
        try store.certificate(number: number)
    }

    func publicKey(keyID: String) throws -> [UInt8]? {
        if let key = keys.withLock({ $0[keyID] }) { return key }
        guard let key = try store.publicKey(keyID: keyID) else { return nil }
        keys.withLock { $0[keyID] = key }
        return key
    }
}
