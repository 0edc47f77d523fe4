import Foundation
/// Why the catalog (`.fmnist/catalog.sqlite3`) cannot be used. Exit status `.workspace`.
///
/// fmnist never repairs or replaces a catalog it cannot read: the hint says how to move it aside.
public enum CatalogError: FMNISTError, Equatable {
    /// The file is not an SQLite database, or it is damaged.
    case corrupt(path: String, detail: String)
    /// The catalog was written by a newer fmnist with a schema this build does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The file cannot be opened or created (permissions, missing directory).
    case cannotOpen(path: String, detail: String)
    /// A write was needed but the catalog (or its folder) is read-only.
    case readOnly(path: String)
    /// Another process kept the catalog locked longer than the busy timeout.
    case busy(path: String)
    /// The disk is full.
    case diskFull(path: String)
    /// Any other SQLite failure.
    case sqlite(path: String, error: SQLiteError)

    public var exitStatus: ExitStatus { .workspace }

    public var description: String {
        switch self {
        case .corrupt(let path, let detail):
            return "the catalog \(path) is corrupt or not an SQLite database (\(detail)); fmnist will not overwrite it"
        case .newerSchema(let path, let found, let supported):
            return "the catalog \(path) has schema version \(found), newer than the \(supported) this fmnist \(FMNISTCoreVersion.string) understands"
        case .cannotOpen(let path, let detail):
            return "cannot open the catalog \(path): \(detail)"
        case .readOnly(let path):
            return "the catalog \(path) is read-only; this command needs to write to it"
        case .busy(let path):
            return "the catalog \(path) stayed locked by another process for longer than the busy timeout"
        case .diskFull(let path):
            return "the disk holding the catalog \(path) is full"
        case .sqlite(let path, let error):
            return "catalog \(path): \(error.description)"
        }
    }

    public var remedy: Remedy? {
        switch self {
        case .corrupt(let path, _): return .moveCatalogAside(path: path)
        case .newerSchema: return .upgrade
        case .cannotOpen, .readOnly: return .checkCatalogAccess
        case .busy: return .retry
        case .diskFull: return .freeDiskSpace
        case .sqlite: return nil
        }
    }

    /// Whether the file system holding `path` has no space left (SQLite reports a full disk
    /// during WAL/shm growth as an I/O error).
    static func fileSystemIsFull(_ path: String) -> Bool {
        var info = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else { return false }
        return info.f_bavail == 0
    }

    /// Maps a low-level SQLite error on `path` to the case a person can act on.
    static func from(_ error: SQLiteError, path: String) -> CatalogError {
        let code = error.primaryCode
        if error.isCorruption { return .corrupt(path: path, detail: error.message) }
        if error.isBusy { return .busy(path: path) }
        if code == 8 /* SQLITE_READONLY */ { return .readOnly(path: path) }
        if code == 13 /* SQLITE_FULL */ { return .diskFull(path: path) }
        if code == 10 /* SQLITE_IOERR */, Self.fileSystemIsFull(path) { return .diskFull(path: path) }
        if code == 14 /* SQLITE_CANTOPEN */ { return .cannotOpen(path: path, detail: error.message) }
        return .sqlite(path: path, error: error)
    }
}
