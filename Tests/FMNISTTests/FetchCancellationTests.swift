import FMNIST
import FMNISTCore
import Foundation
import TestSupport
import Testing

/// The `async` fetch honours Task cancellation: a slow transfer stops about a second after
/// `cancel()`, nothing is placed, and the next call completes the fetch.
@Suite struct FetchCancellationTests {
    @Test func cancellingTheTaskStopsAFetchPromptlyAndTheNextFetchCompletes() async throws {
        let scratch = try ScratchFolder("cancel")
        let toy = try SyntheticDataset(name: "toyfashion", title: "Toy-Fashion", seed: 3, in: scratch.url)
        // 500 bytes per second for all transfers together: the four files take many seconds.
        let slow = try MirrorServer(root: toy.folder.deletingLastPathComponent(), extraArguments: ["--bandwidth", "500"])
        defer { slow.stop() }
        let workspace = try Workspace(root: scratch.url.appendingPathComponent("data"), manifests: [toy.manifestDirectory])
        let mirror = slow.url(toy.folder.lastPathComponent + "/")

        let task = Task { try await workspace.fetch("toyfashion", mirrors: [mirror]) }
        // The fetch holds the workspace lock while it runs: wait until it does, let the transfers get
        // under way, then cancel and time, on a thread of the test's own, how long until the lock is
        // free again. (Timing `await task.value` instead would add however long the test runner's
        // cooperative threads, busy with other suites, take to resume this test.)
        let layout = WorkspaceLayout(root: workspace.root)
        let started = ContinuousClock.now
        while WorkspaceLock.currentHolder(layout) == nil, ContinuousClock.now - started < .seconds(60) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(WorkspaceLock.currentHolder(layout) != nil, "the fetch never took the workspace lock")
        try await Task.sleep(for: .seconds(1))
        let stoppedAfter: Duration = await withCheckedContinuation { continuation in
            Thread {
                let cancelledAt = ContinuousClock.now
                task.cancel()
                while WorkspaceLock.currentHolder(layout) != nil, ContinuousClock.now - cancelledAt < .seconds(120) {
                    usleep(10_000)
                }
                continuation.resume(returning: ContinuousClock.now - cancelledAt)
            }.start()
        }
        let interrupted = try await task.value
        // libcurl's progress callback polls the cancellation about once a second.
        #expect(stoppedAfter < .seconds(1.5), "the fetch went on for \(stoppedAfter) after the task was cancelled")
        #expect(!interrupted.ok && interrupted.version == nil)
        #expect(interrupted.message.lowercased().contains("interrupt"), "message: \(interrupted.message)")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("data/toyfashion").path))

        // A task cancelled before it starts fetches nothing at all.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await workspace.fetch("toyfashion", mirrors: [mirror])
        }
        #expect(try await !early.value.ok)

        // The next call fetches it (the kept partial bytes resume), from a fast mirror.
        let fast = try MirrorServer(root: toy.folder.deletingLastPathComponent())
        defer { fast.stop() }
        let done = try await workspace.fetch("toyfashion", mirrors: [fast.url(toy.folder.lastPathComponent + "/")])
        #expect(done.ok, "message: \(done.message)")
        #expect(try await workspace.load("toyfashion").train.images == toy.pixels(.trainImages))
    }
}
