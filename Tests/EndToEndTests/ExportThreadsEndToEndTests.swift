import Foundation
import Testing
import TestSupport

/// The csv, png, npz and hf exports format and encode on worker threads (`FMNIST_THREADS`, default
/// the machine's cores): the files they write are the same, byte for byte, as a one-thread run's,
/// provenance files included. Synthetic versions with more images than one block of rows or images
/// (so that several blocks are made at once and must land in order), imported with `--accept-unknown`.
@Suite(.serialized) struct ExportThreadsEndToEndTests {
    static let layouts = ["csv", "png", "npz", "hf"]

    @Test(arguments: layouts)
    func twoThreadsWriteExactlyWhatOneThreadWrites(layout: String) throws {
        let base = try ScratchFolder("export-threads")
        let root = base.url.appendingPathComponent("data")
        // 1,300 train images: three CSV blocks of 512 rows, six PNG blocks of 256, two HF blocks of 1,024.
        for (folder, train, test, seed) in [("f", 1300, 700, 11), ("m", 600, 300, 4)] {
            try SyntheticFiles.writeValidFolder(base.url.appendingPathComponent(folder), train: train, test: test, seed: seed)
        }
        for (folder, dataset) in [("f", "fashion"), ("m", "mnist")] {
            let result = try FMNISTProcess.run(
                ["import", base.url.appendingPathComponent(folder).path, "--as", dataset, "--accept-unknown", "--root", root.path, "-q"])
            #expect(result.status == 0, "import \(folder): \(result.stderr)")
        }
        var trees: [String: [String: String]] = [:]
        for threads in ["1", "2", "3"] {
            let dest = base.url.appendingPathComponent("out-\(threads)")
            let result = try FMNISTProcess.run(
                ["export", layout, dest.path, "--root", root.path, "-q"], environment: ["FMNIST_THREADS": threads])
            #expect(result.status == 0, "export \(layout) with \(threads) thread(s): \(result.stderr)")
            trees[threads] = try PopulatedWorkspace.snapshot(dest, hashing: true)
        }
        let one = try #require(trees["1"])
        #expect(one.count >= 4, "the one-thread export wrote \(one.count) entries")
        #expect(!one.keys.contains { $0.contains(".fmnist-tmp-") }, "a temporary was left behind")
        for threads in ["2", "3"] {
            let other = try #require(trees[threads])
            #expect(Set(other.keys) == Set(one.keys), "\(threads) threads: different entries")
            let differing = one.keys.filter { other[$0] != one[$0] }.sorted()
            #expect(differing.isEmpty, "\(threads) threads wrote different bytes in \(differing.prefix(5))")
        }
        // The runs above read the kept payloads (`.fmnist/payload/`, proven under the lock). While
        // another process holds the lock the export inflates and proves the live `.gz` instead:
        // the same bytes, provenance file included.
        let streamed = base.url.appendingPathComponent("out-streamed")
        let busy = try ExportEndToEndTests.holdingTheWorkspaceLock(root) {
            try FMNISTProcess.run(["export", layout, streamed.path, "--root", root.path, "--json"], environment: ["FMNIST_THREADS": "2"])
        }
        #expect(busy.status == 0, "export \(layout) while the workspace is busy: \(busy.stderr)")
        #expect(busy.stdout.contains("the workspace is busy"), "\(busy.stdout)")
        let fromGz = try PopulatedWorkspace.snapshot(streamed, hashing: true)
        #expect(Set(fromGz.keys) == Set(one.keys), "from the .gz: different entries")
        let differing = one.keys.filter { fromGz[$0] != one[$0] }.sorted()
        #expect(differing.isEmpty, "from the .gz: different bytes in \(differing.prefix(5))")
    }
}
