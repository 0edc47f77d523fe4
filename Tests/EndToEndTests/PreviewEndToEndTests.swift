import Foundation
import Testing

@Suite struct PreviewEndToEndTests {
    @Test(.realData) func previewOfCurrentWritesADecodablePNG() throws {
        let workspace = try TemporaryDirectory("preview")
        try FileManager.default.createSymbolicLink(at: workspace.path("mnist"), withDestinationURL: RealData.mnist)
        try FileManager.default.createSymbolicLink(atPath: workspace.path("current").path, withDestinationPath: "mnist")
        let out = workspace.path("sprite.png")
        let result = try FMNISTProcess.run(["preview", "current", "--root", workspace.url.path, "--out", out.path, "--per-class", "8", "--rows-per-class", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["dataset"] as? String == "mnist")
        let bytes = [UInt8](try Data(contentsOf: out))
        // PNG signature and IHDR: width = 2 + 8 × 30, height = 2 + 10 × 30.
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
        let height = Int(bytes[20]) << 24 | Int(bytes[21]) << 16 | Int(bytes[22]) << 8 | Int(bytes[23])
        #expect(width == 242 && height == 302)
        #expect(json["width"] as? Int == width && json["height"] as? Int == height)
        // An independent decoder (python's zlib) agrees on the size of the image data.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import struct, sys, zlib
            b = open(sys.argv[1], 'rb').read(); o = 8; idat = b''
            while o < len(b):
                n, = struct.unpack('>I', b[o:o+4]); t = b[o+4:o+8]
                if t == b'IHDR': w, h = struct.unpack('>II', b[o+8:o+16])
                if t == b'IDAT': idat += b[o+8:o+8+n]
                o += 12 + n
            assert len(zlib.decompress(idat)) == (w + 1) * h
            """, out.path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test func previewWithoutAnActiveDatasetSaysWhatToDo() throws {
        let workspace = try TemporaryDirectory("preview-none")
        let result = try FMNISTProcess.run(["preview", "current", "--root", workspace.url.path, "--out", workspace.path("x.png").path])
        #expect(result.status == 4)
        // Nothing here: fetch first (switching would only say to fetch).
        #expect(result.stderr.contains("fmnist fetch fashion") && !result.stderr.contains("fmnist switch"), "\(result.stderr)")
        // A dataset here but none active: switch to it.
        try FileManager.default.createDirectory(at: workspace.path("mnist"), withIntermediateDirectories: true)
        let present = try FMNISTProcess.run(["preview", "current", "--root", workspace.url.path, "--out", workspace.path("x.png").path])
        #expect(present.status == 4)
        #expect(present.stderr.contains("fmnist switch mnist"), "\(present.stderr)")
    }
}

/// `preview` proves what it draws, as `smoke-train` and `load` do: a swapped file in the live
/// version (MNIST's test labels planted in Fashion-MNIST's read-only version folder, as an
/// accident or an attacker would) is refused with exit 3, naming what the file really is, and no
/// PNG is written; a folder the catalog does not know must hold one known version's files.
@Suite struct PreviewProofEndToEndTests {
    @Test(.realData) func aSwappedLiveFileIsRefusedAndNothingIsDrawn() throws {
        let (base, root) = try DropIn.workspaceWithBoth("preview-swap")
        let out = base.path("sprite.png")
        // Before: the verified live version is drawn.
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path]).status == 0)
        let good = try FMNISTProcess.run(["preview", "current", "--root", root.path, "--out", out.path, "--json"])
        #expect(good.status == 0, "\(good.stderr)")
        try FileManager.default.removeItem(at: out)
        // Plant MNIST's t10k-labels in the live Fashion-MNIST version folder.
        let live = URL(fileURLWithPath: root.appendingPathComponent("fashion").resolvingSymlinksInPath().path)
        #expect(live.path.contains("/.fmnist/versions/fashion/"))
        #expect(chmod(live.path, 0o755) == 0)
        let planted = live.appendingPathComponent(DatasetFiles.testLabels)
        chmod(planted.path, 0o644)
        try FileManager.default.removeItem(at: planted)
        try FileManager.default.copyItem(at: RealData.mnist.appendingPathComponent(DatasetFiles.testLabels), to: planted)
        for target in ["fashion", "current"] {
            let result = try FMNISTProcess.run(["preview", target, "--root", root.path, "--out", out.path, "--json"])
            #expect(result.status == 3, "preview \(target): \(result.stderr)")
            #expect(result.stderr.contains(DatasetFiles.testLabels) && result.stderr.contains("MNIST's t10k-labels"), "\(result.stderr)")
            #expect(result.stderr.contains("refusing to draw"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "no sprite of unproven bytes")
        }
        // smoke-train refuses the same bytes (the one proven read).
        let train = try FMNISTProcess.run(["smoke-train", "fashion", "--limit", "64", "--root", root.path])
        #expect(train.status == 3, "\(train.stderr)")
    }

    @Test(.realData) func aFolderTheCatalogDoesNotKnowMustHoldKnownFilesOfItsDataset() throws {
        let base = try TemporaryDirectory("preview-unrecorded")
        let root = base.path("data")
        let fashion = root.appendingPathComponent("fashion")
        try FileManager.default.createDirectory(at: fashion, withIntermediateDirectories: true)
        for name in [DatasetFiles.testImages, DatasetFiles.testLabels] {
            try FileManager.default.copyItem(at: RealData.fashion.appendingPathComponent(name), to: fashion.appendingPathComponent(name))
        }
        let out = base.path("sprite.png")
        let good = try FMNISTProcess.run(["preview", "fashion", "--root", root.path, "--out", out.path])
        #expect(good.status == 0, "\(good.stderr)")
        try FileManager.default.removeItem(at: out)
        // MNIST's labels under Fashion-MNIST's name: named, refused.
        try FileManager.default.removeItem(at: fashion.appendingPathComponent(DatasetFiles.testLabels))
        try FileManager.default.copyItem(at: RealData.mnist.appendingPathComponent(DatasetFiles.testLabels), to: fashion.appendingPathComponent(DatasetFiles.testLabels))
        let swapped = try FMNISTProcess.run(["preview", "fashion", "--root", root.path, "--out", out.path])
        #expect(swapped.status == 3, "\(swapped.stderr)")
        #expect(swapped.stderr.contains("is MNIST's t10k-labels, not Fashion-MNIST's t10k-labels"), "\(swapped.stderr)")
        // Valid IDX of no known version (shuffled labels): refused too.
        try FileManager.default.removeItem(at: fashion.appendingPathComponent(DatasetFiles.testLabels))
        let shuffle = try DropIn.python("""
            import gzip, random, sys
            data = gzip.open(sys.argv[1]).read()
            labels = bytearray(data[8:]); random.Random(1).shuffle(labels)
            gzip.open(sys.argv[2], 'wb').write(data[:8] + bytes(labels))
            """, [RealData.fashion.appendingPathComponent(DatasetFiles.testLabels).path, fashion.appendingPathComponent(DatasetFiles.testLabels).path])
        #expect(shuffle.status == 0, "\(shuffle.stderr)")
        let unknown = try FMNISTProcess.run(["preview", "fashion", "--root", root.path, "--out", out.path])
        #expect(unknown.status == 3, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no file of a known Fashion-MNIST version"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
