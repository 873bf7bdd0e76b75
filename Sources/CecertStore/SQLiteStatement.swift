internal import CSQLite
import CecertCore

/// A prepared statement, owned by the connection that prepared it and finalised when it closes.
final class SQLiteStatement {
    private var handle: OpaquePointer?
    private unowned let connection: SQLiteConnection
    let sql: String

    init(_ handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    func finalize() {
        if let handle { sqlite3_finalize(handle) }
        handle = nil
    }

    func reset() {
        guard let handle else { return }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [SQLiteValue]) throws {
        guard let handle else { throw CecertError(.storage, "statement is finalised") }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case let .integer(number): code = sqlite3_bind_int64(handle, index, number)
            case let .real(number): code = sqlite3_bind_double(handle, index, number)
            case let .text(text): code = sqlite3_bind_text(handle, index, text, -1, csqlite_transient())
            case let .blob(bytes):
                code = bytes.withUnsafeBytes { raw in
                    sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), csqlite_transient())
                }
            }
            guard code == SQLITE_OK else {
                throw SQLiteConnection.error(code: code, message: "cannot bind parameter \(index)", sql: sql)
            }
        }
    }

    /// Steps once; returns true when a row is available.
    func step() throws -> Bool {
        guard let handle else { throw CecertError(.storage, "statement is finalised") }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let db = sqlite3_db_handle(handle)
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "unknown"
            throw SQLiteConnection.error(code: code, message: message, sql: sql)
        }
    }

    /// Returns the bytes of column `index` (from 0) of the current row, or nil for NULL. A text column gives its
    /// UTF-8 bytes. The buffer points into SQLite's row and is valid until the next `step()` or `reset()`.
    func columnBytes(_ index: Int32) -> UnsafeRawBufferPointer? {
        guard let handle, sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        // sqlite3_column_bytes must come after sqlite3_column_blob, which may convert the value first.
        let pointer = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return UnsafeRawBufferPointer(start: count > 0 ? pointer : nil, count: count)
    }

    /// Returns the integer in column `index` (from 0) of the current row, or nil when it is not an integer.
    func columnInt64(_ index: Int32) -> Int64? {
        guard let handle, sqlite3_column_type(handle, index) == SQLITE_INTEGER else { return nil }
        return sqlite3_column_int64(handle, index)
    }

    func row() -> SQLiteRow {
        guard let handle else { return SQLiteRow(columns: [:]) }
        var columns: [String: SQLiteValue] = [:]
        for index in 0..<sqlite3_column_count(handle) {
            let name = String(cString: sqlite3_column_name(handle, index))
            switch sqlite3_column_type(handle, index) {
            case SQLITE_INTEGER: columns[name] = .integer(sqlite3_column_int64(handle, index))
            case SQLITE_FLOAT: columns[name] = .real(sqlite3_column_double(handle, index))
            case SQLITE_TEXT: columns[name] = .text(String(cString: sqlite3_column_text(handle, index)))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(handle, index))
                if count > 0, let pointer = sqlite3_column_blob(handle, index) {
                    columns[name] = .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
                } else {
                    columns[name] = .blob([])
                }
            default: columns[name] = .null
            }
        }
        return SQLiteRow(columns: columns)
    }
}
