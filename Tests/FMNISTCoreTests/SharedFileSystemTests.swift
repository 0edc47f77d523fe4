import Foundation
import Testing

@testable import FMNISTCore

/// Shared file systems: statfs classification, the lease file's rules and life cycle, per-process
/// partials, the catalog's journal mode.
@Suite struct SharedFileSystemTests {
    // MARK: - Classification

    @Test func networkAndFUSEMagicsAreSharedLocalOnesAreNot() {
        let shared: [(UInt64, String)] = [
            (0x6969, "nfs"), (0x517B, "smb"), (0xFF53_4D42, "cifs"), (0xFE53_4D42, "smb2"), (0x00C3_6400, "ceph"),
            (0x0BD0_0BD0, "lustre"), (0x4750_4653, "gpfs"), (0x6573_5546, "fuse"), (0x0102_1997, "9p"), (0x5346_414F, "afs"),
        ]
        for (magic, name) in shared {
            #expect(SharedFileSystem.classify(magic: magic) == SharedFileSystem(name: name, isShared: true), "\(name)")
        }
        for (magic, name) in [(UInt64(0xEF53), "ext4"), (0x5846_5342, "xfs"), (0x9123_683E, "btrfs"), (0x0102_1994, "tmpfs")] {
            #expect(SharedFileSystem.classify(magic: magic) == SharedFileSystem(name: name, isShared: false), "\(name)")
        }
        #expect(SharedFileSystem.classify(magic: 0x1234_5678) == SharedFileSystem(name: "0x12345678", isShared: false))
        #expect(SharedFileSystem.classify(typeName: "nfs").isShared)
        #expect(SharedFileSystem.classify(typeName: "macfuse").isShared)
        #expect(!SharedFileSystem.classify(typeName: "apfs").isShared)
    }

    @Test func theOverrideVariableDecidesBothWays() throws {
        let ws = try ScratchWorkspace("fs-override")
        let measured = SharedFileSystem.detect(path: ws.layout.root.path, environment: [:])
        #expect(!measured.isOverridden)
        let forcedOn = SharedFileSystem.detect(path: ws.layout.root.path, environment: ["FMNIST_SHARED_FS": "1"])
        #expect(forcedOn.isShared && forcedOn.isOverridden && forcedOn.name == measured.name)
        let forcedOff = SharedFileSystem.detect(path: ws.layout.root.path, environment: ["FMNIST_SHARED_FS": "no"])
        #expect(!forcedOff.isShared && forcedOff.isOverridden)
        // Anything else leaves the measurement alone.
        #expect(SharedFileSystem.detect(path: ws.layout.root.path, environment: ["FMNIST_SHARED_FS": "maybe"]) == measured)
        // A path that does not exist yet is judged by its nearest existing folder.
        let deeper = SharedFileSystem.detect(path: ws.layout.root.appendingPathComponent("a/b/c").path, environment: [:])
        #expect(deeper == measured)
    }

    @Test func procIsNotSharedAndTmpfsIsNamed() {
        // /dev/shm is tmpfs on every Linux with glibc's shm_open; /proc has its own magic.
        #if os(Linux)
            if FileManager.default.fileExists(atPath: "/dev/shm") {
                #expect(SharedFileSystem.detect(path: "/dev/shm", environment: [:]).name == "tmpfs")
            }
            #expect(!SharedFileSystem.detect(path: "/proc", environment: [:]).isShared)
        #endif
    }

    @Test func journalModeIsDeleteOnSharedAndWALOnLocal() throws {
        #expect(Catalog.journalMode(for: SharedFileSystem(name: "nfs", isShared: true)) == "delete")
        #expect(Catalog.journalMode(for: SharedFileSystem(name: "ext4", isShared: false)) == "wal")
    }

    // MARK: - Lease records and rules

