import Foundation

/// The lifecycle state of an issued certificate as the store records it.
public enum CertificateState: String, Sendable, Hashable, Codable {
    case valid
    case revoked
    /// Replaced by a reissued certificate (已被更正).
    case superseded
}

/// An issued certificate as stored: the signed record bytes, the signature and its mutable state.
public struct StoredCertificate: Sendable, Hashable {
    public var number: String
    public var verificationCode: String
    public var applicationID: String
    /// The canonical JSON that was signed, exactly as stored.
    public var recordJSON: [UInt8]
    public var signature: [UInt8]
    public var keyID: String
    public var state: CertificateState
    public var revokedAt: Date?
    public var revocationReason: String?
    public var issuedAt: Date

    public init(number: String, verificationCode: String, applicationID: String, recordJSON: [UInt8],
                signature: [UInt8], keyID: String, state: CertificateState, revokedAt: Date?,
                revocationReason: String?, issuedAt: Date) {
        self.number = number
        self.verificationCode = verificationCode
        self.applicationID = applicationID
        self.recordJSON = recordJSON
        self.signature = signature
        self.keyID = keyID
        self.state = state
        self.revokedAt = revokedAt
        self.revocationReason = revocationReason
        self.issuedAt = issuedAt
    }
}

/// What a verification concludes about a code or number.
public enum VerificationOutcome: Sendable, Hashable {
    case valid(CertificateRecord)
    case revoked(CertificateRecord, at: Date?, reason: String?)
    /// Replaced by a corrected certificate; the new number is not disclosed.
    case superseded(CertificateRecord)
    case notFound
    case malformed
    /// The stored record does not match its signature, or its key is unknown.
    case tampered(number: String)

    /// The `status` value of the JSON API.
    public var status: String {
        switch self {
        case .valid: "valid"
        case .revoked: "revoked"
        case .superseded: "superseded"
        case .notFound: "not_found"
        case .malformed: "malformed"
        case .tampered: "tampered"
        }
    }
}

/// Read access to issued certificates and signing keys, as the verifier needs it.
public protocol CertificateDirectory: Sendable {
    func certificate(verificationCode: String) throws -> StoredCertificate?
    func certificate(number: String) throws -> StoredCertificate?
    func publicKey(keyID: String) throws -> [UInt8]?
}

/// Checks stored certificates against their signatures.
public struct Verifier: Sendable {
    public let directory: any CertificateDirectory
    public let logger: Logger
    /// Tampered records are never cached, so every lookup of one checks it again. Its error line is written
    /// once a minute per certificate at most, with the count of lookups in between, while fewer than 1,024
    /// certificates are tracked (`LogThrottle` clears its table beyond that).
    let tamperedLog: LogThrottle

    public init(directory: any CertificateDirectory, logger: Logger, tamperedLog: LogThrottle = LogThrottle(seconds: 60)) {
        self.directory = directory
        self.logger = logger
        self.tamperedLog = tamperedLog
    }

    /// Verifies a code as typed or scanned. Malformed input never reaches the store.
    public func verify(code raw: String) throws -> VerificationOutcome {
        guard let code = VerificationCode.normalize(raw) else { return .malformed }
        guard let stored = try directory.certificate(verificationCode: code) else { return .notFound }
        return try outcome(for: stored)
    }

    /// Checks the signature of a stored certificate, then reports its state.
    public func outcome(for stored: StoredCertificate) throws -> VerificationOutcome {
        guard let publicKey = try directory.publicKey(keyID: stored.keyID),
              Ed25519.verify(signature: stored.signature, message: stored.recordJSON, publicKey: publicKey),
              let record = try? CertificateRecord.decode(canonicalJSON: stored.recordJSON),
              record.facts.number == stored.number, record.facts.verificationCode == stored.verificationCode
        else {
            if let heldBack = tamperedLog.admit(stored.number) {
                var metadata = ["cert.number": stored.number, "key.id": stored.keyID]
                if heldBack > 0 { metadata["log.held_back"] = "\(heldBack)" }
                logger.error("Certificate record failed its signature check", metadata: metadata)
            }
            return .tampered(number: stored.number)
        }
        switch stored.state {
        case .valid: return .valid(record)
        case .revoked: return .revoked(record, at: stored.revokedAt, reason: stored.revocationReason)
        case .superseded: return .superseded(record)
        }
    }
}
