import CecertCore
import CecertStore
import Synchronization

/// Verification for the server: the core `Verifier` plus caches that keep repeat lookups cheap.
///
/// Every lookup checks the store, so a revocation or reinstatement shows on the next request. Public keys
/// are cached by key id. A verified record is reused only while the stored number, record bytes,
/// signature and key id are byte-identical to those that were verified, and its rendered response bodies
/// only while the lifecycle columns are byte-identical as well.
final class CertificateLookup: Sendable {
    let directory: StoreDirectory
    /// The store with public keys cached, which the per-request `Verifier` reads.
    let keyDirectory: KeyCachingDirectory
    private let maxCachedPerShard: Int
    /// Verified records by verification code.
    private let shards: [LockedValue<[String: VerifiedRecord]>]

    /// A verification outcome with the rendering of its facts. The rendering is nil when the record is
    /// unverified, when the cache is turned off, and when the cached entry has dropped it for its bodies.
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

    /// Verifies a normalised code and returns the page and JSON bodies shown without a name or number.
    ///
    /// Bodies rendered earlier are reused while the whole row is byte-identical. While no change at all has been
    /// committed to the store since the row was last compared, the lookup skips reading the row, and otherwise
    /// it reads the row and compares it. A tampered record is checked and rendered on every call and never cached.
    /// - Returns: nil when no certificate has the code.
    func renderedVerification(code: String, logger: @autoclosure () -> Logger) throws -> RenderedVerification? {
        // Read before the row, so that a commit after the row read raises the generation above this value.
        let generation = try directory.changeGeneration()
        let shard = shard(for: code)
        let cached = shard.withLock { $0[code] }
        if let responses = cached?.responses,
           responses.comparedGeneration.load(ordering: .sequentiallyConsistent) == generation {
            return responses.rendered
        }

        let read = try directory.withCertificateRow(verificationCode: code) { row -> RowRead? in
            guard let row else { return nil }
            if let cached, cached.matchesSignedColumns(of: row), let responses = cached.responses,
               responses.lifecycle.matches(row.lifecycle) {
                responses.comparedGeneration.store(generation, ordering: .sequentiallyConsistent)
                return .unchanged(responses.rendered)
            }
            return .changed(row.storedCertificate(), CertificateLifecycleSnapshot(row.lifecycle))
        }

        switch read {
        case nil:
            return nil
        case let .unchanged(rendered):
            return rendered
        case let .changed(stored, lifecycle):
            let (outcome, entry) = try verify(stored, cached: cached, logger: logger())
            let rendered = RenderedVerification(VerificationView(outcome: outcome, rendering: entry?.rendering))
            if let entry {
                let responses = CachedResponses(lifecycle: lifecycle, rendered: rendered, comparedGeneration: generation)
                store(entry.adding(responses), for: code)
            }
            return rendered
        }
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

// MARK: - Cache entries

extension CertificateLookup {
    /// A record whose signature has been checked, with the bytes it was checked against.
    final class VerifiedRecord: Sendable {
        let number: String
        let recordJSON: [UInt8]
        let signature: [UInt8]
        let keyID: String
        let record: CertificateRecord
        /// The rendered facts, until `responses` are rendered. Those bodies contain the same bytes, so an entry
        /// with them drops the rendering to save memory, and a lookup with a name renders its fields afresh.
        let rendering: FactsRendering?
        /// The response bodies with the lifecycle columns they were rendered from, once a lookup rendered them.
        let responses: CachedResponses?

        init(stored: StoredCertificate, record: CertificateRecord, rendering: FactsRendering?,
             responses: CachedResponses? = nil) {
            number = stored.number
            recordJSON = stored.recordJSON
            signature = stored.signature
            keyID = stored.keyID
            self.record = record
            self.rendering = rendering
            self.responses = responses
        }

        private init(_ other: VerifiedRecord, responses: CachedResponses) {
            number = other.number
            recordJSON = other.recordJSON
            signature = other.signature
            keyID = other.keyID
            record = other.record
            rendering = nil
            self.responses = responses
        }

        /// Returns a copy of this entry with `responses` in place of any earlier ones and without `rendering`.
        func adding(_ responses: CachedResponses) -> VerifiedRecord {
            VerifiedRecord(self, responses: responses)
        }

        /// True when the number, record bytes, signature and key id are those that were verified.
        func matchesSignedColumns(of stored: StoredCertificate) -> Bool {
            stored.number == number && stored.keyID == keyID && stored.signature == signature
                && stored.recordJSON == recordJSON
        }

        func matchesSignedColumns(of row: CertificateRow) -> Bool {
            CertificateRow.bytes(row.number, equal: number) && CertificateRow.bytes(row.keyID, equal: keyID)
                && CertificateRow.bytes(row.signature, equal: signature)
                && CertificateRow.bytes(row.recordJSON, equal: recordJSON)
        }
    }

    /// Rendered bodies, valid for a row whose lifecycle columns equal `lifecycle`.
    final class CachedResponses: Sendable {
        let lifecycle: CertificateLifecycleSnapshot
        let rendered: RenderedVerification
        /// The `StoreDirectory.changeGeneration()` read before the latest row read that matched `lifecycle`
        /// and the entry's signed columns. Racing lookups may store an older value, which only costs a row read.
        let comparedGeneration: Atomic<UInt64>

        init(lifecycle: CertificateLifecycleSnapshot, rendered: RenderedVerification, comparedGeneration: UInt64) {
            self.lifecycle = lifecycle
            self.rendered = rendered
            self.comparedGeneration = Atomic(comparedGeneration)
        }
    }

    /// The result of one row read, copied out before the pooled connection is returned.
    private enum RowRead {
        case unchanged(RenderedVerification)
        case changed(StoredCertificate, CertificateLifecycleSnapshot)
    }

    private func shard(for code: String) -> LockedValue<[String: VerifiedRecord]> {
        shards[Int(UInt(bitPattern: code.hashValue) % UInt(shards.count))]
    }

    /// Checks a stored certificate's signature unless `cached` contains the same signed bytes.
    ///
    /// - Returns: The outcome, and the entry to cache for it, which is nil for a tampered record or when
    ///   the cache is turned off.
    private func verify(_ stored: StoredCertificate, cached: VerifiedRecord?,
                        logger: @autoclosure () -> Logger) throws -> (VerificationOutcome, VerifiedRecord?) {
        if let cached, cached.matchesSignedColumns(of: stored) {
            return (Self.outcome(record: cached.record, stored: stored), cached)
        }
        let outcome = try Verifier(directory: keyDirectory, logger: logger()).outcome(for: stored)
        guard maxCachedPerShard > 0, let record = outcome.record else { return (outcome, nil) }
        let entry = VerifiedRecord(stored: stored, record: record, rendering: FactsRendering(facts: record.facts))
        return (outcome, entry)
    }

    private func verified(_ stored: StoredCertificate, logger: @autoclosure () -> Logger) throws -> Result {
        let cached = shard(for: stored.verificationCode).withLock { $0[stored.verificationCode] }
        let (outcome, entry) = try verify(stored, cached: cached, logger: logger())
        if let entry, entry !== cached {
            store(entry, for: stored.verificationCode)
        }
        return Result(outcome: outcome, rendering: entry?.rendering)
    }

    private func store(_ entry: VerifiedRecord, for code: String) {
        shard(for: code).withLock { entries in
            // Dropping the whole shard when full is crude but bounded, and a miss costs one signature check.
            if entries[code] == nil, entries.count >= maxCachedPerShard { entries.removeAll(keepingCapacity: true) }
            entries[code] = entry
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
