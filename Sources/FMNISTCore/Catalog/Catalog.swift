import Foundation

/// The workspace catalog, `.fmnist/catalog.sqlite3`: every version, file, fetch, verify, switch
/// and smoke-train run. Recording and listing live in the `Catalog+*.swift` extensions.
///
/// ```swift
/// let catalog = try Catalog.open(layout)                 // read-write, creates and migrates
/// let version = try catalog.recordVersion(dataset: "fashion", identity: id, name: "2017-08-31",
///                                         source: .fetch, files: files)
/// try catalog.recordEvent(.fetch, dataset: "fashion", versionID: version.id, result: .ok)
///
/// let reader = try Catalog.openReadOnly(layout)          // empty when no catalog exists yet
/// for version in try reader.versions(dataset: "fashion") { print(version.label) }
/// ```
///
/// A file that is not an SQLite database, or a catalog from a newer fmnist, throws
/// ``CatalogError``; the catalog is never overwritten.
public final class Catalog: @unchecked Sendable {
    /// The catalog file (":memory:" for an empty stand-in).
    public let path: String
    /// Whether this connection may only read.
    public let isReadOnly: Bool
    /// Whether this is an in-memory stand-in for a catalog that does not exist yet.
    public let isEphemeral: Bool
    let db: SQLiteDatabase

    /// The first 16 bytes of every SQLite 3 database file.
    static let sqliteHeader = Array("SQLite format 3\0".utf8)

