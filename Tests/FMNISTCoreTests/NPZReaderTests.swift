import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The hand-written npz reader: zip central directory, stored and deflated entries, zip64 extra
/// fields, CRC-32, `.npy` headers, bounds, and the cross-check by identity.
@Suite struct NPZReaderTests {
    static let limits = ZipLimits(maxEntrySize: 1 << 20)

    static func write(_ bytes: [UInt8], _ folder: ScratchFolder, _ name: String = "a.npz") throws -> URL {
        let url = folder.url.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    static func read(_ bytes: [UInt8], limits: ZipLimits = limits) throws -> NPZContents {
        let folder = try ScratchFolder("npz")
        return try NPZReader.read(url: try write(bytes, folder), limits: limits)
    }

    /// The NPZFault reading `bytes` throws (nil when it reads).
    static func fault(_ bytes: [UInt8], limits: ZipLimits = limits) throws -> NPZFault? {
        do {
            _ = try read(bytes, limits: limits)
            return nil
        } catch let fault as NPZFault {
            return fault
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        var digest = MessageDigest(.sha256)
        bytes.withUnsafeBytes { digest.update($0) }
        return digest.finalize()
    }

    static func toy() throws -> (SyntheticDataset, ScratchFolder) {
        let folder = try ScratchFolder("npz-toy")
        return (try SyntheticDataset(name: "mnist", title: "MNIST", seed: 5, in: folder.url), folder)
    }

    @Test(arguments: [(SyntheticNPZ.Method.stored, false), (.deflate, false), (.stored, true), (.deflate, true)])
    func readsEntriesAndTheirIDXIdentity(method: SyntheticNPZ.Method, zip64: Bool) throws {
        let (toy, _) = try Self.toy()
        let contents = try Self.read(SyntheticNPZ.archive(SyntheticNPZ.arrays(of: toy, method: method, zip64: zip64)))
        #expect(contents.arrays.map(\.name) == ["x_train", "y_train", "x_test", "y_test"])
        let x = try #require(contents.array(named: "x_train"))
        #expect(x.header.shape == [30, 28, 28])
        #expect(x.header.isUInt8 && !x.header.fortranOrder)
        // The identity of an array is the payload SHA-256 of the IDX file it is.
        #expect(x.idxSHA256 == Self.sha256(toy.payloads[.trainImages]!))
        #expect(x.idxSize == Int64(toy.payloads[.trainImages]!.count))
        #expect(contents.array(named: "y_test")?.idxSHA256 == Self.sha256(toy.payloads[.testLabels]!))
    }

    @Test func crossCheckMatchesEveryRoleAndNamesWhatDiffers() throws {
        let (toy, scratch) = try Self.toy()
        defer { withExtendedLifetime(scratch) {} }
        let manifest = try ManifestLoader.load(directory: toy.manifestDirectory)[0]
        let artifact = ManifestArtifact(
            name: "mnist.npz", loader: "keras", url: "https://example.org/mnist.npz", size: 1, sha256: String(repeating: "0", count: 64),
            arrays: ["x_train": .trainImages, "y_train": .trainLabels, "x_test": .testImages, "y_test": .testLabels])
        var entries = SyntheticNPZ.arrays(of: toy)
        let good = ArtifactCrossCheck.check(try Self.read(SyntheticNPZ.archive(entries)), artifact: artifact, version: manifest.defaultVersion)
        #expect(good.allSatisfy { $0.matched }, "\(good)")
        // Swapped labels (same shape, other bytes), a wrong dtype, Fortran order, a missing array.
        var labels = toy.trainLabels
        labels.swapAt(0, 1)
        entries[1].bytes = SyntheticNPZ.npy(labels, shape: [30])
        entries[2].bytes = SyntheticNPZ.npy(toy.pixels(.testImages), shape: [10, 28, 28], descr: "<i1")
        entries[0].bytes = SyntheticNPZ.npy(toy.pixels(.trainImages), shape: [30, 28, 28], fortran: true)
        entries.removeLast()
        let bad = ArtifactCrossCheck.check(try Self.read(SyntheticNPZ.archive(entries)), artifact: artifact, version: manifest.defaultVersion)
        #expect(bad.map(\.matched) == [false, false, false, false])
        #expect(bad[0].problem?.contains("Fortran order") == true)
        #expect(bad[1].problem?.contains("same shape, other bytes") == true)
        #expect(bad[2].problem?.contains("dtype <i1, not uint8") == true)
        #expect(bad[3].problem == "missing from the archive")
        // Another shape.
        entries = SyntheticNPZ.arrays(of: toy)
        entries[0].bytes = SyntheticNPZ.npy(toy.pixels(.trainImages), shape: [30, 784])
        let shape = ArtifactCrossCheck.check(try Self.read(SyntheticNPZ.archive(entries)), artifact: artifact, version: manifest.defaultVersion)
        #expect(shape[0].problem == "shape (30, 784), but train-images is (30, 28, 28)")
    }

    @Test func npyVersion2HeadersRead() throws {
        let data = Array(repeating: UInt8(7), count: 12)
        let contents = try Self.read(SyntheticNPZ.archive([.init(name: "a.npy", bytes: SyntheticNPZ.npy(data, shape: [3, 4], major: 2))]))
        #expect(contents.arrays.first?.header.shape == [3, 4])
        #expect(contents.arrays.first?.dataSize == 12)
    }

    @Test func badCRCAndLyingSizesAreFaults() throws {
        let entry = SyntheticNPZ.Entry(name: "a.npy", bytes: SyntheticNPZ.npy([1, 2, 3], shape: [3]), method: .deflate)
        var crc = entry
        crc.crc = 0xDEAD_BEEF
        #expect(try Self.fault(SyntheticNPZ.archive([crc])) == .crcMismatch(name: "a.npy"))
        var stored = entry
        stored.method = .stored
        stored.crc = 1
        #expect(try Self.fault(SyntheticNPZ.archive([stored])) == .crcMismatch(name: "a.npy"))
        // A deflated entry that inflates to more than it declares: stopped at the declared size.
        var lying = entry
        lying.declaredSize = 10
        guard case .sizeMismatch(_, let declared, _)? = try Self.fault(SyntheticNPZ.archive([lying])) else {
            Issue.record("expected sizeMismatch")
            return
        }
        #expect(declared == 10)
    }

    @Test func aZipBombIsRefusedBeforeInflating() throws {
        // 4 MiB of zeros deflate to about 4 KiB; the bound is 1 MiB.
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let bomb = SyntheticNPZ.archive([.init(name: "x.npy", bytes: SyntheticNPZ.npy(zeros, shape: [zeros.count]), method: .deflate)])
        #expect(bomb.count < 64 << 10)
        guard case .entryTooLarge(let name, _, let limit)? = try Self.fault(bomb) else {
            Issue.record("expected entryTooLarge")
            return
        }
        #expect(name == "x.npy" && limit == 1 << 20)
        // The same bomb declaring a small size inflates only to that size, then stops.
        var entry = SyntheticNPZ.Entry(name: "x.npy", bytes: SyntheticNPZ.npy(zeros, shape: [zeros.count]), method: .deflate)
        entry.declaredSize = 1000
        guard case .sizeMismatch? = try Self.fault(SyntheticNPZ.archive([entry])) else {
            Issue.record("expected sizeMismatch")
            return
        }
        let many = (0..<20).map { SyntheticNPZ.Entry(name: "a\($0).npy", bytes: SyntheticNPZ.npy([1], shape: [1])) }
        #expect(try Self.fault(SyntheticNPZ.archive(many)) == .tooManyEntries(count: 20, limit: 16))
    }

    @Test func truncatedAtEveryKindOfPlaceIsAFaultNeverACrash() throws {
        let (toy, _) = try Self.toy()
        let whole = SyntheticNPZ.archive(SyntheticNPZ.arrays(of: toy))
        for cut in [0, 1, 2, 21, 100, whole.count / 2, whole.count - 23, whole.count - 1] {
            let fault = try Self.fault(Array(whole.prefix(cut)))
            #expect(fault != nil, "cut at \(cut)")
        }
        #expect(try Self.fault([]) == .empty)
    }

    @Test func garbageHTMLAndOtherFilesAreFaults() throws {
        #expect(try Self.fault(Array("<!DOCTYPE html><html><body>404</body></html>".utf8)) == .htmlPage(snippet: "<!DOCTYPE html><html><body>404</body></h"))
        if case .notZip? = try Self.fault(SyntheticIDX.gzip([1, 2, 3])) {} else { Issue.record("a gzip file is not a zip") }
        var random = SeededRandom(seed: 11)
        for length in [10, 100, 5000] {
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(try Self.fault(noise) != nil)
        }
        // A zip whose entry is not .npy, a path, or a bad .npy header.
        #expect(try Self.fault(SyntheticNPZ.archive([.init(name: "readme.txt", bytes: [1])])) == .notAnArray(name: "readme.txt"))
        if case .badEntryName? = try Self.fault(SyntheticNPZ.archive([.init(name: "../x.npy", bytes: [1])])) {} else { Issue.record("a path") }
        if case .badNPYHeader? = try Self.fault(SyntheticNPZ.archive([.init(name: "x.npy", bytes: Array("not numpy at all".utf8))])) {} else {
            Issue.record("bad magic")
        }
        var header = SyntheticNPZ.npy([1, 2], shape: [2])
        header[20] = UInt8(ascii: "@")  // inside the dict text
        if case .badNPYHeader? = try Self.fault(SyntheticNPZ.archive([.init(name: "x.npy", bytes: header)])) {} else { Issue.record("bad dict") }
        // A uint8 array whose data is shorter than its shape.
        let short = SyntheticNPZ.npy([1, 2], shape: [3])
        #expect(try Self.fault(SyntheticNPZ.archive([.init(name: "x.npy", bytes: short)])) == .arrayLengthMismatch(name: "x.npy", expected: 3, actual: 2))
    }

    @Test func aFIFOIsRefusedUnread() throws {
        let folder = try ScratchFolder("npz-fifo")
        let fifo = folder.url.appendingPathComponent("x.npz")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(throws: FileAccessError.self) { try NPZReader.read(url: fifo, limits: Self.limits) }
    }

    /// A fixture made by the real numpy (`np.savez_compressed`: deflate, zip64 local headers). CI
    /// installs python3-numpy; without it this test fails rather than skips.
    @Test func readsWhatNumpySavezCompressedWrites() throws {
        let folder = try ScratchFolder("npz-numpy")
        let url = folder.url.appendingPathComponent("real.npz")
        let script = """
            import sys, numpy as np
            x = (np.arange(5 * 28 * 28) % 251).astype(np.uint8).reshape(5, 28, 28)
            y = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
            np.savez_compressed(sys.argv[1], x_train=x, y_train=y, f=np.ones((2, 2), dtype=np.float32))
            np.savez(sys.argv[2], x_train=x)
            """
        let stored = folder.url.appendingPathComponent("stored.npz")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url.path, stored.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "python3 with numpy is needed (apt install python3-numpy): \(message)")
        let contents = try NPZReader.read(url: url, limits: Self.limits)
        #expect(contents.arrays.map(\.name) == ["x_train", "y_train", "f"])
        let pixels = (0..<(5 * 28 * 28)).map { UInt8($0 % 251) }
        let idx: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28]
        #expect(contents.array(named: "x_train")?.idxSHA256 == Self.sha256(idx + pixels))
        #expect(contents.array(named: "y_train")?.idxSHA256 == Self.sha256([0, 0, 8, 1, 0, 0, 0, 5, 3, 1, 4, 1, 5]))
        let f = try #require(contents.array(named: "f"))
        #expect(f.header.descr == "<f4" && f.idxSHA256 == nil && f.dataSize == 16)
        #expect(try NPZReader.read(url: stored, limits: Self.limits).array(named: "x_train")?.idxSHA256 == Self.sha256(idx + pixels))
    }
}
