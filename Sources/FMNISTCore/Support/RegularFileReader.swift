import Foundation

/// Opens files for reading only when they are regular files, without ever blocking: a named pipe,
/// a device or a socket where a data file should be is refused at once instead of hanging the
/// reader (and whatever lock it holds).
///
/// ```swift
/// let fd = try RegularFileReader.open(path)
/// defer { close(fd) }
/// ```
public enum RegularFileReader {
    /// A read-only descriptor of the regular file at `path` (following symlinks unless
    /// `noFollow`); throws ``FileAccessError`` naming the path and what it is otherwise.
    public static func open(_ path: String, noFollow: Bool = false) throws -> Int32 {
        let fd = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw FileAccessError(path: path, problem: "file is missing") }
            if code == ELOOP && noFollow {
                throw FileAccessError(path: path, problem: "is a symbolic link, expected a regular file", exitStatus: .integrity)
            }
            throw FileAccessError(path: path, problem: "cannot be opened (\(String(cString: strerror(code))))", exitStatus: .workspace)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw FileAccessError(path: path, problem: "cannot be inspected", exitStatus: .workspace)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw FileAccessError(path: path, problem: "\(kind(info.st_mode)), not a regular file", exitStatus: .integrity)
        }
        // Regular files never block; clear O_NONBLOCK anyway so reads behave as usual.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// How to name a file type for people.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "is a directory"
        case S_IFIFO: return "is a named pipe (FIFO)"
        case S_IFSOCK: return "is a socket"
        case S_IFCHR, S_IFBLK: return "is a device"
        case S_IFLNK: return "is a symbolic link"
        default: return "is not a regular file"
        }
    }
}
