import CSQLite
import Foundation

/// A value that can be bound to a statement parameter.
package protocol SQLiteBindable {
    /// Binds self at the 1-based parameter `index`; returns the SQLite result code.
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

extension Int: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, Int64(self)) }
}
extension Int64: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self) }
}
extension Int32: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, Int64(self)) }
}
extension Double: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_double(statement, index, self) }
}
extension Bool: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}
extension String: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withCString { fmnist_sqlite_bind_text(statement, index, $0, -1) }
    }
}
extension Date: SQLiteBindable {
    /// Dates are stored as REAL seconds since 1970 (UTC).
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_double(statement, index, timeIntervalSince1970)
    }
}
extension Data: SQLiteBindable {
    package func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { fmnist_sqlite_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32($0.count)) }
    }
}

/// The current result row of a stepping statement; columns are 0-based.
package struct SQLiteRow {
    let statement: OpaquePointer

    /// Whether the column holds NULL.
    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    package func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    package func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    package func bool(_ column: Int32) -> Bool { sqlite3_column_int64(statement, column) != 0 }
    package func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
    package func date(_ column: Int32) -> Date { Date(timeIntervalSince1970: double(column)) }
    package func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    package func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }
    package func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    package func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
    package func optionalDate(_ column: Int32) -> Date? { isNull(column) ? nil : date(column) }
}

/// A prepared statement. Owned by its ``SQLiteDatabase``, which finalizes it on close.
///
/// ```swift
/// let statement = try db.prepare("SELECT name FROM datasets WHERE name = ?")
/// try statement.bind(["fashion"])
/// while let row = try statement.step() { print(row.string(0)) }
/// ```
package final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    unowned let database: SQLiteDatabase

    init(handle: OpaquePointer, sql: String, database: SQLiteDatabase) {
        self.handle = handle
        self.sql = sql
        self.database = database
    }

    func finalize() { sqlite3_finalize(handle) }

    /// Resets the statement and binds `values` to its parameters in order (nil binds NULL).
    package func bind(_ values: [(any SQLiteBindable)?]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code = value.map { $0.bind(to: handle, at: index) } ?? sqlite3_bind_null(handle, index)
            if code != SQLITE_OK { throw database.error(code: code, sql: sql) }
        }
    }

    /// Advances to the next row; nil when done.
    package func step() throws -> SQLiteRow? {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return SQLiteRow(statement: handle)
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return nil
        default:
            let error = database.error(code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, ignoring any rows.
    package func run() throws {
        while try step() != nil {}
    }
}