    /// Opens the workspace's catalog read-write, creating and migrating it as needed.
    public static func open(_ layout: WorkspaceLayout, busyTimeout: TimeInterval = 30) throws -> Catalog {
        do {
            try WorkspaceBoundary(layout: layout).ensureOwnedDirectory(layout.privateDirectory)
        } catch let error as WorkspaceError {
            if case .foreignSymlink = error { throw error }
            throw CatalogError.cannotOpen(path: layout.catalogFile.path, detail: "cannot create \(layout.privateDirectory.path): \(error)")
        }
        // SQLite follows symlinks: the catalog and its side files must be fmnist's own.
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try WorkspaceBoundary.refuseSymlink(URL(fileURLWithPath: layout.catalogFile.path + suffix))
        }
        return try Catalog(file: layout.catalogFile, readOnly: false, busyTimeout: busyTimeout)
    }

    /// Opens the workspace's catalog read-only. When it does not exist yet, returns an empty
    /// in-memory catalog, so that read-only commands work in a fresh workspace.
    public static func openReadOnly(_ layout: WorkspaceLayout, busyTimeout: TimeInterval = 30) throws -> Catalog {
        if !FileManager.default.fileExists(atPath: layout.catalogFile.path) { return try inMemory() }
        do {
            return try Catalog(file: layout.catalogFile, readOnly: true, busyTimeout: busyTimeout)
        } catch let error as CatalogError {
            // On read-only media SQLite cannot create the WAL's side files; read the file as immutable.
            guard access(layout.privateDirectory.path, W_OK) != 0 else { throw error }
            try Catalog.checkHeader(path: layout.catalogFile.path)
            let database: SQLiteDatabase
            do {
                database = try SQLiteDatabase(path: layout.catalogFile.path, mode: .immutable, busyTimeout: busyTimeout)
            } catch let sqliteError as SQLiteError {
                throw CatalogError.cannotOpen(path: layout.catalogFile.path, detail: sqliteError.message)
            }
            return try Catalog(database: database, path: layout.catalogFile.path, readOnly: true, ephemeral: false, migrate: false)
        }
    }

    /// An empty, migrated, in-memory catalog.
    public static func inMemory() throws -> Catalog {
        try Catalog(database: SQLiteDatabase(path: ":memory:", mode: .memory), path: ":memory:", readOnly: false, ephemeral: true)
    }

    /// Opens the catalog file at `file`. Read-write opens create the file and migrate it; read-only
    /// opens of an older schema migrate it once through a short read-write connection.
    public convenience init(file: URL, readOnly: Bool, busyTimeout: TimeInterval = 30) throws {
        let path = file.path
        try Catalog.checkHeader(path: path)
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path, mode: readOnly ? .readOnly : .readWrite, busyTimeout: busyTimeout)
        } catch let error as SQLiteError {
            throw CatalogError.cannotOpen(path: path, detail: error.message)
        }
        try self.init(database: database, path: path, readOnly: readOnly, ephemeral: false)
    }

    private init(database: SQLiteDatabase, path: String, readOnly: Bool, ephemeral: Bool, migrate: Bool = true) throws {
        self.db = database
        self.path = path
        self.isReadOnly = readOnly
        self.isEphemeral = ephemeral
        try mapErrors {
            try db.execute("PRAGMA foreign_keys = ON")
            let found = try db.userVersion()
            if found > CatalogSchema.currentVersion {
                throw CatalogError.newerSchema(path: path, found: found, supported: CatalogSchema.currentVersion)
            }
            if readOnly {
                try db.execute("PRAGMA query_only = ON")
                if migrate, found < CatalogSchema.currentVersion {
                    // An older (or brand-new empty) file: upgrade it once, then read.
                    let writer = try Catalog(file: URL(fileURLWithPath: path), readOnly: false)
                    writer.close()
                }
            } else {
                let mode = Catalog.journalMode(for: SharedFileSystem.detect(path: path))
                if !ephemeral, try db.queryFirst("PRAGMA journal_mode", [], { $0.string(0) })?.lowercased() != mode {
                    try db.execute("PRAGMA journal_mode = \(mode.uppercased())")
                }
                try db.execute("PRAGMA synchronous = NORMAL")
                try CatalogSchema.migrate(db, path: path)
            }
        }
    }

    /// The journal mode of a catalog on `fileSystem`: WAL on a local disk (readers never wait for
    /// the writer); on a shared file system the rollback journal (`delete`), because WAL's shared
    /// memory index does not work across hosts. Writers there are serialized by the workspace lease
    /// and wait on the busy timeout.
    ///
    /// ```swift
    /// Catalog.journalMode(for: SharedFileSystem(name: "nfs", isShared: true))    // "delete"
    /// Catalog.journalMode(for: SharedFileSystem(name: "ext4", isShared: false))  // "wal"
    /// ```
    public static func journalMode(for fileSystem: SharedFileSystem) -> String {
        fileSystem.isShared ? "delete" : "wal"
    }

    /// Refuses a file that exists, is not empty, and does not start with the SQLite header,
    /// before SQLite touches it.
    static func checkHeader(path: String) throws {
        let fd: Int32
        do {
            fd = try RegularFile.openForReading(path)
        } catch {
            if error.exitStatus == .missing { return }  // does not exist: a read-write open creates it
            throw CatalogError.cannotOpen(path: path, detail: error.problem)
        }
        defer { Foundation.close(fd) }
        var head = [UInt8](repeating: 0, count: 16)
        let count = head.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, 16) }
        head = Array(head.prefix(max(0, count)))
        if !head.isEmpty, head != sqliteHeader {
            throw CatalogError.corrupt(path: path, detail: "file is not a database: it does not start with the SQLite header")
        }
    }

    /// Closes the connection. Further calls fail.
    public func close() { db.close() }

    /// The schema version recorded in the file.
    public func schemaVersion() throws -> Int { try mapErrors { try db.userVersion() } }

    /// Runs `body` in one IMMEDIATE transaction: all of its records land, or none do.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try mapErrors { try db.transaction(.immediate, body) }
    }

    /// Runs `body` in one DEFERRED transaction, for a consistent snapshot across several reads.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try mapErrors { try db.transaction(.deferred, body) }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound, else SQLite's findings.
    public func integrityCheck() throws -> String {
        try mapErrors { try db.query("PRAGMA integrity_check", []) { $0.string(0) }.joined(separator: "\n") }
    }

    /// Runs `body`, turning SQLite errors into ``CatalogError``s that name this catalog.
    func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw CatalogError.from(error, path: path)
        }
    }

    /// Refuses writes on a read-only connection with a clear error.
    func requireWritable() throws {
        if isReadOnly { throw CatalogError.readOnly(path: path) }
    }
}
