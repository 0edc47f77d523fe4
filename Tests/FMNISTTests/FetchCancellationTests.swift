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
        try await Task.sleep(for: .seconds(1.5))  // the transfers are under way
        let cancelledAt = ContinuousClock.now
        task.cancel()
        let interrupted = try await task.value
        let stoppedAfter = ContinuousClock.now - cancelledAt
        // Alone it stops in about 0.7 s (libcurl's progress callback polls the flag about once a second);
        // the bound leaves room for the suite's parallel load on 2 cores. A fetch that ignored the
        // cancellation would run for minutes at this bandwidth.
        #expect(stoppedAfter < .seconds(5), "the fetch went on for \(stoppedAfter) after the task was cancelled")
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
