import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// `fmnist doctor`'s scan and judgement over synthetic trees: bounds (only candidates are read,
/// no loop through symlinks, no blocking on a FIFO) and the place rules of ``LoaderLayout``.
@Suite struct DoctorScanTests {
    static func tree(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func placesFollowTheLoaderLayouts() throws {
        let registry = try ManifestRegistry.builtin()
        func place(_ path: String) -> LoaderPlace? {
            let components = path.split(separator: "/").map(String.init)
            return LoaderLayout.place(folder: Array(components.dropLast()), name: components.last!, registry: registry)
        }
        #expect(place("/r/FashionMNIST/raw/train-images-idx3-ubyte") == LoaderPlace(loader: .torchvision, form: .uncompressed, role: .trainImages, dataset: "fashion"))
        #expect(place("/r/MNIST/raw/t10k-labels-idx1-ubyte.gz") == LoaderPlace(loader: .torchvision, form: .gzip, role: .testLabels, dataset: "mnist"))
        #expect(place("/h/.keras/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")?.loader == .keras)
        #expect(place("/h/tensorflow_datasets/downloads/manual/train-labels-idx1-ubyte.gz") == LoaderPlace(loader: .tfdsManual, form: .gzip, role: .trainLabels, dataset: nil))
        #expect(place("/h/tensorflow_datasets/downloads/manual/mnist/train-labels-idx1-ubyte.gz")?.dataset == "mnist")
        #expect(place("/out/fashion_mnist/train-labels-idx1-ubyte.gz") == LoaderPlace(loader: .tfdsManual, form: .gzip, role: .trainLabels, dataset: "fashion"))
        #expect(place("/h/tensorflow_datasets/downloads/fashion-mnist.s3-website.eu-central-1.amazonaws.com_t10k-labels-idx1-ubyteABC.gz")
            == LoaderPlace(loader: .tfdsDownloads, form: .gzip, role: .testLabels, dataset: "fashion"))
        #expect(place("/h/.cache/swift-models/datasets/MNIST/train-images-idx3-ubyte")?.loader == .swiftModels)
        #expect(place("/p/data/fashion/train-images-idx3-ubyte.gz") == LoaderPlace(loader: .seedLoader, form: .gzip, role: .trainImages, dataset: "fashion"))
        #expect(place("/p/MNIST_data/t10k-images.idx3-ubyte") == LoaderPlace(loader: .tf1ReadDataSets, form: .uncompressed, role: .testImages, dataset: "mnist"))
        #expect(place("/p/MNIST_data/notes.txt") == nil)
        // export writes where doctor looks.
        #expect(place("/x/" + LoaderLayout.kerasFolder(try registry.manifest(named: "fashion")).joined(separator: "/") + "/train-images-idx3-ubyte.gz")?.loader == .keras)
        #expect(place("/x/" + LoaderLayout.torchvisionRaw(try registry.manifest(named: "mnist")).joined(separator: "/") + "/train-images-idx3-ubyte")?.dataset == "mnist")
    }