    static func record(host: String = "node-a", pid: Int32 = 42, lease: Double = 30) -> LeaseRecord {
        LeaseRecord(
            host: host, pid: pid, command: "fetch", since: Date(timeIntervalSince1970: 1_800_000_000),
            renewed: Date(timeIntervalSince1970: 1_800_000_010), leaseSeconds: lease, renewals: 3, token: "T")
    }

    @Test func leaseRecordsRoundTripAndBadBytesAreNotRecords() {
        let record = Self.record()
        #expect(LeaseRecord.parse(record.encoded()) == record)
        #expect(String(decoding: record.encoded(), as: UTF8.self).hasSuffix("}\n"))
        #expect(record.holder.description == "fmnist fetch (pid 42 on node-a, since 2027-01-15T08:00:00Z)")
        #expect(LeaseRecord.parse(Data()) == nil)
        #expect(LeaseRecord.parse(record.encoded().prefix(20)) == nil)  // torn
        #expect(LeaseRecord.parse(Self.record(pid: 0).encoded()) == nil)
        #expect(LeaseRecord.parse(Self.record(host: "").encoded()) == nil)
        #expect(LeaseRecord.parse(Self.record(lease: -1).encoded()) == nil)
        #expect(LeaseRecord.parse(Data("{\"pid\": 1}".utf8)) == nil)
    }

    @Test func anotherHostsLeaseIsTakenOnlyOnceExpired() {
        let rules = LeaseRules(host: "node-b", leaseSeconds: 30)
        let theirs = Self.record(host: "node-a")
        // Its pid means nothing here: a dead-looking pid on another host is no reason.
        #expect(rules.verdict(theirs, unchangedFor: 29.9, pidAlive: { _ in false }) == .held)
        #expect(rules.verdict(theirs, unchangedFor: 30, pidAlive: { _ in false }) == .expired)
        // A longer lease in the file wins over the waiter's own.
        #expect(rules.verdict(Self.record(host: "node-a", lease: 60), unchangedFor: 45, pidAlive: { _ in true }) == .held)
        // An unreadable file expires after the waiter's lease.
        #expect(rules.verdict(nil, unchangedFor: 10, pidAlive: { _ in false }) == .held)
        #expect(rules.verdict(nil, unchangedFor: 31, pidAlive: { _ in false }) == .expired)
    }

    @Test func thisHostsLeaseIsTakenWhenItsProcessIsGoneOrItExpired() {
        let rules = LeaseRules(host: "node-a", leaseSeconds: 30)
        let ours = Self.record(host: "node-a", pid: 42)
        #expect(rules.verdict(ours, unchangedFor: 0, pidAlive: { $0 != 42 }) == .holderGone)
        #expect(rules.verdict(ours, unchangedFor: 5, pidAlive: { _ in true }) == .held)
        #expect(rules.verdict(ours, unchangedFor: 31, pidAlive: { _ in true }) == .expired)
    }

    // MARK: - The lease file

    static func leaseFile(_ ws: ScratchWorkspace) throws -> URL {
        try FileManager.default.createDirectory(at: ws.layout.privateDirectory, withIntermediateDirectories: true)
        return ws.layout.privateDirectory.appendingPathComponent("lease")
    }

