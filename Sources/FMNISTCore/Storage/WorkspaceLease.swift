import Foundation

/// What `.fmnist/lease` holds: who has the workspace on a shared file system, and a renewal
/// counter that moves while the holder lives.
///
/// ```swift
/// if let record = LeaseRecord.parse(bytes) {
///     print(record.holder)   // "fmnist fetch (pid 4242 on node-a, since 2026-12-07T04:22:30Z)"
/// }
/// ```
public struct LeaseRecord: Sendable, Codable, Equatable {
    public var host: String
    public var pid: Int32
    /// The fmnist subcommand, e.g. "fetch".
    public var command: String
    public var since: Date
    /// When the holder last renewed (its own clock; for people, not for expiry).
    public var renewed: Date
    /// How long the lease lasts without a renewal, in seconds.
    public var leaseSeconds: Double
    /// How often the holder has renewed.
    public var renewals: Int
    /// Unique to one acquisition: tells this holder's file from a successor's.
    public var token: String

    public init(
        host: String, pid: Int32, command: String, since: Date, renewed: Date, leaseSeconds: Double, renewals: Int = 0,
        token: String = UUID().uuidString
    ) {
        self.host = host
        self.pid = pid
        self.command = command
        self.since = since
        self.renewed = renewed
        self.leaseSeconds = leaseSeconds
        self.renewals = renewals
        self.token = token
    }

    /// The holder as the lock reports it.
    public var holder: LockHolder { LockHolder(pid: pid, command: command, since: since, host: host) }

    /// The file's bytes (one JSON line).
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }

    /// Parses a lease file's bytes; nil for anything else (empty, torn, foreign).
    public static func parse(_ data: Data) -> LeaseRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(LeaseRecord.self, from: data),
            !record.host.isEmpty, record.pid > 0, record.leaseSeconds.isFinite, record.leaseSeconds > 0
        else { return nil }
        return record
    }
}

/// The takeover rules of a lease, as values. Expiry is judged on the waiter's own monotonic clock
/// — the lease file has not changed for a whole lease — so clocks of different hosts need not agree.
///
/// ```swift
/// let rules = LeaseRules(host: "node-a", leaseSeconds: 30)
/// rules.verdict(record, unchangedFor: 31, pidAlive: { _ in true })   // .expired
/// ```
public struct LeaseRules: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// Someone holds it: wait.
        case held
        /// The holder is on this host and its process is gone.
        case holderGone
        /// Nothing renewed it for a whole lease.
        case expired
    }

    /// This host's name.
    public let host: String
    /// The lease length this waiter assumes when the file does not say (unreadable or torn).
    public let leaseSeconds: Double

    public init(host: String, leaseSeconds: Double) {
        self.host = host
        self.leaseSeconds = leaseSeconds
    }

    /// Whether the lease described by `record` (nil: the file could not be parsed) may be taken
    /// over, after it has been seen unchanged for `unchangedFor` seconds. Another host's lease only
    /// when expired; this host's also when its process is gone.
    public func verdict(_ record: LeaseRecord?, unchangedFor: Double, pidAlive: (Int32) -> Bool) -> Verdict {
        let length = max(record?.leaseSeconds ?? leaseSeconds, leaseSeconds)
        if let record, record.host == host, !pidAlive(record.pid) { return .holderGone }
        return unchangedFor >= length ? .expired : .held
    }
}

/// The workspace lock on a shared file system: `.fmnist/lease`, created with `O_EXCL` (atomic on
/// NFSv3+, SMB, CephFS, Lustre, GPFS and SFTP), holding a ``LeaseRecord`` that a background thread
/// renews every quarter lease while it is held. Renewal, takeover and release each run under a
/// short-lived guard file (`.fmnist/lease.guard`, also `O_EXCL`), so a takeover never removes a
/// lease that was just renewed or just created.
///
/// ```swift
/// let lease = try WorkspaceLease.acquire(layout, command: "fetch", timeout: 600) { print($0) }
/// defer { lease.release() }
/// ```
public final class WorkspaceLease: @unchecked Sendable {
    /// How long a lease lasts and how often it is renewed.
    public struct Timings: Sendable, Equatable {
        public var leaseSeconds: Double
        public var renewEvery: Double
        /// A guard file unchanged this long belongs to a process that died holding it.
        public var guardStaleAfter: Double