    /// The measurement the brief asks for: 10,000 unrelated files (plus a symlink loop and a FIFO)
    /// around four candidates; only the candidates are opened, and the scan is fast.
    /// What is not a published file but sits in a loader's place is the layouts' to name: keras's
    /// own `mnist.npz`, torchvision's `processed/` cache beside `raw/` (only with `.pt` files in it).
    @Test func theLayoutsNameKerasNPZAndAStaleTorchvisionCache() throws {
        let registry = try ManifestRegistry.builtin()
        let root = try Self.tree("extras")
        defer { try? FileManager.default.removeItem(at: root) }
        let keras = root.appendingPathComponent("keras/datasets")
        try FileManager.default.createDirectory(at: keras, withIntermediateDirectories: true)
        try Data("npz".utf8).write(to: keras.appendingPathComponent("mnist.npz"))
        try Data("npz".utf8).write(to: keras.appendingPathComponent("other.npz"))
        for (folder, files) in [("torch/FashionMNIST", ["training.pt"]), ("torch/MNIST", ["notes.txt"]), ("nowhere/Other", ["training.pt"])] {
            let base = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: base.appendingPathComponent("raw"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: base.appendingPathComponent("processed"), withIntermediateDirectories: true)
            for name in files { try Data("x".utf8).write(to: base.appendingPathComponent("processed/" + name)) }
        }
        let scanner = DoctorScanner(registry: registry)
        scanner.scan(root)
        let found = scanner.candidates.map { ($0.path.replacingOccurrences(of: root.path + "/", with: ""), $0.kind) }
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.0 == "keras/datasets/mnist.npz" && $0.1 == .kerasNPZ(dataset: "mnist") })
        #expect(found.contains { $0.0 == "torch/FashionMNIST/processed" && $0.1 == .staleProcessed(dataset: "fashion") })
    }

    @Test func tenThousandUnrelatedFilesAreListedButNotRead() throws {
        let (registry, payloads) = try syntheticRegistry()
        let root = try Self.tree("bound")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in 0..<100 {
            let dir = root.appendingPathComponent("project/\(folder)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for file in 0..<100 {
                let fd = open(dir.appendingPathComponent("f\(file).bin").path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
                #expect(fd >= 0 && write(fd, "abc", 3) == 3)
                close(fd)
            }
        }
        let place = root.appendingPathComponent("project/synthetic")
        try FileManager.default.createDirectory(at: place, withIntermediateDirectories: true)
        for role in [FileRole.trainLabels, .testLabels] {
            let name = "\(role.fileStem)-idx1-ubyte.gz"
            try Data(SyntheticIDX.gzip(payloads[role]!)).write(to: place.appendingPathComponent(name))
        }
        try Data("<html>404</html>".utf8).write(to: place.appendingPathComponent("train-images-idx3-ubyte.gz"))
        #expect(mkfifo(place.appendingPathComponent("t10k-images-idx3-ubyte.gz").path, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("project/0/loop").path, withDestinationPath: root.path)
        let start = Date()
        let service = DoctorService(layout: WorkspaceLayout(root: root.appendingPathComponent("no-workspace")), registry: registry, defaultLocations: [])
        let report = try service.run(paths: [root], fix: false)
        let seconds = Date().timeIntervalSince(start)
        print("doctor scan of 10,000 unrelated files: \(String(format: "%.3f", seconds)) s, \(report.entriesSeen) entries, \(report.filesRead) files read")
        #expect(report.filesRead == 4)
        #expect(report.entriesSeen >= 10_000 + 4)
        #expect(report.findings.count == 4)
        let byName = Dictionary(uniqueKeysWithValues: report.findings.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(byName["train-labels-idx1-ubyte.gz"]?.status == .ok)
        #expect(byName["train-labels-idx1-ubyte.gz"]?.loader == .seedLoader)
        #expect(byName["train-images-idx3-ubyte.gz"]?.status == .notData)
        #expect(byName["train-images-idx3-ubyte.gz"]?.fault == "html_page")
        #expect(byName["t10k-images-idx3-ubyte.gz"]?.status == .notData)
        #expect(byName["t10k-images-idx3-ubyte.gz"]?.message.contains("FIFO") == true)
        #expect(seconds < 10)
    }

    @Test func aFlatFolderTakesTheDatasetMostOfItsFilesAgreeOn() throws {
        let (registry, payloads) = try syntheticRegistry()
        let root = try Self.tree("flat")
        defer { try? FileManager.default.removeItem(at: root) }
        let manual = root.appendingPathComponent("tensorflow_datasets/downloads/manual")
        try FileManager.default.createDirectory(at: manual, withIntermediateDirectories: true)
        for role in FileRole.allCases {
            try Data(SyntheticIDX.gzip(payloads[role]!)).write(to: manual.appendingPathComponent("\(role.fileStem)-idx\(role.isImages ? 3 : 1)-ubyte.gz"))
        }
        var labels = payloads[.testLabels]!
        labels[labels.count - 1] = (labels[labels.count - 1] + 1) % 10
        try Data(SyntheticIDX.gzip(labels)).write(to: manual.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let report = try DoctorService(layout: WorkspaceLayout(root: root.appendingPathComponent("none")), registry: registry, defaultLocations: [])
            .run(paths: [root], fix: false)
        #expect(report.findings.map(\.loader) == Array(repeating: .tfdsManual, count: 4))
        #expect(report.findings.filter { $0.status == .ok }.count == 3)
        let odd = try #require(report.findings.first { $0.status != .ok })
        #expect(odd.status == .unknown)
        #expect(odd.expectedDataset == "synthetic")
        #expect(report.exitStatus == .integrity)
    }

    /// Valid IDX data of another kind (labels of 47 classes, more images than any known file, an
    /// IDX of floats or of another rank, plain or gzip'd) is `unknown` and left alone by --fix;
    /// broken bytes (a cut .gz, more bytes than the header declares, an HTML page) are not.
    @Test func validDataOfAnotherKindIsUnknownAndLeftAlone() throws {
        let (registry, _) = try syntheticRegistry()
        let root = try Self.tree("other-kind")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("emnist_data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func header(_ magic: [UInt8], _ dims: [UInt32]) -> [UInt8] { magic + dims.flatMap(SyntheticIDX.bigEndian) }
        let planted: [(String, [UInt8])] = [
            ("train-labels-idx1-ubyte.gz", SyntheticIDX.gzip(SyntheticIDX.labels((0..<94).map { UInt8($0 % 47) }))),
            // Declares 70,000 images (54.9 MB), more than the largest known payload (47 MB).
            ("train-images-idx3-ubyte.gz", SyntheticIDX.gzip(header([0, 0, 8, 3], [70_000, 28, 28]) + [UInt8](repeating: 0, count: 70_000 * 784))),
            ("t10k-images-idx3-ubyte", header([0, 0, 0x0D, 3], [2, 28, 28]) + [UInt8](repeating: 1, count: 2 * 784 * 4)),
            ("t10k-images.idx3-ubyte.gz", SyntheticIDX.gzip(header([0, 0, 8, 2], [28, 28]) + [UInt8](repeating: 2, count: 784))),
        ]
        let broken: [(String, [UInt8], DoctorStatus)] = [
            ("t10k-labels-idx1-ubyte.gz", Array(SyntheticIDX.gzip(SyntheticIDX.labels([1, 2, 3, 4, 5, 6, 7, 8])).dropLast(9)), .damaged),
            ("train-labels.idx1-ubyte", SyntheticIDX.labels([1, 2, 3]) + [4, 4], .damaged),
            ("t10k-labels.idx1-ubyte.gz", Array("<!doctype html><p>moved</p>".utf8), .notData),
        ]
        for (name, bytes) in planted { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        for (name, bytes, _) in broken { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        let before = try planted.map { try Data(contentsOf: folder.appendingPathComponent($0.0)) }

        let service = DoctorService(layout: WorkspaceLayout(root: root.appendingPathComponent("no-workspace")), registry: registry, defaultLocations: [])
        let report = try service.run(paths: [root], fix: true)
        let byName = Dictionary(uniqueKeysWithValues: report.findings.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(report.findings.count == planted.count + broken.count)
        for (name, _) in planted {
            #expect(byName[name]?.status == .unknown, "\(name): \(byName[name]?.message ?? "not found")")
            #expect(byName[name]?.fix?.action == .leftAlone)
        }
        #expect(byName["train-labels-idx1-ubyte.gz"]?.message.contains("labels 0…46") == true)
        #expect(byName["train-images-idx3-ubyte.gz"]?.fault == "decompression_bomb")
        for (name, _, status) in broken {
            #expect(byName[name]?.status == status, "\(name): \(byName[name]?.message ?? "not found")")
            // No workspace to repair from: the fix asks for the fetch (it would have replaced them).
            #expect(byName[name]?.fix?.action == .needsFetch)
        }
        #expect(try planted.map { try Data(contentsOf: folder.appendingPathComponent($0.0)) } == before)
        #expect(report.repairable == broken.count)
        #expect(report.exitStatus == .integrity)
    }

    /// A write never goes through a symlink anywhere on the way: the folder is opened from `/`
    /// component by component with O_NOFOLLOW, and the refusal names the link.
    @Test func noSymlinkOnTheWayIsFollowedWhenRepairing() throws {
        let root = try Self.tree("no-follow")
        defer { try? FileManager.default.removeItem(at: root) }
        let real = root.appendingPathComponent("real/inner")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        let link = root.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: root.appendingPathComponent("real"))
        #expect(DoctorPaths.firstSymlink(in: link.appendingPathComponent("inner/file.gz").path) == link.path)
        #expect(DoctorPaths.firstSymlink(in: real.appendingPathComponent("file.gz").path) == nil)
        #expect(throws: ExportError.foreignSymlink(path: link.path)) {
            _ = try ExportDirectory.openExisting(noSymlinkIn: link.appendingPathComponent("inner"))
        }
        let opened = try ExportDirectory.openExisting(noSymlinkIn: real)
        try opened.writeFile("x", Array("ok".utf8), replacing: false)
        #expect(try String(contentsOf: real.appendingPathComponent("x"), encoding: .utf8) == "ok")
        #expect(throws: (any Error).self) { _ = try ExportDirectory.openExisting(noSymlinkIn: root.appendingPathComponent("missing")) }

        // A finding below the link is refused before anything is opened, naming the link and its target.
        let finding = DoctorFinding(
            path: link.appendingPathComponent("inner/train-labels-idx1-ubyte.gz").path, status: .damaged, loader: .tf1ReadDataSets,
            identity: nil, dataset: nil, version: nil, role: nil, expected: "MNIST's train-labels", expectedDataset: "mnist",
            expectedRole: .trainLabels, form: .gzip, message: "cut", fault: "truncated_gzip", linkedThrough: nil, fix: nil)
        let refusal = try #require(DoctorRepair.refusal(finding, inWorkspace: false))
        #expect(refusal.action == .refused)
        #expect(refusal.message.contains(link.path) && refusal.message.contains(root.appendingPathComponent("real").path))
    }
}
