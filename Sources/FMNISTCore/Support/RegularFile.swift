import Foundation

/// Errors reading a local file (as opposed to faults in its bytes): missing, not a regular file,
/// unreadable. `exitStatus` is chosen by the caller (a missing data file is `.missing`, a FIFO
/// where a manifest should be is `.usage`, one inside `.fmnist/` is `.workspace`).
public struct FileAccessError: FMNISTError {
    public let path: String
    public let problem: String
    public let exitStatus: ExitStatus
    /// Advice given in the command line's words when the remedy (if any) does not say it.
    private let givenHint: String?
    public let remedy: Remedy?
    public init(path: String, problem: String, exitStatus: ExitStatus = .missing, hint: String? = nil, remedy: Remedy? = nil) {
        self.path = path
        self.problem = problem
        self.exitStatus = exitStatus
        self.givenHint = hint
        self.remedy = remedy
    }
    public var hint: String? { givenHint ?? remedy?.commandLine }
    public var description: String { "\(path): \(problem)" }
}

/// What a path is, from its `st_mode`, in the words an error message uses.
public enum FileKind: Sendable, Equatable {
    case regular, directory, fifo, socket, characterDevice, blockDevice, symbolicLink, other

    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    /// "a named pipe (FIFO)", "a directory", …
    public var phrase: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a directory"
        case .fifo: return "a named pipe (FIFO)"
        case .socket: return "a socket"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .symbolicLink: return "a symbolic link"
        case .other: return "not a file"
        }
    }

    /// "is a named pipe (FIFO), not a regular file".
    public var refusal: String { "is \(phrase), not a regular file" }
}

/// The one way fmnist opens a file for reading: without blocking, and only if it is a regular file.
///
/// A named pipe, device or socket where a data file, manifest or configuration should be would
/// block a plain `open`/`read` forever (while the workspace lock is held). Every read goes through
/// here instead: `open` with `O_NONBLOCK` (a FIFO without a writer opens at once), `fstat` on the
/// descriptor (no race with a rename), refuse anything but `S_IFREG` with a ``FileAccessError``
/// that names the path and what it is, then clear `O_NONBLOCK`.
///
/// ```swift
/// let fd = try RegularFile.openForReading("/data/fashion/t10k-labels-idx1-ubyte.gz")
/// defer { close(fd) }
/// let config = try RegularFile.read(layout.configFile.path, limit: 1 << 20, exitStatus: .usage)
/// ```
public enum RegularFile {
    /// Opens `path` read-only. `followSymlinks: false` refuses a symbolic link as the last
    /// component (`O_NOFOLLOW`), for paths inside the workspace that fmnist made itself.
    /// Returns a blocking descriptor positioned at 0; the caller closes it.
    public static func openForReading(
        _ path: String, followSymlinks: Bool = true, exitStatus: ExitStatus = .integrity, hint: String? = nil
    ) throws(FileAccessError) -> Int32 {
        try open(path, flags: O_RDONLY, followSymlinks: followSymlinks, exitStatus: exitStatus, hint: hint)
    }

    /// Opens `path` for appending, creating it (mode 0644) if absent; never follows a symbolic
    /// link and never blocks on a FIFO (one without a reader fails at once with `ENXIO`).
    public static func openForAppending(
        _ path: String, exitStatus: ExitStatus = .workspace, hint: String? = nil
    ) throws(FileAccessError) -> Int32 {
        try open(path, flags: O_WRONLY | O_CREAT | O_APPEND, followSymlinks: false, exitStatus: exitStatus, hint: hint)
    }

    /// Reads a whole (small) regular file, refusing one larger than `limit` bytes.
    public static func read(
        _ path: String, limit: Int, followSymlinks: Bool = true, exitStatus: ExitStatus = .usage, hint: String? = nil
    ) throws(FileAccessError) -> Data {
        let fd = try openForReading(path, followSymlinks: followSymlinks, exitStatus: exitStatus, hint: hint)
        defer { close(fd) }
        var data = Data()
        var tooLarge = false
        let failure = DescriptorIO.forEachChunk(fd, size: 64 * 1024) { chunk in
            tooLarge = data.count + chunk.count > limit
            if !tooLarge { data.append(contentsOf: chunk) }
            return !tooLarge
        }
        if let failure {
            throw FileAccessError(path: path, problem: "read failed (\(String(cString: strerror(failure))))", exitStatus: exitStatus, hint: hint)
        }
        if tooLarge {
            throw FileAccessError(path: path, problem: "is larger than \(limit) bytes; refusing to read it", exitStatus: exitStatus, hint: hint)
        }
        return data
    }

    /// What `path` is (following symbolic links unless told not to), or nil when it does not exist.
    public static func kind(at path: String, followSymlinks: Bool = true) -> FileKind? {
        var info = stat()
        let result = followSymlinks ? stat(path, &info) : lstat(path, &info)
        return result == 0 ? FileKind(mode: info.st_mode) : nil
    }

    /// Why `path` cannot be read as a regular file ("is a named pipe (FIFO), not a regular file"),
    /// or nil when it can. Never opens the file.
    public static func problem(at path: String, followSymlinks: Bool = true) -> String? {
        guard let kind = kind(at: path, followSymlinks: followSymlinks) else {
            return errno == ENOENT ? "file is missing" : "cannot be read (\(String(cString: strerror(errno))))"
        }
        return kind == .regular ? nil : kind.refusal
    }

    private static func open(
        _ path: String, flags: Int32, followSymlinks: Bool, exitStatus: ExitStatus, hint: String?
    ) throws(FileAccessError) -> Int32 {
        var flags = flags | O_NONBLOCK | O_CLOEXEC
        if !followSymlinks { flags |= O_NOFOLLOW }
        let fd = Foundation.open(path, flags, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw FileAccessError(path: path, problem: "file is missing", exitStatus: .missing, hint: hint) }
            // O_NOFOLLOW on a link, or a FIFO without a reader opened for writing: say what it is.
            if code == ELOOP || code == ENXIO || code == EISDIR,
                let kind = kind(at: path, followSymlinks: followSymlinks), kind != .regular
            {
                let problem = kind == .symbolicLink ? "is a symbolic link fmnist did not make, not a regular file" : kind.refusal
                throw FileAccessError(path: path, problem: problem, exitStatus: exitStatus, hint: hint)
            }
            throw FileAccessError(
                path: path, problem: "cannot be opened (\(String(cString: strerror(code))))", exitStatus: exitStatus, hint: hint)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let message = String(cString: strerror(errno))
            Foundation.close(fd)
            throw FileAccessError(path: path, problem: "cannot be examined (\(message))", exitStatus: exitStatus, hint: hint)
        }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else {
            Foundation.close(fd)
            throw FileAccessError(path: path, problem: kind.refusal, exitStatus: exitStatus, hint: hint)
        }
        let current = fcntl(fd, F_GETFL)
        if current >= 0 { _ = fcntl(fd, F_SETFL, current & ~O_NONBLOCK) }
        return fd
    }
}