        public init(leaseSeconds: Double = 30, renewEvery: Double? = nil, guardStaleAfter: Double = 10) {
            self.leaseSeconds = leaseSeconds
            self.renewEvery = renewEvery ?? leaseSeconds / 4
            self.guardStaleAfter = guardStaleAfter
        }
    }

    public let path: String
    public let record: LeaseRecord
    let guardPath: String
    private let timings: Timings
    private let state = NSCondition()
    private var stopped = false
    private var lost = false
    private var renewer: Thread?

    private init(path: String, guardPath: String, record: LeaseRecord, timings: Timings) {
        self.path = path
        self.guardPath = guardPath
        self.record = record
        self.timings = timings
    }

    deinit { release() }

    /// This machine's host name (the lease's `host`).
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown-host" : name
    }

    static func leasePath(_ layout: WorkspaceLayout) -> String { layout.privateDirectory.appendingPathComponent("lease").path }

    /// Whether process `pid` of this host is alive.
    static func pidAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// Takes the lease, waiting while someone holds it. `onWait` is told the holder once, and again
    /// when it changes; `timeout` (seconds, nil: forever) ends the wait with
    /// ``WorkspaceError/lockTimeout(holder:waited:)`` naming the holder and its host.
    public static func acquire(
        _ layout: WorkspaceLayout, command: String, timeout: TimeInterval?, pollInterval: TimeInterval = 0.1,
        timings: Timings = Timings(), host: String = hostName, onWait: (String) -> Void = { _ in }
    ) throws -> WorkspaceLease {
        let path = leasePath(layout)
        let guardPath = path + ".guard"
        let rules = LeaseRules(host: host, leaseSeconds: timings.leaseSeconds)
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var leaseWatch = UnchangedWatch()
        var guardWatch = UnchangedWatch()
        var announced: Data?
        while true {
            let mine = LeaseRecord(
                host: host, pid: getpid(), command: command, since: Date(), renewed: Date(), leaseSeconds: timings.leaseSeconds)
            switch try create(path, contents: mine.encoded()) {
            case .created:
                // Read back what is there: on a file system whose O_EXCL is not atomic, two creators
                // both "succeed" and only one file content survives.
                guard let back = read(path).flatMap(LeaseRecord.parse), back.token == mine.token else { continue }
                let lease = WorkspaceLease(path: path, guardPath: guardPath, record: mine, timings: timings)
                lease.startRenewing()
                return lease
            case .exists:
                break
            }
            let bytes = read(path) ?? Data()
            let current = LeaseRecord.parse(bytes)
            let unchanged = leaseWatch.observe(bytes)
            let verdict = rules.verdict(current, unchangedFor: unchanged, pidAlive: pidAlive)
            if verdict != .held {
                // Remove exactly the lease judged stale, under the guard.
                _ = withGuard(guardPath, host: host, watch: &guardWatch, staleAfter: timings.guardStaleAfter) {
                    if read(path) == bytes { unlink(path) }
                }
                leaseWatch = UnchangedWatch()
                continue
            }
            let described = describe(current)
            if announced != bytes, announced.map({ describe(LeaseRecord.parse($0)) }) != described {
                onWait("waiting for \(described) to release the workspace lease (\(path))")
            }
            announced = bytes
            if let timeout, elapsed() >= timeout {
                throw WorkspaceError.lockTimeout(holder: current?.holder, waited: elapsed())
            }
            Thread.sleep(forTimeInterval: max(0.01, pollInterval))
        }
    }

    static func describe(_ record: LeaseRecord?) -> String {
        guard let record else { return "another fmnist process (the lease file is being written)" }
        return record.holder.description
    }

    /// Who holds the lease now, or nil when it is free. Does not take it.
    public static func currentHolder(_ layout: WorkspaceLayout) -> LockHolder? {
        read(leasePath(layout)).flatMap(LeaseRecord.parse)?.holder
    }

    /// Whether this process still holds the lease (false after release, or when renewal found
    /// another holder's file: the lease had expired while this process stalled).
    public var isHeld: Bool {
        state.lock()
        defer { state.unlock() }
        return !stopped && !lost
    }

    /// Stops renewing and removes the lease file if it is still this holder's. Safe to call twice.
    public func release() {
        state.lock()
        let wasStopped = stopped
        stopped = true
        state.broadcast()
        state.unlock()
        guard !wasStopped else { return }
        var watch = UnchangedWatch()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timings.guardStaleAfter * 2e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let done = Self.withGuard(guardPath, host: record.host, watch: &watch, staleAfter: timings.guardStaleAfter) {
                if Self.read(path).flatMap(LeaseRecord.parse)?.token == record.token { unlink(path) }
            }
            if done { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    private func startRenewing() {
        let thread = Thread { [weak self] in self?.renewLoop() }
        thread.name = "fmnist-lease"
        renewer = thread
        thread.start()
    }

    private func renewLoop() {
        var current = record
        var watch = UnchangedWatch()
        while true {
            state.lock()
            let until = Date(timeIntervalSinceNow: timings.renewEvery)
            while !stopped, Date() < until { _ = state.wait(until: until) }
            let done = stopped
            state.unlock()
            if done { return }
            var stillMine = true
            _ = Self.withGuard(guardPath, host: record.host, watch: &watch, staleAfter: timings.guardStaleAfter) {
                guard Self.read(path).flatMap(LeaseRecord.parse)?.token == record.token else {
                    stillMine = false
                    return
                }
                current.renewals += 1
                current.renewed = Date()
                Self.replace(path, contents: current.encoded())
            }
            if !stillMine {
                state.lock()
                lost = true
                state.unlock()
                return
            }
        }
    }

    // MARK: - Files

    enum Creation { case created, exists }

    /// Creates `path` with `O_EXCL` and writes `contents` (synced).
    static func create(_ path: String, contents: Data) throws -> Creation {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return .exists }
            // Some servers answer another error for an existing file: OpenSSH's sftp-server sends a
            // generic failure, which sshfs reports as EPERM. The file being there is what counts.
            var info = stat()
            if lstat(path, &info) == 0 { return .exists }
            throw WorkspaceError.lockFailed(path: path, detail: String(cString: strerror(code)))
        }
        defer { close(fd) }
        let written = contents.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written != contents.count {
            let code = errno
            unlink(path)
            throw WorkspaceError.lockFailed(path: path, detail: written < 0 ? String(cString: strerror(code)) : "short write")
        }
        _ = fsync(fd)
        return .created
    }

    /// Replaces `path` by a temporary beside it renamed over it (readers see old or new, whole).
    static func replace(_ path: String, contents: Data) {
        let temporary = "\(path).\(getpid()).renew"
        unlink(temporary)
        guard (try? create(temporary, contents: contents)) == .created else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// The bytes of a small regular file (never through a symlink), nil when absent.
    static func read(_ path: String) -> Data? {
        try? RegularFile.read(path, limit: 4096, followSymlinks: false)
    }

    /// Runs `body` while holding the guard file; false (without running it) when another process
    /// holds the guard. A guard seen unchanged for `staleAfter` seconds, or left by a dead process of
    /// this host, is removed.
    static func withGuard(
        _ guardPath: String, host: String, watch: inout UnchangedWatch, staleAfter: Double, _ body: () -> Void
    ) -> Bool {
        let mine = "\(host) \(getpid()) \(UUID().uuidString)\n"
        switch (try? create(guardPath, contents: Data(mine.utf8))) ?? .exists {
        case .created:
            body()
            if read(guardPath) == Data(mine.utf8) { unlink(guardPath) }
            return true
        case .exists:
            let bytes = read(guardPath) ?? Data()
            let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
            let deadHere = fields.count >= 2 && String(fields[0]) == host && Int32(fields[1]).map { !pidAlive($0) } == true
            if deadHere || watch.observe(bytes) >= staleAfter {
                if read(guardPath) == bytes { unlink(guardPath) }
                watch = UnchangedWatch()
            }
            return false
        }
    }
}

/// How long the same bytes have been seen, on this process's monotonic clock.
struct UnchangedWatch {
    private var bytes: Data?
    private var since: UInt64 = 0

    /// Records `bytes` seen now; returns the seconds they have been seen unchanged.
    mutating func observe(_ seen: Data) -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        if bytes != seen {
            bytes = seen
            since = now
        }
        return Double(now - since) / 1e9
    }
}
