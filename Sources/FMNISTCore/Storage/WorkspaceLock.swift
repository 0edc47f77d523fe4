import Foundation

/// Who holds the workspace lock: written into `.fmnist/lock` by the holder.
public struct LockHolder: Sendable, Codable, Equatable, CustomStringConvertible {
    public let pid: Int32
    /// The fmnist subcommand, e.g. "fetch".
    public let command: String
    public let since: Date
    /// The holder's host, for a lease on a shared file system (nil for the local flock).
    public let host: String?

    public init(pid: Int32, command: String, since: Date, host: String? = nil) {
        self.pid = pid
        self.command = command
        self.since = since
        self.host = host
    }

    /// e.g. "fmnist fetch (pid 1234, since 2026-01-02T10:11:12Z)", or with a host
    /// "fmnist fetch (pid 1234 on node-a, since 2026-01-02T10:11:12Z)".
    public var description: String {
        "fmnist \(command) (pid \(pid)\(host.map { " on \($0)" } ?? ""), since \(ISO8601DateFormatter().string(from: since)))"
    }
}

/// The workspace's advisory lock: `flock(2)` on `.fmnist/lock`. Mutating commands (fetch, switch,
/// import) hold it for their whole run; read-only commands do not need it.
///
/// The kernel drops the lock when its holder exits, however it exits, so a killed process never
/// blocks the next one. Two file descriptors contend even within one process.
///
/// On a shared file system (``SharedFileSystem``: NFS, SMB, CephFS, Lustre, GPFS, FUSE, …), where a
/// flock taken on one host is invisible on another, the lock is a ``WorkspaceLease`` instead.
///
/// ```swift
/// let lock = try WorkspaceLock.acquire(layout, command: "switch", timeout: 600) { message in
///     console.info(message)   // "waiting for fmnist fetch (pid 1234, since …) to release the workspace lock"
/// }
/// defer { lock.release() }
/// ```
public final class WorkspaceLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    /// What this process wrote into the lock file.
    public let holder: LockHolder
    private var descriptor: Int32
    /// The lease taken instead of the flock on a shared file system.
    public let lease: WorkspaceLease?
    private let mutex = NSLock()

    /// The workspace, for a lease's release (its per-process partials go back to their shared names).
    private let layout: WorkspaceLayout?

    private init(path: String, descriptor: Int32, holder: LockHolder, lease: WorkspaceLease? = nil, layout: WorkspaceLayout? = nil) {
        self.path = path
        self.descriptor = descriptor
        self.holder = holder
        self.lease = lease
        self.layout = layout
    }

    deinit { release() }

    /// Takes the lock, waiting while another process holds it.
    ///
    /// - Parameters:
    ///   - command: the subcommand name written into the lock file for others to see.
    ///   - timeout: seconds to wait at most (nil waits forever); then ``WorkspaceError/lockTimeout(holder:waited:)``.
    ///   - onWait: called once when the lock is busy, and again when its holder changes, with a message naming the holder.
    ///   - sweep: run ``WorkspaceJanitor/sweep(_:)`` once the lock is held (`gc` sweeps itself, to count what it frees).
    ///   - fileSystem: the workspace's file system (measured when nil): a shared one takes a ``WorkspaceLease``.
    public static func acquire(
        _ layout: WorkspaceLayout, command: String, timeout: TimeInterval? = nil, pollInterval: TimeInterval = 0.05,
        sweep: Bool = true, fileSystem: SharedFileSystem? = nil, onWait: (String) -> Void = { _ in }
    ) throws -> WorkspaceLock {
        let path = layout.lockFile.path
        try WorkspaceBoundary(layout: layout).checkPrivateArea()
        do {
            try WorkspaceBoundary(layout: layout).ensureOwnedDirectory(layout.privateDirectory)
        } catch let error as WorkspaceError {
            if case .foreignSymlink = error { throw error }
            throw WorkspaceError.lockFailed(path: path, detail: "cannot create \(layout.privateDirectory.path): \(error)")
        }
        let fileSystem = fileSystem ?? layout.fileSystem
        if fileSystem.isShared {
            let lease = try WorkspaceLease.acquire(
                layout, command: command, timeout: timeout, pollInterval: max(0.1, pollInterval), onWait: onWait)
            if sweep {
                WorkspaceJanitor.sweep(layout)
                PartialDownload.consolidate(layout)
            }
            return WorkspaceLock(path: lease.path, descriptor: -1, holder: lease.record.holder, lease: lease, layout: layout)
        }
        // The lock is taken on the private directory itself, which cannot be deleted while it holds
        // files: removing `.fmnist/lock` cannot let a second writer in. The file only names the holder.
        let directory = open(layout.privateDirectory.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { throw WorkspaceError.lockFailed(path: path, detail: String(cString: strerror(errno))) }
        let start = Date()
        var announced: LockHolder?? = .none
        while flock(directory, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                close(directory)
                throw WorkspaceError.lockFailed(path: path, detail: String(cString: strerror(code)))
            }
            let current = readHolder(path: path)
            if announced == nil || announced! != current {
                announced = .some(current)
                onWait("waiting for \(current?.description ?? "another fmnist process") to release the workspace lock (\(path))")
            }
            if let timeout, Date().timeIntervalSince(start) >= timeout {
                close(directory)
                throw WorkspaceError.lockTimeout(holder: current, waited: Date().timeIntervalSince(start))
            }
            usleep(useconds_t(max(0.001, pollInterval) * 1_000_000))
        }
        let fd = directory
        let holder = LockHolder(pid: getpid(), command: command, since: Date())
        write(holder, path: path)
        // Whatever a killed writer left in .fmnist/tmp or as hidden placement names is now ours to remove.
        if sweep { WorkspaceJanitor.sweep(layout) }
        return WorkspaceLock(path: path, descriptor: fd, holder: holder)
    }

    /// Who holds the lock now, or nil when it is free. Does not take it.
    public static func currentHolder(_ layout: WorkspaceLayout, fileSystem: SharedFileSystem? = nil) -> LockHolder? {
        if (fileSystem ?? layout.fileSystem).isShared { return WorkspaceLease.currentHolder(layout) }
        let fd = open(layout.privateDirectory.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readHolder(path: layout.lockFile.path)
    }

    /// Releases the lock (also done on deinit and by the kernel at exit). Safe to call twice.
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        if let lease {
            if lease.isHeld, let layout { PartialDownload.consolidate(layout) }
            lease.release()
            return
        }
        guard descriptor >= 0 else { return }
        let file = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if file >= 0 {
            _ = ftruncate(file, 0)
            close(file)
        }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    /// Writes the holder into the lock file (never through a symlink, never into a FIFO).
    private static func write(_ holder: LockHolder, path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard var text = (try? encoder.encode(holder)).map({ String(decoding: $0, as: UTF8.self) }) else { return }
        text += "\n"
        _ = ftruncate(fd, 0)
        text.withUTF8 { _ = pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    private static func readHolder(path: String) -> LockHolder? {
        guard let fd = try? RegularFile.openForReading(path, followSymlinks: false) else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(LockHolder.self, from: Data(buffer[0..<count]))
    }
}
