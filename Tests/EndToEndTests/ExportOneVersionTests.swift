import Foundation
import Testing
import TestSupport

/// An export is exactly one version: `export --force` replaces the dataset's whole part of DEST
/// (built beside it, then swapped in), leaves the other dataset's part and the user's files
/// alone, and writes a provenance file that names the version and every file. Small synthetic
/// versions (imported with `--accept-unknown`), so this runs without FMNIST_DATA_DIR.
@Suite(.serialized) struct ExportOneVersionTests {
    /// A workspace with Fashion-MNIST v1 live (30 train images), v2 stored (20 train images) and
    /// MNIST live (12 train images).
    struct Workspace {
        /// Removed with its read-only version folders made writable first (as an unprivileged user too).
        let base: ScratchFolder
        let root: URL
        let v1: String
        let v2: String

        init(_ label: String) throws {
            let base = try ScratchFolder(label)
            let root = base.url.appendingPathComponent("data")
            for (folder, train, seed) in [("v1", 30, 3), ("v2", 20, 9), ("m", 12, 5)] {
                try SyntheticFiles.writeValidFolder(base.url.appendingPathComponent(folder), train: train, test: 10, seed: seed)
            }
            func importing(_ folder: String, as dataset: String) throws -> String {
                let result = try FMNISTProcess.run(["import", base.url.appendingPathComponent(folder).path, "--as", dataset, "--accept-unknown", "--root", root.path, "--json"])
                #expect(result.status == 0, "import \(folder): \(result.stderr)")
                return try #require((try result.json()["version"] as? [String: Any])?["id"] as? String)
            }
            let v1 = try importing("v1", as: "fashion")
            _ = try importing("m", as: "mnist")
            let v2 = try importing("v2", as: "fashion")
            (self.base, self.root, self.v1, self.v2) = (base, root, v1, v2)
        }

        /// A path in the scratch folder.
        func path(_ component: String) -> URL { base.url.appendingPathComponent(component) }

        func use(_ version: String) throws {
            let result = try FMNISTProcess.run(["switch", "fashion@\(version.prefix(12))", "--root", root.path])
            #expect(result.status == 0, "switch: \(result.stderr)")
        }

        func export(_ arguments: [String]) throws -> FMNISTProcess.Result {
            try FMNISTProcess.run(["export"] + arguments + ["--root", root.path, "--json"])
        }
    }

    /// Where each layout puts Fashion-MNIST's part and its provenance file (relative to DEST).
    struct Part: CustomTestStringConvertible, Sendable {
        let layout: String
        /// The part's folder (with a trailing slash), or its files.
        let folder: String?
        let files: [String]
        let provenance: String
        var testDescription: String { layout }

        func contains(_ path: String) -> Bool {
            if let folder { return path.hasPrefix(folder) }
            return files.contains(path) || path == provenance
        }
        /// The folder the provenance's paths are relative to ("" for DEST).
        var provenanceFolder: String { provenance.contains("/") ? String(provenance[..<provenance.lastIndex(of: "/")!]) + "/" : "" }
    }

    static let parts: [Part] = [
        Part(layout: "torchvision", folder: "FashionMNIST/", files: [], provenance: "FashionMNIST/fmnist-export.json"),
        Part(layout: "keras", folder: "datasets/fashion-mnist/", files: [], provenance: "datasets/fashion-mnist/fmnist-export.json"),
        Part(layout: "tfds", folder: "fashion_mnist/", files: [], provenance: "fashion_mnist/fmnist-export.json"),
        Part(layout: "png", folder: "fashion/", files: [], provenance: "fashion/fmnist-export.json"),
        Part(layout: "hf", folder: "fashion_mnist/", files: [], provenance: "fashion_mnist/fmnist-export.json"),
        Part(layout: "csv", folder: nil, files: ["fashion-mnist_train.csv", "fashion-mnist_test.csv"],
             provenance: "fmnist-export-csv-fashion.json"),
        Part(layout: "npz", folder: nil, files: ["fashion.npz"], provenance: "fmnist-export-npz-fashion.json"),
    ]

    /// Every entry under `dest` (hidden ones included) → "dir", "link", or "file <sha256>".
    static func tree(_ dest: URL) throws -> [String: String] { try PopulatedWorkspace.snapshot(dest, hashing: true) }

