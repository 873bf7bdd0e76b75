internal import CSQLite
import CecertCore
import Foundation

/// One SQLite connection, the single owner of its `sqlite3` handle.
///
/// A connection is not thread-safe: use it from one thread at a time. Call `close()` before the
/// last reference goes away; `deinit` closes a connection that was not closed, as a fallback.
public final class SQLiteConnection {
    private var handle: OpaquePointer?
    public let path: String
    private var statementCache: [String: SQLiteStatement] = [:]

    /// Opens (creating if needed) the database file at `path` in WAL mode with foreign keys on.
    /// - Parameters:
    ///   - busyTimeout: how long, in milliseconds, to wait for another connection's write lock.
    ///   - readOnly: open without write access, for the verification server's readers.
    /// - Parameter memoryMapped: read pages through a memory map shared by all connections of the process.
    ///   The pages a process has touched then count towards its resident memory until it exits, so only
    ///   the verification server, which reads the same rows again and again, sets it.
    public init(path: String, busyTimeout: Int32 = 10_000, readOnly: Bool = false, memoryMapped: Bool = false) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw CecertError(.storage, "cannot open store \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeout)
        sqlite3_extended_result_codes(db, 1)
        if !readOnly {
            try execute("PRAGMA journal_mode=WAL")
        }
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA synchronous=NORMAL")
        if memoryMapped {
            // Pages are read through the map, not with a pread(2) and a copy each, once a store outgrows
            // SQLite's default 2 MB page cache per connection.
            try execute("PRAGMA mmap_size=268435456")
        }
    }

    deinit {
        if handle != nil { close() }
    }

    /// Finalises every cached statement and closes the handle. Calling it twice is harmless.
    public func close() {
        for statement in statementCache.values { statement.finalize() }
        statementCache.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    public var isOpen: Bool { handle != nil }

    /// True when some statement of this connection is still stepping; used by tests before closing.
    public var hasBusyStatement: Bool {
        guard let handle else { return false }
        var statement = sqlite3_next_stmt(handle, nil)
        while let current = statement {
            if sqlite3_stmt_busy(current) != 0 { return true }
            statement = sqlite3_next_stmt(handle, current)
        }
        return false
    }

    func requireHandle() throws -> OpaquePointer {
        guard let handle else { throw CecertError(.storage, "store \(path) is closed") }
        return handle
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws {
        let db = try requireHandle()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorMessage)
            throw SQLiteConnection.error(code: code, message: message, sql: sql)
        }
    }

    /// A prepared statement, cached by its SQL text for the life of the connection.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let db = try requireHandle()
        var raw: OpaquePointer?
        let code = sqlite3_prepare_v2(db, sql, -1, &raw, nil)
        guard code == SQLITE_OK, let raw else {
            throw SQLiteConnection.error(code: code, message: String(cString: sqlite3_errmsg(db)), sql: sql)
        }
        let statement = SQLiteStatement(raw, connection: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs a statement with bindings and returns every row.
    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> [SQLiteRow] {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var rows: [SQLiteRow] = []
        while try statement.step() {
            rows.append(statement.row())
        }
        return rows
    }

    /// Runs a statement with bindings and returns the first row, if any.
    public func queryRow(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> SQLiteRow? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        return try statement.step() ? statement.row() : nil
    }

    /// Runs a statement that changes rows and returns how many it changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
        return Int(sqlite3_changes(try requireHandle()))
    }

    public var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// The number of rows this connection has inserted, updated or deleted since it opened.
    public var totalChanges: Int64 { handle.map { sqlite3_total_changes64($0) } ?? 0 }

    /// Returns `PRAGMA data_version`, which differs from the value this connection read before whenever another
    /// connection or process has committed a change since then. This connection's own commits leave it
    /// unchanged (SQLite's `test/pragma3.test` checks both).
    public func dataVersion() throws -> Int64 {
        let statement = try statement("PRAGMA data_version")
        defer { statement.reset() }
        guard try statement.step(), let version = statement.columnInt64(0) else {
            throw CecertError(.storage, "PRAGMA data_version returned no value on store \(path)")
        }
        return version
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    ///
    /// IMMEDIATE takes the write lock at the start, so two writers serialise instead of one failing
    /// with SQLITE_BUSY halfway through.
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a savepoint, so a failure undoes only its own changes.
    public func withSavepoint<T>(_ name: String = "item", _ body: () throws -> T) throws -> T {
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
    }

    static func error(code: Int32, message: String, sql: String) -> CecertError {
        let primary = code & 0xFF
        if primary == SQLITE_CONSTRAINT {
            return CecertError(.conflict, "constraint failed: \(message)")
        }
        if primary == SQLITE_BUSY || primary == SQLITE_LOCKED {
            return CecertError(.conflict, "store is locked by another process: \(message)")
        }
        if primary == SQLITE_FULL || primary == SQLITE_IOERR {
            return CecertError(.io, "store write failed (SQLite code \(code)): \(message)")
        }
        let head = sql.split(separator: "\n").first.map(String.init) ?? sql
        return CecertError(.storage, "SQLite code \(code): \(message) in \(head.prefix(80))")
    }
}

/// A value to bind to a statement parameter or read from a column.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }

    public static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
}

/// One result row, by column name.
public struct SQLiteRow: Sendable {
    let columns: [String: SQLiteValue]

    public subscript(_ name: String) -> SQLiteValue { columns[name] ?? .null }

    public func text(_ name: String) -> String? {
        if case let .text(value) = self[name] { return value }
        return nil
    }

    public func int(_ name: String) -> Int? {
        if case let .integer(value) = self[name] { return Int(value) }
        return nil
    }

    public func double(_ name: String) -> Double? {
        switch self[name] {
        case let .real(value): value
        case let .integer(value): Double(value)
        default: nil
        }
    }

    public func blob(_ name: String) -> [UInt8]? {
        switch self[name] {
        case let .blob(value): value
        case let .text(value): Array(value.utf8)
        default: nil
        }
    }
}
