import CecertCore
import Foundation

/// An exclusive `flock(2)` on `<store>.issue-lock`, held for a whole `cecert issue` run.
///
/// A second issuer on the same store waits here until the first exits, then finds nothing left to issue.
/// Without it, the second issuer waits on SQLite's write lock, which the first holds for almost every
/// moment of a long batch, and gives up with "database is locked" after the busy timeout. The kernel
/// releases the lock when its holder exits, also after `kill -9`, so a crashed issuer never blocks a rerun.
final class IssuanceLock {
    let path: String
    private var descriptor: Int32

    /// Opens the lock file and blocks until the lock is held.
    /// - Throws: `CecertError(.io)` when the lock file cannot be opened or locked.
    init(storePath: String, logger: Logger) throws {
        path = storePath + ".issue-lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CecertError(.io, "cannot open issuance lock \(path): \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return }
        logger.notice("Waiting for another issuer on this store to finish", metadata: ["lock.path": path])
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                Glibc.close(descriptor)
                throw CecertError(.io, "cannot lock \(path): \(reason)")
            }
        }
    }

    /// Releases the lock; closing the descriptor drops the `flock`.
    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }
}
