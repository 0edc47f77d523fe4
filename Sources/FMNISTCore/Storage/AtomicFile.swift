import Foundation

/// The one atomic write of a small file a user names (`lock --file`, `audit --card`): a temporary
/// file beside it (created with `O_EXCL | O_NOFOLLOW`), written, synced, renamed over the path,
/// and the folder synced. A path that is a symlink (never written through) or not a regular file
/// is refused; a failure leaves the old file as it was and no temporary behind.
///
/// ```swift
/// try AtomicFile.write(Array(text.utf8), to: "docs/card.md", what: "the card")
/// ```
package enum AtomicFile {
    /// Refuses `path` when it is a symlink or not a regular file (nothing there is fine).
    package static func checkTarget(_ path: String, what: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var info = stat()
        if lstat(url.path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFLNK: throw WorkspaceError.foreignSymlink(path: url.path, target: WorkspaceBoundary.linkText(url.path) ?? "?")
            default: throw WorkspaceError.fileSystem(operation: "write \(what)", path: url.path, detail: "it is not a regular file")
            }
        }
    }

    /// Writes `bytes` to `path` as described above; `what` names the file in errors ("the lock file").
    package static func write(_ bytes: [UInt8], to path: String, what: String) throws {
        try checkTarget(path, what: what)
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        try DescriptorIO.withNewFile(at: temporary.path, orThrow: { WorkspaceError.posix("create", temporary.path) }) { fd in
            if let failure = bytes.withUnsafeBytes({ DescriptorIO.writeAll(fd, $0) }) {
                throw WorkspaceError.posix("write", temporary.path, errno: failure)
            }
            _ = fsync(fd)
        }
        if rename(temporary.path, url.path) != 0 {
            let error = WorkspaceError.posix("rename into place", url.path)
            unlink(temporary.path)
            throw error
        }
        FilePaths.syncDirectory(url.deletingLastPathComponent().path)
    }
}
