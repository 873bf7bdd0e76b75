import CecertCore
import CecertStore
import Foundation

/// The private signing keys in a folder, one `<key id>.key` file each (the hex Ed25519 seed, mode 0600),
/// and their public halves registered in the store.
struct KeyRing {
    let directory: String

    /// Generates a key, writes its file with mode 0600 (never readable by others, never overwritten),
    /// and registers the public key. Returns the new key.
    func generate(store: ReviewStore) throws -> SigningKey {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let key = SigningKey.generate()
        let path = "\(directory)/\(key.keyID).key"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CecertError(.io, "cannot create key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let text = Array((Sodium.hex(key.seed) + "\n").utf8)
        guard Glibc.write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0 else {
            throw CecertError(.io, "cannot write key file \(path): \(String(cString: strerror(errno)))")
        }
        try store.registerPublicKey(key.publicKey, keyID: key.keyID)
        return key
    }

    /// Loads one key file and checks it against the public key the store registered for it.
    func load(keyID: String, store: ReviewStore) throws -> SigningKey {
        let path = "\(directory)/\(keyID).key"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CecertError(.configuration, "signing key file \(path) is missing or unreadable")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let seed = Sodium.bytes(fromHex: text), seed.count == 32 else {
            throw CecertError(.configuration, "signing key file \(path) is corrupt: expected 64 hex digits")
        }
        let key = try SigningKey(seed: seed)
        guard key.keyID == keyID, try store.publicKey(keyID: keyID) == key.publicKey else {
            throw CecertError(.configuration, "signing key file \(path) does not match the public key registered as \(keyID)")
        }
        return key
    }

    /// Returns the key that signs new certificates: the newest registered key that is not retired.
    /// - Parameter createIfMissing: generate a first key when the store has none.
    func activeKey(store: ReviewStore, createIfMissing: Bool) throws -> SigningKey {
        let active = try store.publicKeys().filter { $0.retiredAt == nil }.last
        if let active { return try load(keyID: active.keyID, store: store) }
        guard createIfMissing else {
            throw CecertError(.configuration, "no active signing key; run `cecert keys generate`")
        }
        return try generate(store: store)
    }

    /// Generates a new key and retires the others; certificates signed with the old keys keep verifying.
    func rotate(store: ReviewStore) throws -> SigningKey {
        try store.connection.withTransaction {
            let key = try generate(store: store)
            try store.retireKeys(except: key.keyID)
            return key
        }
    }
}
