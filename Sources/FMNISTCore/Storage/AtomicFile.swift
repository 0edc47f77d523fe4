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
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WorkspaceError.posix("create", temporary.path) }
        var done = false
        defer { if !done { unlink(temporary.path) } }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = WorkspaceError.posix("write", temporary.path)
                close(fd)
                throw error
            }
            offset += written
        }
        _ = fsync(fd)
        close(fd)
        if rename(temporary.path, url.path) != 0 { throw WorkspaceError.posix("rename into place", url.path) }
        done = true
        FilePaths.syncDirectory(url.deletingLastPathComponent().path)
    }
}