    @Test func aLeaseIsExclusiveNamesItsHolderAndIsRemovedOnRelease() throws {
        let ws = try ScratchWorkspace("lease")
        let file = try Self.leaseFile(ws)
        let lease = try WorkspaceLease.acquire(ws.layout, command: "fetch", timeout: 1, host: "node-a")
        let written = try #require(LeaseRecord.parse(try Data(contentsOf: file)))
        #expect(written.host == "node-a" && written.pid == getpid() && written.command == "fetch")
        #expect(WorkspaceLease.currentHolder(ws.layout)?.host == "node-a")
        var messages: [String] = []
        let error = #expect(throws: WorkspaceError.self) {
            _ = try WorkspaceLease.acquire(ws.layout, command: "switch", timeout: 0.3, host: "node-b") { messages.append($0) }
        }
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("waiting for fmnist fetch (pid \(getpid()) on node-a, since ") == true)
        guard case .lockTimeout(let holder, _) = error else {
            Issue.record("expected lockTimeout, got \(String(describing: error))")
            return
        }
        #expect(holder?.host == "node-a" && holder?.pid == getpid())
        #expect(error?.description.contains("on node-a") == true)
        lease.release()
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(WorkspaceLease.currentHolder(ws.layout) == nil)
        lease.release()  // twice is fine
    }

    @Test func aLeaseOfADeadProcessOnThisHostIsTakenAtOnce() throws {
        let ws = try ScratchWorkspace("lease-dead")
        let file = try Self.leaseFile(ws)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try Self.record(host: "node-a", pid: gone.processIdentifier, lease: 600).encoded().write(to: file)
        let started = Date()
        let lease = try WorkspaceLease.acquire(ws.layout, command: "fetch", timeout: 5, host: "node-a")
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(LeaseRecord.parse(try Data(contentsOf: file))?.pid == getpid())
        lease.release()
    }

    @Test func anotherHostsLeaseIsTakenAfterItStopsChangingForALease() throws {
        let ws = try ScratchWorkspace("lease-expired")
        let file = try Self.leaseFile(ws)
        // Its pid is this process (alive), but it is another host's: only expiry counts.
        try Self.record(host: "node-a", pid: getpid(), lease: 0.5).encoded().write(to: file)
        let timings = WorkspaceLease.Timings(leaseSeconds: 0.5)
        #expect(throws: WorkspaceError.self) {
            _ = try WorkspaceLease.acquire(ws.layout, command: "fetch", timeout: 0.3, timings: timings, host: "node-b")
        }
        let started = Date()
        let lease = try WorkspaceLease.acquire(ws.layout, command: "fetch", timeout: 5, timings: timings, host: "node-b")
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(LeaseRecord.parse(try Data(contentsOf: file))?.host == "node-b")
        lease.release()
    }

    @Test func aRenewedLeaseIsNeverTakenAndALostOneIsNotRemoved() throws {
        let ws = try ScratchWorkspace("lease-renewed")
        let file = try Self.leaseFile(ws)
        // Renewed every 0.1 s; a 2 s lease leaves room for a loaded machine's scheduling.
        let timings = WorkspaceLease.Timings(leaseSeconds: 2, renewEvery: 0.1)
        let lease = try WorkspaceLease.acquire(ws.layout, command: "fetch", timeout: 1, timings: timings, host: "node-a")
        // Longer than a lease, the holder keeps renewing: another host never takes it over.
        #expect(throws: WorkspaceError.self) {
            _ = try WorkspaceLease.acquire(ws.layout, command: "gc", timeout: 3, timings: timings, host: "node-b")
        }
        #expect((LeaseRecord.parse(try Data(contentsOf: file))?.renewals ?? 0) >= 5)
        #expect(lease.isHeld)
        // Someone else's lease in its place (as after a stall past the lease), put there under the
        // guard as a takeover does: renewal notices, release leaves it.
        var watch = UnchangedWatch()
        var replaced = false
        let giveUp = Date().addingTimeInterval(5)
        while !replaced && Date() < giveUp {
            replaced = WorkspaceLease.withGuard(lease.guardPath, host: "node-c", watch: &watch, staleAfter: 10) {
                WorkspaceLease.replace(file.path, contents: Self.record(host: "node-c", pid: 7, lease: 30).encoded())
            }
            if !replaced { usleep(5_000) }
        }
        #expect(replaced)
        let deadline = Date().addingTimeInterval(3)
        while lease.isHeld && Date() < deadline { usleep(20_000) }
        #expect(!lease.isHeld)
        lease.release()
        #expect(LeaseRecord.parse(try Data(contentsOf: file))?.host == "node-c")
    }

    @Test func aStaleGuardOfADeadProcessDoesNotBlock() throws {
        let ws = try ScratchWorkspace("lease-guard")
        let file = try Self.leaseFile(ws)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try Data("node-a \(gone.processIdentifier) x\n".utf8).write(to: URL(fileURLWithPath: file.path + ".guard"))
        let lease = try WorkspaceLease.acquire(ws.layout, command: "fetch", timeout: 2, host: "node-a")
        lease.release()
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func theWorkspaceLockTakesTheLeaseWhenTheFileSystemIsShared() throws {
        let ws = try ScratchWorkspace("lease-lock")
        let nfs = SharedFileSystem(name: "nfs", isShared: true)
        let lock = try WorkspaceLock.acquire(ws.layout, command: "switch", fileSystem: nfs)
        #expect(lock.lease != nil)
        #expect(WorkspaceLock.currentHolder(ws.layout, fileSystem: nfs)?.host == WorkspaceLease.hostName)
        #expect(throws: WorkspaceError.self) {
            _ = try WorkspaceLock.acquire(ws.layout, command: "fetch", timeout: 0.2, fileSystem: nfs)
        }
        lock.release()
        #expect(WorkspaceLock.currentHolder(ws.layout, fileSystem: nfs) == nil)
    }

    // MARK: - Per-process partials

    @Test func perProcessPartialsTakeOverTheSharedOneAndGoBackOnConsolidate() throws {
        let ws = try ScratchWorkspace("partials")
        let nfs = SharedFileSystem(name: "nfs", isShared: true)
        let shared = ws.layout.partialFile(dataset: "fashion", name: "a.gz")
        try FileManager.default.createDirectory(at: shared.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("12345".utf8).write(to: shared)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: shared.path + ".json"))
        let partial = PartialDownload(layout: ws.layout, dataset: "fashion", name: "a.gz", fileSystem: nfs)
        #expect(partial.url.lastPathComponent.hasPrefix("a.gz.part.proc-"))
        #expect(partial.url.lastPathComponent.hasSuffix("-\(getpid())"))
        #expect(partial.size == 5)  // taken over by rename
        #expect(!FileManager.default.fileExists(atPath: shared.path))
        #expect(FileManager.default.fileExists(atPath: partial.sidecarURL.path))
        let writer = try partial.openForAppend()
        try Data("67".utf8).withUnsafeBytes { try writer.write($0) }
        writer.close()
        // A dead process's leftover for another file, and one for a file whose shared partial exists.
        let folder = shared.deletingLastPathComponent()
        try Data("x".utf8).write(to: folder.appendingPathComponent("b.gz.part.proc-node-z-1"))
        try Data("new".utf8).write(to: folder.appendingPathComponent("c.gz.part"))
        try Data("old".utf8).write(to: folder.appendingPathComponent("c.gz.part.proc-node-z-2"))
        PartialDownload.consolidate(ws.layout)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["a.gz.part", "a.gz.part.json", "b.gz.part", "c.gz.part"])
        #expect(try String(contentsOf: shared, encoding: .utf8) == "1234567")
        #expect(try String(contentsOf: folder.appendingPathComponent("c.gz.part"), encoding: .utf8) == "new")
        #expect(PartialDownload.sharedName(ofProcessPartial: "x.part.proc-h-1.json") == nil)
        #expect(PartialDownload.sharedName(ofProcessPartial: "x.part") == nil)
    }

    @Test func onALocalDiskPartialsKeepTheirOneName() throws {
        let ws = try ScratchWorkspace("partials-local")
        let local = SharedFileSystem(name: "ext4", isShared: false)
        let partial = PartialDownload(layout: ws.layout, dataset: "fashion", name: "a.gz", fileSystem: local)
        #expect(partial.url == ws.layout.partialFile(dataset: "fashion", name: "a.gz"))
    }
}
