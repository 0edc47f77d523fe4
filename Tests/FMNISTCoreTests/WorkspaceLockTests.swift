import Foundation
import Testing

@testable import FMNISTCore

/// The flock-based workspace lock, within one process and across processes.
@Suite struct WorkspaceLockTests {
    @Test func aSecondHolderWaitsNamingTheFirstThenTimesOut() throws {
        let ws = try ScratchWorkspace("lock")
        let first = try WorkspaceLock.acquire(ws.layout, command: "fetch")
        #expect(WorkspaceLock.currentHolder(ws.layout)?.command == "fetch")
        #expect(WorkspaceLock.currentHolder(ws.layout)?.pid == getpid())
        var messages: [String] = []
        let error = #expect(throws: WorkspaceError.self) {
            _ = try WorkspaceLock.acquire(ws.layout, command: "switch", timeout: 0.3, pollInterval: 0.02) { messages.append($0) }
        }
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("waiting for fmnist fetch (pid \(getpid()), since ") == true)
        #expect(messages.first?.contains("to release the workspace lock") == true)
        guard case .lockTimeout(let holder, let waited) = error else {
            Issue.record("expected lockTimeout, got \(String(describing: error))")
            return
        }
        #expect(holder?.command == "fetch")
        #expect(waited >= 0.3)
        #expect(error?.exitStatus == .workspace)
        first.release()
        #expect(WorkspaceLock.currentHolder(ws.layout) == nil)
        let second = try WorkspaceLock.acquire(ws.layout, command: "switch", timeout: 0.3)
        #expect(WorkspaceLock.currentHolder(ws.layout)?.command == "switch")
        second.release()
        second.release()  // twice is harmless
    }

    @Test func aWaiterGetsTheLockWhenAnotherProcessReleasesIt() throws {
        let ws = try ScratchWorkspace("lockproc")
        try ws.layout.createPrivateDirectories()
        // Another process takes the lock (writing a holder line like fmnist does) and holds it for a moment.
        let holder = try Self.python(
            """
            import fcntl, os, sys, time
            d = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(d, fcntl.LOCK_EX)
            f = open(sys.argv[2], 'w')
            f.write('{"pid": %d, "command": "fetch", "since": "2026-01-01T00:00:00Z"}\\n' % os.getpid()); f.flush()
            print('locked', flush=True)
            time.sleep(0.8)
            """, ws.layout.privateDirectory.path, ws.layout.lockFile.path)
        try Self.waitForLine(holder)
        var messages: [String] = []
        let start = Date()
        let lock = try WorkspaceLock.acquire(ws.layout, command: "import", timeout: 20) { messages.append($0) }
        #expect(Date().timeIntervalSince(start) > 0.3)
        #expect(messages.first?.contains("waiting for fmnist fetch (pid \(holder.processIdentifier)") == true)
        lock.release()
        holder.waitUntilExit()
    }

    @Test func aLockLeftByAKilledProcessNeverBlocks() throws {
        let ws = try ScratchWorkspace("lockkill")
        try ws.layout.createPrivateDirectories()
        let holder = try Self.python(
            """
            import fcntl, os, sys, time
            d = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(d, fcntl.LOCK_EX)
            print('locked', flush=True)
            time.sleep(60)
            """, ws.layout.privateDirectory.path)
        try Self.waitForLine(holder)
        #expect(throws: WorkspaceError.self) { _ = try WorkspaceLock.acquire(ws.layout, command: "switch", timeout: 0.1) }
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let lock = try WorkspaceLock.acquire(ws.layout, command: "switch", timeout: 2)
        lock.release()
    }

    @Test func deletingTheLockFileWhileItIsHeldDoesNotLetASecondHolderIn() throws {
        let ws = try ScratchWorkspace("lockdelete")
        let first = try WorkspaceLock.acquire(ws.layout, command: "fetch")
        defer { first.release() }
        unlink(ws.layout.lockFile.path)
        #expect(!FileManager.default.fileExists(atPath: ws.layout.lockFile.path))
        let error = #expect(throws: WorkspaceError.self) {
            _ = try WorkspaceLock.acquire(ws.layout, command: "switch", timeout: 0.2, pollInterval: 0.02)
        }
        guard case .lockTimeout = error else {
            Issue.record("expected lockTimeout, got \(String(describing: error))")
            return
        }
        // Another process too (flock is per open file description; a child has its own).
        let other = try Self.python(
            """
            import fcntl, os, sys
            d = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
            try:
                fcntl.flock(d, fcntl.LOCK_EX | fcntl.LOCK_NB); print('got it', flush=True)
            except BlockingIOError:
                print('blocked', flush=True)
            """, ws.layout.privateDirectory.path)
        other.waitUntilExit()
        let said = (other.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        #expect(String(decoding: said, as: UTF8.self) == "blocked\n")
    }

    // MARK: - Helpers

    static func python(_ script: String, _ arguments: String...) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardOutput = Pipe()
        try process.run()
        return process
    }

    /// Blocks until the child prints its first line (it holds the lock by then).
    static func waitForLine(_ process: Process) throws {
        let pipe = process.standardOutput as! Pipe
        let data = pipe.fileHandleForReading.availableData
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("locked"))
    }
}
