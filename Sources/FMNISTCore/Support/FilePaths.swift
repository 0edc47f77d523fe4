import Foundation

/// Path arithmetic and the few metadata calls every layer needs: lexical normalisation (no
/// symlink resolved), `realpath(3)`, `lstat(2)` that never follows a link, and a directory fsync.
///
/// ```swift
/// FilePaths.lexicallyNormalized("/a/./b/../c//d")   // "/a/c/d"
/// FilePaths.lstat("/tmp/x").map(FilePaths.isRegular) // nil when absent, false for a symlink
/// ```
package enum FilePaths {
    /// An absolute path with "." and ".." components and repeated slashes removed, without
    /// looking at the file system (no symlink is resolved).
    package static func lexicallyNormalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The absolute, lexically normalised form of a path (relative to the current directory);
    /// the form the catalog registers links by.
    package static func canonical(_ path: String) -> String {
        // Lexically: standardizing a path with ".." may resolve symlinks, the link itself included.
        lexicallyNormalized(URL(fileURLWithPath: path).path)
    }

    /// `realpath(3)` of `path`, or `path` itself when it cannot be resolved.
    package static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `lstat(2)`: the entry itself, a symlink not followed; nil when it cannot be read.
    package static func lstat(_ path: String) -> stat? {
        var info = Foundation.stat()
        return Foundation.lstat(path, &info) == 0 ? info : nil
    }

    /// Whether `info` describes a regular file.
    package static func isRegular(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }

    /// fsyncs a directory so that a rename or create in it survives a crash (best effort).
    package static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Removes a file, a symlink (not its target) or a directory tree of fmnist's own, making
    /// read-only directories writable first. Never follows a symlink.
    package static func removeTree(_ url: URL) {
        guard let info = FilePaths.lstat(url.path) else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            _ = chmod(url.path, 0o755)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
                removeTree(url.appendingPathComponent(name))
            }
            rmdir(url.path)
        } else {
            unlink(url.path)
        }
    }
}
