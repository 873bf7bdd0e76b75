import CecertCore
import Foundation
import Synchronization

/// A certificate to insert: everything but the serial, which the store allocates.
public struct NewCertificate: Sendable {
    public var number: CertificateNumber
    public var applicationID: String
    public var verificationCode: String
    public var recordJSON: [UInt8]
    public var signature: [UInt8]
    public var keyID: String
    public var pdfSHA256: String
    public var templateVersion: String
    public var issuedAt: Date

    public init(number: CertificateNumber, applicationID: String, verificationCode: String, recordJSON: [UInt8],
                signature: [UInt8], keyID: String, pdfSHA256: String, templateVersion: String, issuedAt: Date) {
        self.number = number
        self.applicationID = applicationID
        self.verificationCode = verificationCode
        self.recordJSON = recordJSON
        self.signature = signature
        self.keyID = keyID
        self.pdfSHA256 = pdfSHA256
        self.templateVersion = templateVersion
        self.issuedAt = issuedAt
    }
}

// MARK: - Certificates

extension ReviewStore {
    /// Returns the next free serial for an area and year. Call it inside the write transaction that inserts it,
    /// so two issuers can never take the same serial and a rolled-back insert frees it again.
    public func nextSerial(area: String, year: Int) throws -> Int {
        let row = try connection.queryRow("SELECT COALESCE(MAX(serial), 0) + 1 AS next FROM certificates WHERE area = ? AND year = ?",
                                          [.text(area), .int(year)])
        return row?.int("next") ?? 1
    }

    /// True when the application has a certificate that is not superseded.
    public func hasCurrentCertificate(applicationID: String) throws -> Bool {
        try connection.queryRow("SELECT 1 AS one FROM certificates WHERE application_id = ? AND state != 'superseded'",
                                [.text(applicationID)]) != nil
    }

