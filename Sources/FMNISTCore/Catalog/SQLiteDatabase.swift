import CSQLite
import Foundation

/// One SQLite connection: prepared statements (cached), transactions, WAL, a busy timeout and
/// foreign keys. The only type that holds a `sqlite3*`.
///
/// Every call is serialized by a recursive lock, so one connection may be shared between
/// threads; a transaction holds the lock until it ends.
///
/// ```swift
/// let db = try SQLiteDatabase(path: "catalog.sqlite3", mode: .readWrite)
/// try db.transaction {
///     try db.run("INSERT INTO events(kind, result, time) VALUES (?, ?, ?)", ["fetch", "ok", Date()])
/// }
/// let count = try db.scalarInt("SELECT count(*) FROM events")
/// ```
package final class SQLiteDatabase: @unchecked Sendable {
    /// How to open the file.
    package enum Mode: Sendable, Equatable {
        /// Read and write; creates the file when missing.
        case readWrite
        /// Read only; the file must exist.
        case readOnly
        /// A private in-memory database (empty).
        case memory
        /// Read only from read-only media: SQLite's `immutable=1` (no locks, no WAL side files).
        /// For a workspace on a read-only file system, where a plain read-only open of a WAL
        /// database fails because its `-shm` file cannot be created.
        case immutable
    }

    /// The file path (":memory:" for an in-memory database).
    package let path: String
    package let mode: Mode
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    private let lock = NSRecursiveLock()

    /// Opens a connection. Does not read the file yet: SQLite reports a non-database file on
    /// first use (see ``SQLiteError/isCorruption``).
    package init(path: String, mode: Mode, busyTimeout: TimeInterval = 30) throws {
        self.path = mode == .memory ? ":memory:" : path
        self.mode = mode
        var flags = SQLITE_OPEN_FULLMUTEX
        var openName = self.path
        switch mode {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .memory: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY
        case .immutable:
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
            let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
            openName = "file:\(escaped)?immutable=1"
        }
        var db: OpaquePointer?
        let code = sqlite3_open_v2(openName, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(db)
            throw SQLiteError(code: code, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(max(0, busyTimeout) * 1000))
    }

    deinit { close() }

    /// Finalizes every statement and closes the connection. Safe to call twice.
    package func close() {
        lock.lock()
        defer { lock.unlock() }
        for statement in statements.values { statement.finalize() }
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs `body` while holding the connection lock.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "the catalog connection is closed") }
        return handle
    }

    /// An error for `code`, with the connection's message.
    func error(code: Int32, sql: String?) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        return SQLiteError(code: code, message: message, sql: sql)
    }

    /// Runs one or more SQL statements without parameters (schema, pragmas).
    package func execute(_ sql: String) throws {
        try withLock {
            let db = try open()
            var message: UnsafeMutablePointer<CChar>?
            let code = sqlite3_exec(db, sql, nil, nil, &message)
            if code != SQLITE_OK {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
                sqlite3_free(message)
                throw SQLiteError(code: sqlite3_extended_errcode(db), message: text, sql: sql)
            }
        }
    }

    /// A prepared statement for `sql`, from the cache when it was prepared before.
    package func prepare(_ sql: String) throws -> SQLiteStatement {
        try withLock {
            if let cached = statements[sql] { return cached }
            let db = try open()
            var statement: OpaquePointer?
            let code = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard code == SQLITE_OK, let statement else { throw error(code: code, sql: sql) }
            let wrapped = SQLiteStatement(handle: statement, sql: sql, database: self)
            statements[sql] = wrapped
            return wrapped
        }
    }

    /// Runs one statement with parameters, ignoring rows.
    package func run(_ sql: String, _ values: [(any SQLiteBindable)?] = []) throws {
        try withLock {
            let statement = try prepare(sql)
            try statement.bind(values)
            try statement.run()
        }
    }

    /// Runs a query and maps every row.
    package func query<T>(_ sql: String, _ values: [(any SQLiteBindable)?] = [], _ map: (SQLiteRow) throws -> T) throws -> [T] {
        try withLock {
            let statement = try prepare(sql)
            try statement.bind(values)
            var rows: [T] = []
            while let row = try statement.step() { rows.append(try map(row)) }
            return rows
        }
    }

    /// The first row of a query, mapped; nil when there is none.
    package func queryFirst<T>(_ sql: String, _ values: [(any SQLiteBindable)?] = [], _ map: (SQLiteRow) throws -> T) throws -> T? {
        try withLock {
            let statement = try prepare(sql)
            try statement.bind(values)
            defer { sqlite3_reset(statement.handle) }
            return try statement.step().map(map)
        }
    }

    /// The integer in the first column of the first row (0 when there is no row or it is NULL).
    package func scalarInt(_ sql: String, _ values: [(any SQLiteBindable)?] = []) throws -> Int {
        try queryFirst(sql, values) { $0.int(0) } ?? 0
    }

    /// The rowid of the last successful INSERT on this connection.
    package var lastInsertRowID: Int64 { withLock { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 } }

    /// Whether a transaction is open on this connection.
    package var isInTransaction: Bool { withLock { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false } }

    /// `PRAGMA user_version`: the schema version the catalog records.
    package func userVersion() throws -> Int { try scalarInt("PRAGMA user_version") }

    /// How a transaction takes its locks.
    package enum TransactionKind: String, Sendable {
        /// Takes a read snapshot on first read (for consistent multi-query reads).
        case deferred = "DEFERRED"
        /// Takes the write lock at once, so writers queue on the busy timeout instead of failing later.
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    /// Nested calls join the outer transaction.
    package func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try withLock {
            if isInTransaction { return try body() }
            try execute("BEGIN \(kind.rawValue)")
            do {
                let value = try body()
                try execute("COMMIT")
                return value
            } catch {
                if isInTransaction { try? execute("ROLLBACK") }
                throw error
            }
        }
    }
}
