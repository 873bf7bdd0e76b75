import CSodium
import Foundation

/// The libsodium primitives cecert uses: random bytes, SHA-256, Ed25519 and constant-time comparison.
public enum Sodium {
    /// Initialises libsodium once per process; safe to call from any thread, any number of times.
    static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }

    /// Bytes from libsodium's random generator (`randombytes_buf`).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return [] }
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    /// A uniform random integer in `0..<upperBound` (`randombytes_uniform`).
    public static func randomUniform(_ upperBound: UInt32) -> UInt32 {
        ensureInitialized()
        return randombytes_uniform(upperBound)
    }

    public static func sha256<Bytes: ContiguousBytes>(_ data: Bytes) -> [UInt8] {
        ensureInitialized()
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        data.withUnsafeBytes { input in
            _ = crypto_hash_sha256(&digest, input.bindMemory(to: UInt8.self).baseAddress, UInt64(input.count))
        }
        return digest
    }

    public static func sha256Hex<Bytes: ContiguousBytes>(_ data: Bytes) -> String { hex(sha256(data)) }

    /// Compares two byte strings in time that depends only on their length (`sodium_memcmp`).
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        ensureInitialized()
        guard lhs.count == rhs.count else { return false }
        return sodium_memcmp(lhs, rhs, lhs.count) == 0
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func bytes(fromHex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// An Ed25519 key pair. The secret key never appears in `description` or in logs.
public struct SigningKey: Sendable, CustomStringConvertible {
    /// libsodium's 64-byte secret key (seed followed by the public key).
    let secretKey: [UInt8]
    public let publicKey: [UInt8]

    /// A short id for the public key: the first 8 bytes of its SHA-256, in hex.
    public var keyID: String { SigningKey.keyID(for: publicKey) }

    public static func keyID(for publicKey: [UInt8]) -> String { Sodium.hex(Array(Sodium.sha256(publicKey).prefix(8))) }

    /// Generates a new key pair from libsodium's random generator.
    public static func generate() -> SigningKey {
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        crypto_sign_keypair(&publicKey, &secretKey)
        return SigningKey(secretKey: secretKey, publicKey: publicKey)
    }

    /// Rebuilds a key pair from its 32-byte seed.
    public init(seed: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard seed.count == Int(crypto_sign_SEEDBYTES) else {
            throw CecertError(.crypto, "an Ed25519 seed has \(crypto_sign_SEEDBYTES) bytes, not \(seed.count)")
        }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        crypto_sign_seed_keypair(&publicKey, &secretKey, seed)
        self.init(secretKey: secretKey, publicKey: publicKey)
    }

    init(secretKey: [UInt8], publicKey: [UInt8]) {
        self.secretKey = secretKey
        self.publicKey = publicKey
    }

    /// The 32-byte seed, for writing the key file. Handle it as a secret.
    public var seed: [UInt8] { Array(secretKey.prefix(Int(crypto_sign_SEEDBYTES))) }

    /// Signs `message` with a detached Ed25519 signature.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        return signature
    }

    public var description: String { "SigningKey(\(keyID))" }
}

public enum Ed25519 {
    /// True when `signature` is a valid Ed25519 signature of `message` under `publicKey`.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        Sodium.ensureInitialized()
        guard signature.count == Int(crypto_sign_BYTES), publicKey.count == Int(crypto_sign_PUBLICKEYBYTES) else {
            return false
        }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}

/// Verification codes: 20 characters from a 32-letter alphabet without 0, O, 1 and I, so 100 random bits
/// that QR alphanumeric mode can carry and that survive being read aloud or typed from paper.
public enum VerificationCode {
    public static let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
    public static let length = 20

    /// A new code from libsodium's random generator.
    public static func generate() -> String {
        String((0..<length).map { _ in alphabet[Int(Sodium.randomUniform(UInt32(alphabet.count)))] })
    }

    /// Normalises typed input (case, spaces, dashes, full-width forms) and returns the code, or nil
    /// when it is not exactly 20 characters of the alphabet.
    public static func normalize(_ raw: String) -> String? {
        // A code as printed or scanned is already in normal form, and `compact` would return it unchanged.
        if raw.utf8.count == length, raw.utf8.allSatisfy(isAlphabetByte) { return raw }
        let compact = TypedInput.compact(raw)
        guard compact.count == length, compact.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return compact
    }

    /// True for the ASCII bytes of `alphabet`: the digits 2–9 and the upper-case letters other than I and O.
    static func isAlphabetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "2")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "H"),
             UInt8(ascii: "J")...UInt8(ascii: "N"), UInt8(ascii: "P")...UInt8(ascii: "Z"): true
        default: false
        }
    }
}