    public func insertCertificate(_ certificate: NewCertificate) throws {
        try connection.run("""
            INSERT INTO certificates (number, area, year, serial, application_id, verification_code, record_json, signature,
                key_id, pdf_sha256, template_version, issued_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(certificate.number.description), .text(certificate.number.area), .int(certificate.number.year),
                  .int(certificate.number.serial), .text(certificate.applicationID), .text(certificate.verificationCode),
                  .blob(certificate.recordJSON), .blob(certificate.signature), .text(certificate.keyID),
                  .text(certificate.pdfSHA256), .text(certificate.templateVersion), .text(Timestamp.format(certificate.issuedAt))])
    }

    public func certificate(number: String) throws -> StoredCertificate? {
        try connection.queryRow("SELECT * FROM certificates WHERE number = ?", [.text(number)]).map(Self.storedCertificate)
    }

    public func certificate(verificationCode: String) throws -> StoredCertificate? {
        try connection.queryRow("SELECT * FROM certificates WHERE verification_code = ?", [.text(verificationCode)])
            .map(Self.storedCertificate)
    }

    public func certificates(pdfSHA256: String) throws -> [StoredCertificate] {
        try connection.query("SELECT * FROM certificates WHERE pdf_sha256 = ?", [.text(pdfSHA256)]).map(Self.storedCertificate)
    }

    /// Lists every certificate number in issue order, for consistency checks and file recovery.
    public func allCertificateNumbers() throws -> [String] {
        try connection.query("SELECT number FROM certificates ORDER BY area, year, serial").compactMap { $0.text("number") }
    }

    public func recordPrint(number: String, channel: String, at: Date = Date()) throws {
        try connection.run("INSERT INTO prints (number, at, channel) VALUES (?, ?, ?)",
                           [.text(number), .text(Timestamp.format(at)), .text(channel)])
    }

    public func printCount(number: String) throws -> Int {
        try connection.queryRow("SELECT COUNT(*) AS n FROM prints WHERE number = ?", [.text(number)])?.int("n") ?? 0
    }

    public func certificateCount() throws -> Int {
        try connection.queryRow("SELECT COUNT(*) AS n FROM certificates")?.int("n") ?? 0
    }

    static func storedCertificate(_ row: SQLiteRow) -> StoredCertificate {
        StoredCertificate(number: row.text("number") ?? "", verificationCode: row.text("verification_code") ?? "",
                          applicationID: row.text("application_id") ?? "", recordJSON: row.blob("record_json") ?? [],
                          signature: row.blob("signature") ?? [], keyID: row.text("key_id") ?? "",
                          state: CertificateState(rawValue: row.text("state") ?? "") ?? .valid,
                          revokedAt: row.text("revoked_at").flatMap(Timestamp.parse),
                          revocationReason: row.text("revocation_reason"),
                          issuedAt: Timestamp.parse(row.text("issued_at") ?? "") ?? Date(timeIntervalSince1970: 0))
    }
}

// MARK: - Signing keys

extension ReviewStore {
    public func registerPublicKey(_ publicKey: [UInt8], keyID: String, at: Date = Date()) throws {
        try connection.run("INSERT OR IGNORE INTO signing_keys (key_id, public_key, created_at) VALUES (?, ?, ?)",
                           [.text(keyID), .blob(publicKey), .text(Timestamp.format(at))])
    }

    public func publicKey(keyID: String) throws -> [UInt8]? {
        try connection.queryRow("SELECT public_key FROM signing_keys WHERE key_id = ?", [.text(keyID)])?.blob("public_key")
    }

    public func retireKeys(except keyID: String, at: Date = Date()) throws {
        try connection.run("UPDATE signing_keys SET retired_at = ? WHERE key_id != ? AND retired_at IS NULL",
                           [.text(Timestamp.format(at)), .text(keyID)])
    }

    /// Lists every registered public key, oldest first.
    public func publicKeys() throws -> [(keyID: String, publicKey: [UInt8], createdAt: String, retiredAt: String?)] {
        try connection.query("SELECT key_id, public_key, created_at, retired_at FROM signing_keys ORDER BY rowid").map {
            ($0.text("key_id") ?? "", $0.blob("public_key") ?? [], $0.text("created_at") ?? "", $0.text("retired_at"))
        }
    }

    /// Appends an audit event, such as a revocation, with who did it and when.
    public func recordEvent(actor: String, action: String, subject: String, detail: String = "", at: Date = Date()) throws {
        try connection.run("INSERT INTO events (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                           [.text(Timestamp.format(at)), .text(actor), .text(action), .text(subject), .text(detail)])
    }
}

// MARK: - Directory for the verifier

/// A `CertificateDirectory` over a store file, with one pooled connection per calling thread. The
/// connections open the store read-write, because opening runs the migrations, and only read through
/// this type.
///
/// Connections are pooled: a lookup takes one from the pool, or opens one, and returns it afterwards.
/// Safe to call from any number of threads.
public final class StoreDirectory: CertificateDirectory, @unchecked Sendable {
    // @unchecked: `pool` is only touched under `lock`, and a connection is used by one thread at a time.
    private let lock = NSLock()
    private var pool: [ReviewStore] = []
    public let path: String
    /// The value `changeGeneration()` returns, raised each time a pooled connection detects a change to the store.
    private let generation = Atomic<UInt64>(0)

    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CecertError(.storage, "store \(path) does not exist; run `cecert import` first")
        }
        release(try ReviewStore(path: path, memoryMapped: true))
    }

    func acquire() throws -> ReviewStore {
        lock.lock()
        let store = pool.popLast()
        lock.unlock()
        return try store ?? ReviewStore(path: path, memoryMapped: true)
    }

    func release(_ store: ReviewStore) {
        lock.lock()
        pool.append(store)
        lock.unlock()
    }

    /// Lends a pooled store to `body`; the store goes back to the pool afterwards.
    public func withStore<T>(_ body: (ReviewStore) throws -> T) throws -> T {
        let store = try acquire()
        let changes = store.connection.totalChanges
        defer {
            // A connection's own writes leave its data_version unchanged, so `changeGeneration()` counts them here.
            if store.connection.totalChanges != changes {
                generation.add(1, ordering: .sequentiallyConsistent)
            }
            release(store)
        }
        return try body(store)
    }

    /// Returns the store's change generation, which rises each time a pooled connection detects a commit that it
    /// had not seen, whether made in this process or another.
    ///
    /// If a commit finished before this call started, the result is greater than any value returned before that
    /// commit, so a result that equals an earlier one means no commit came in between. Each call costs one
    /// `PRAGMA data_version`, a read transaction without a table lookup.
    public func changeGeneration() throws -> UInt64 {
        try withStore { store in
            let version = try store.connection.dataVersion()
            // A connection's first read counts as a change, because its earlier history is unknown.
            if store.observedDataVersion != version {
                store.observedDataVersion = version
                generation.add(1, ordering: .sequentiallyConsistent)
            }
            return generation.load(ordering: .sequentiallyConsistent)
        }
    }

    public func certificate(verificationCode: String) throws -> StoredCertificate? {
        try withStore { try $0.certificate(verificationCode: verificationCode) }
    }

    public func certificate(number: String) throws -> StoredCertificate? {
        try withStore { try $0.certificate(number: number) }
    }

    public func publicKey(keyID: String) throws -> [UInt8]? {
        try withStore { try $0.publicKey(keyID: keyID) }
    }

    /// Closes every pooled connection. Call once no lookup is in flight.
    public func close() {
        lock.lock()
        let stores = pool
        pool.removeAll()
        lock.unlock()
        for store in stores { store.close() }
    }
}
