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
        // The fetch holds the workspace lock while it runs. A thread of the test's own waits until it
        // does, lets the transfers get under way, cancels, and times how long until the lock is free
        // again: none of it on the test runner's cooperative threads, which other suites can keep
        // busy for many seconds (awaiting or sleeping there would time them, not the fetch).
        let layout = WorkspaceLayout(root: workspace.root)
        let stopped: Duration? = await withCheckedContinuation { continuation in
            Thread {
                let waitingSince = ContinuousClock.now
                while WorkspaceLock.currentHolder(layout) == nil, ContinuousClock.now - waitingSince < .seconds(300) {
                    usleep(5_000)
                }
                guard WorkspaceLock.currentHolder(layout) != nil else { return continuation.resume(returning: nil) }
                usleep(1_000_000)  // the transfers are under way
                let cancelledAt = ContinuousClock.now
                task.cancel()
                while WorkspaceLock.currentHolder(layout) != nil, ContinuousClock.now - cancelledAt < .seconds(300) {
                    usleep(5_000)
                }
                continuation.resume(returning: ContinuousClock.now - cancelledAt)
            }.start()
        }
        let stoppedAfter = try #require(stopped, "the fetch never took the workspace lock")
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
