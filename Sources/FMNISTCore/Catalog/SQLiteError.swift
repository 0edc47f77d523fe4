import CSQLite

/// A failure reported by SQLite, with the statement that caused it.
///
/// The catalog maps the cases a person can act on (not a database, newer schema, busy,
/// read-only, disk full) to ``CatalogError``; anything else surfaces as this error.
public struct SQLiteError: FMNISTError, Equatable {
    /// The extended SQLite result code, e.g. 26 (`SQLITE_NOTADB`).
    public let code: Int32
    /// SQLite's message for the failure.
    public let message: String
    /// The SQL being run, when there was one.
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { code & 0xFF }

    /// The file is not an SQLite database, or its pages are damaged.
    public var isCorruption: Bool { primaryCode == SQLITE_NOTADB || primaryCode == SQLITE_CORRUPT }
    /// Another connection holds a lock longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var exitStatus: ExitStatus { .workspace }
    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in: \($0.prefix(120)))" } ?? "")
    }
}
