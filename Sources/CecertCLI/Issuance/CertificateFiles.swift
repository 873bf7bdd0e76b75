import CecertCore
import Foundation

/// The folder of issued PDFs. Files appear only whole: each is written under a temporary name and
/// renamed into place after its certificate is committed to the store.
struct CertificateFiles: Sendable {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CecertError(.io, "cannot create certificates folder \(directory): \(error.localizedDescription)")
        }
    }

    func finalPath(_ number: String) -> String { "\(directory)/\(number).pdf" }

    /// A temporary name that carries the writer's process id, so a concurrent issuer never removes it.
    func temporaryPath(_ number: String) -> String { "\(directory)/.\(number).pdf.\(getpid()).tmp" }

    /// Writes bytes to the temporary name of `number`.
    /// - Throws: `CecertError(.io)` with the OS reason, for example when the disk is full.
    func writeTemporary(_ bytes: [UInt8], number: String) throws -> String {
        let path = temporaryPath(number)
        try Self.write(bytes, to: path)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CecertError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(path)
                throw CecertError(.io, "cannot write \(path): \(reason)")
            }
            written += result
        }
        guard close(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw CecertError(.io, "cannot write \(path): \(reason)")
        }
    }

    /// Moves a committed certificate's file into place under its final name.
    func publish(temporary: String, number: String) throws {
        guard rename(temporary, finalPath(number)) == 0 else {
            throw CecertError(.io, "cannot rename \(temporary) to \(finalPath(number)): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a file straight to its final name through a temporary one, as reprints and recovery do.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = "\((path as NSString).deletingLastPathComponent)/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        try Self.write(bytes, to: temporary)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CecertError(.io, "cannot rename \(temporary) to \(path): \(reason)")
        }
    }

    /// Removes temporary files left by issuers that are no longer running, and returns how many.
    func removeStaleTemporaries() -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.split(separator: ".")
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { continue }
            if pid == getpid() || kill(pid, 0) != 0 && errno == ESRCH {
                if unlink("\(directory)/\(name)") == 0 { removed += 1 }
            }
        }
        return removed
    }

    func exists(_ number: String) -> Bool {
        var info = stat()
        return stat(finalPath(number), &info) == 0 && info.st_size > 0
    }
}