    static func provenance(_ dest: URL, _ part: Part) throws -> [String: Any] {
        let data = try Data(contentsOf: dest.appendingPathComponent(part.provenance))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The SHA-256 of the `sha256sum` listing of `files` (path → sha256), sorted bytewise, as the provenance's trees say.
    static func treeDigest(_ files: [(String, String)]) throws -> String {
        let listing = files.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { "\($0.1)  \($0.0)\n" }.joined()
        let scratch = try TemporaryDirectory("digest")
        try Data(listing.utf8).write(to: scratch.path("listing"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", scratch.path("listing").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    @Test(arguments: parts) func forceOverAnotherVersionLeavesExactlyTheNewVersionAndTheOtherPartsAlone(_ part: Part) throws {
        let ws = try Workspace("export-one-\(part.layout)")
        let dest = ws.path("dest")
        // The user's own files in DEST (and, for keras, an mnist.npz of theirs beside fashion-mnist/).
        try FileManager.default.createDirectory(at: dest.appendingPathComponent("datasets"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: dest.appendingPathComponent("notes.txt"))
        if part.layout == "keras" { try Data("user's npz".utf8).write(to: dest.appendingPathComponent("datasets/mnist.npz")) }
        let first = try ws.export([part.layout, dest.path])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Self.tree(dest)
        let others = before.filter { !part.contains($0.key) }
        #expect(try Self.provenance(dest, part)["version"].flatMap { ($0 as? [String: Any])?["id"] as? String } == ws.v1)
        if part.layout != "keras" {
            // MNIST's part was written beside it (keras skips MNIST: no published mnist.npz here).
            #expect(others.keys.contains { $0.lowercased().contains("mnist") && !$0.contains("fashion") && !$0.contains("Fashion") },
                    "\(others.keys.sorted())")
        }

        try ws.use(ws.v2)
        // Without --force: another version's export is refused, nothing changes.
        let refused = try ws.export([part.layout, dest.path, "--dataset", "fashion"])
        #expect(refused.status == 7, "\(refused.stderr)")
        #expect(refused.stderr.contains("already exists") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try Self.tree(dest) == before)

        let forced = try ws.export([part.layout, dest.path, "--dataset", "fashion", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let after = try Self.tree(dest)
        // The other dataset's part and the user's files: byte for byte as they were.
        #expect(after.filter { !part.contains($0.key) } == others)
        #expect(!after.keys.contains { $0.contains(".fmnist-tmp-") }, "left temporaries: \(after.keys.sorted())")
        // The provenance names v2, and lists exactly the files on disk (no stale one), with their digests.
        let provenance = try Self.provenance(dest, part)
        let version = try #require(provenance["version"] as? [String: Any])
        #expect(version["id"] as? String == ws.v2)
        #expect(version["short_id"] as? String == String(ws.v2.prefix(12)))
        #expect(provenance["layout"] as? String == part.layout && provenance["dataset"] as? String == "fashion")
        #expect(provenance["kind"] as? String == "fmnist-export" && provenance["schema"] as? Int == 1)
        let listed = try #require(provenance["files"] as? [[String: Any]])
        let trees = try #require(provenance["trees"] as? [[String: Any]])
        var expected: Set<String> = [part.provenance]
        for file in listed {
            let path = part.provenanceFolder + (file["path"] as? String ?? "?")
            expected.insert(path)
            #expect(after[path] == "file sha256 \(file["sha256"] as? String ?? "?")", "\(path)")
            let size = try FileManager.default.attributesOfItem(atPath: dest.appendingPathComponent(path).path)[.size] as? Int
            #expect(size == file["size"] as? Int, "\(path)")
        }
        for tree in trees {
            let prefix = part.provenanceFolder + (tree["path"] as? String ?? "?") + "/"
            let inTree = after.filter { $0.key.hasPrefix(prefix) && $0.value.hasPrefix("file ") }
            #expect(inTree.count == tree["files"] as? Int, "\(prefix)")
            let digest = try Self.treeDigest(inTree.map { (String($0.key.dropFirst(prefix.count)), String($0.value.dropFirst("file sha256 ".count))) })
            #expect(digest == tree["digest"] as? String, "\(prefix)")
            inTree.keys.forEach { expected.insert($0) }
        }
        let onDisk = Set(after.filter { part.contains($0.key) && $0.value.hasPrefix("file ") }.keys)
        #expect(onDisk == expected, "stale or unlisted: \(onDisk.symmetricDifference(expected).sorted())")
        if part.layout == "png" {
            #expect(trees.map { $0["files"] as? Int } == [20, 10])
            #expect(!onDisk.contains { $0.hasSuffix("/25.png") && $0.hasPrefix("fashion/train/") }, "a v1 image survived")
        }
        // The report agrees with the provenance.
        let report = try #require((try forced.json()["datasets"] as? [[String: Any]])?.first)
        #expect(report["files"] as? Int == provenance["file_count"] as? Int)
        #expect(report["files"] as? Int == onDisk.count - 1)
        #expect(report["provenance"] as? String == dest.appendingPathComponent(part.provenance).path)
        #expect((report["notes"] as? [String])?.contains { $0.contains("replaced") && $0.contains(String(ws.v1.prefix(12))) } == true,
                "\(report["notes"] ?? "")")

        // A second export of the same version needs no --force and gives the same files.
        let again = try ws.export([part.layout, dest.path, "--dataset", "fashion"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Set(try Self.tree(dest).filter { $0.value.hasPrefix("file ") }.keys) == Set(after.filter { $0.value.hasPrefix("file ") }.keys))
        #expect(try Self.provenance(dest, part)["version"].flatMap { ($0 as? [String: Any])?["id"] as? String } == ws.v2)
    }

    /// A DEST that is a symlink, a part that is one, a symlink inside the old part and a symlink
    /// where a provenance file goes: refused even with --force, nothing written through them.
    @Test func symlinksAreNeverWrittenThroughOrRemovedWithTheOldPart() throws {
        let ws = try Workspace("export-one-links")
        let victim = ws.path("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: victim.appendingPathComponent("keep.png"))
        let fm = FileManager.default
        func victimUntouched() throws -> Bool {
            try fm.contentsOfDirectory(atPath: victim.path) == ["keep.png"]
                && String(contentsOf: victim.appendingPathComponent("keep.png"), encoding: .utf8) == "keep"
        }
        // DEST itself.
        let linked = ws.path("linked")
        try fm.createSymbolicLink(at: linked, withDestinationURL: victim)
        let viaLink = try ws.export(["png", linked.path, "--force"])
        #expect(viaLink.status == 7 && viaLink.stderr.contains("symlink that fmnist did not make"), "\(viaLink.stderr)")
        #expect(try victimUntouched())
        // The part.
        let dest = ws.path("dest")
        try fm.createDirectory(at: dest, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: dest.appendingPathComponent("fashion"), withDestinationURL: victim)
        let partLink = try ws.export(["png", dest.path, "--dataset", "fashion", "--force"])
        #expect(partLink.status == 7 && partLink.stderr.contains("symlink that fmnist did not make"), "\(partLink.stderr)")
        #expect(try victimUntouched())
        try fm.removeItem(at: dest.appendingPathComponent("fashion"))
        // A symlink inside an old export: the old part is not replaced (its removal would meet it).
        #expect(try ws.export(["png", dest.path, "--dataset", "fashion"]).status == 0)
        try fm.createSymbolicLink(at: dest.appendingPathComponent("fashion/train/3/extra.png"), withDestinationURL: victim.appendingPathComponent("keep.png"))
        let before = try Self.tree(dest)
        try ws.use(ws.v2)
        let inside = try ws.export(["png", dest.path, "--dataset", "fashion", "--force"])
        #expect(inside.status == 7, "\(inside.stderr)")
        #expect(inside.stderr.contains("fashion/train/3/extra.png") && inside.stderr.contains("symlink"), "\(inside.stderr)")
        #expect(try Self.tree(dest) == before)
        #expect(try victimUntouched())
        // A symlink where a files part's provenance goes.
        try fm.createSymbolicLink(at: dest.appendingPathComponent("fmnist-export-npz-fashion.json"), withDestinationURL: victim.appendingPathComponent("keep.png"))
        let provenanceLink = try ws.export(["npz", dest.path, "--dataset", "fashion", "--force"])
        #expect(provenanceLink.status == 7 && provenanceLink.stderr.contains("fmnist-export-npz-fashion.json"), "\(provenanceLink.stderr)")
        #expect(!fm.fileExists(atPath: dest.appendingPathComponent("fashion.npz").path))
        #expect(try victimUntouched())
    }

    /// Temporaries that a killed export left (named `.<part>.fmnist-tmp-<pid>-<n>`) are removed
    /// by the next export of that part when their process is gone, and kept while it runs.
    @Test func leftoversOfAnInterruptedExportAreRemovedByTheNextOne() throws {
        let ws = try Workspace("export-one-leftovers")
        let dest = ws.path("dest")
        let fm = FileManager.default
        // A pid that is not running (pid_max is at most 4194304).
        let dead = (4_000_000...4_194_304).first { kill(Int32($0), 0) != 0 && errno == ESRCH }!
        let staging = dest.appendingPathComponent(".fashion.fmnist-tmp-\(dead)-1")
        try fm.createDirectory(at: staging.appendingPathComponent("train/0"), withIntermediateDirectories: true)
        try Data("half".utf8).write(to: staging.appendingPathComponent("train/0/0.png"))
        let npzTemporary = dest.appendingPathComponent(".fashion.npz.fmnist-tmp-\(dead)-2")
        try Data("half".utf8).write(to: npzTemporary)
        let running = dest.appendingPathComponent(".fashion.fmnist-tmp-\(getpid())-3")
        try fm.createDirectory(at: running, withIntermediateDirectories: true)
        let png = try ws.export(["png", dest.path, "--dataset", "fashion"])
        #expect(png.status == 0, "\(png.stderr)")
        #expect(!fm.fileExists(atPath: staging.path))
        #expect(fm.fileExists(atPath: running.path), "a running process's staging folder was removed")
        let notes = try #require((try png.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
        #expect(notes.contains { $0.contains(staging.lastPathComponent) && $0.contains("interrupted export") }, "\(notes)")
        let npz = try ws.export(["npz", dest.path, "--dataset", "fashion"])
        #expect(npz.status == 0, "\(npz.stderr)")
        #expect(!fm.fileExists(atPath: npzTemporary.path))
        // Killed between "old aside" and "new in" (file systems without an atomic exchange): the
        // part's place is empty and the old export, whole (its provenance is written last), lies
        // beside it. The next export renames it back first, then judges it: v2 without --force is
        // refused (it is v1's export), and nothing of it is lost.
        let whole = try Self.tree(dest.appendingPathComponent("fashion"))
        let aside = dest.appendingPathComponent(".fashion.fmnist-tmp-\(dead)-7")
        try fm.moveItem(at: dest.appendingPathComponent("fashion"), to: aside)
        try ws.use(ws.v2)
        let refused = try ws.export(["png", dest.path, "--dataset", "fashion"])
        #expect(refused.status == 7, "\(refused.stderr)")
        #expect(!fm.fileExists(atPath: aside.path))
        #expect(try Self.tree(dest.appendingPathComponent("fashion")) == whole)
        let forced = try ws.export(["png", dest.path, "--dataset", "fashion", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.provenance(dest, Self.parts[3])["version"].flatMap { ($0 as? [String: Any])?["id"] as? String } == ws.v2)
    }

    /// An old part with read-only folders in it (as a user or a tool may leave it) is replaced
    /// and removed completely, as root and as an unprivileged user.
    @Test func anOldPartWithReadOnlyFoldersIsReplacedAndRemovedWhole() throws {
        let ws = try Workspace("export-one-readonly")
        let dest = ws.path("dest")
        #expect(try ws.export(["png", dest.path, "--dataset", "fashion"]).status == 0)
        for folder in ["fashion/train/0", "fashion/train", "fashion/test"] {
            #expect(chmod(dest.appendingPathComponent(folder).path, 0o555) == 0)
        }
        try ws.use(ws.v2)
        let forced = try ws.export(["png", dest.path, "--dataset", "fashion", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let notes = try #require((try forced.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
        #expect(!notes.contains { $0.contains("could not") }, "\(notes)")
        let after = try Self.tree(dest)
        #expect(!after.keys.contains { $0.contains(".fmnist-tmp-") }, "\(after.keys.filter { $0.contains(".fmnist-tmp-") })")
        #expect(after.keys.filter { $0.hasPrefix("fashion/train/") && $0.hasSuffix(".png") }.count == 20)
    }

    /// A kill while the new part is being written leaves the old export whole under its name; the
    /// next export removes the killed one's staging folder. Real Fashion-MNIST makes the png export
    /// long enough to be killed midway.
    @Test(.enabled(if: RealData.available)) func aKillMidExportLeavesTheOldExportWhole() throws {
        let ws = try Workspace("export-one-kill")
        let dest = ws.path("dest")
        #expect(try ws.export(["png", dest.path, "--dataset", "fashion"]).status == 0)
        let before = try Self.tree(dest)
        let real = try FMNISTProcess.run(["import", RealData.fashion.path, "--as", "fashion", "--activate", "--root", ws.root.path])
        #expect(real.status == 0, "\(real.stderr)")
        let process = Process()
        process.executableURL = FMNISTProcess.executable
        process.arguments = ["export", "png", dest.path, "--dataset", "fashion", "--force", "--root", ws.root.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the staging folder holds a few hundred images, then kill.
        let deadline = Date().addingTimeInterval(120)
        var staging: String?
        while Date() < deadline && process.isRunning {
            staging = try FileManager.default.contentsOfDirectory(atPath: dest.path).first { $0.hasPrefix(".fashion.fmnist-tmp-") }
            if let staging, (FileManager.default.enumerator(atPath: dest.appendingPathComponent(staging).path)?.allObjects.count ?? 0) > 300 { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "the export finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killed = try #require(staging)
        let after = try Self.tree(dest)
        #expect(after.filter { !$0.key.hasPrefix(".fashion.fmnist-tmp-") } == before, "the old export changed")
        // The next export (of v1 again, small) removes the killed export's staging folder.
        try ws.use(ws.v1)
        let next = try ws.export(["png", dest.path, "--dataset", "fashion"])
        #expect(next.status == 0, "\(next.stderr)")
        let notes = try #require((try next.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
        #expect(notes.contains { $0.contains(killed) && $0.contains("interrupted export") }, "\(notes)")
        #expect(!(try Self.tree(dest)).keys.contains { $0.contains(".fmnist-tmp-") })
    }
}
