import CZlib

/// `DEST/<dataset>.npz`: a zip of four `.npy` arrays (uint8 `x_train` n×28×28, `y_train`, `x_test`,
/// `y_test`), stored uncompressed as `numpy.savez` does, loadable with `np.load(f, allow_pickle=False)`.
struct NPZExporter: DatasetExporter {
    /// `<dataset>.npz`, straight in DEST (shared with the other dataset's file).
    func part(manifest: Manifest) -> ExportPart { ExportPart(parent: [], shape: .files([manifest.name + ".npz"])) }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        let splits = try source.loadSplits(threads: target.threads)
        let (train, test) = (splits[0], splits[1])
        let name = source.manifest.name + ".npz"
        let entries = [
            ("x_train", train.images, [train.count, train.rows, train.columns]), ("y_train", train.labels, [train.count]),
            ("x_test", test.images, [test.count, test.rows, test.columns]), ("y_test", test.labels, [test.count]),
        ].map { entry, array, shape in (name: entry + ".npy", parts: [NPYFormat.header(uint8Shape: shape), array]) }
        // The entries' CRC-32s on the worker threads (largest first); the file is then written in one pass.
        let crcs = entries.map(\.parts).parallelMap(threads: target.threads, cost: { Int64($0.last!.count) }) { ZipStoreWriter.crc($0) }
        let file = try target.directory.create(name, replacing: target.replacing)
        do {
            var zip = ZipStoreWriter(file: file)
            for (entry, crc) in Swift.zip(entries, crcs) { try zip.add(entry.name, parts: entry.parts, crc: crc) }
            try zip.finish()
            try target.place(file)
        } catch {
            file.abandon()
            throw error
        }
        target.tally.path = target.directory.path(of: name)
        target.tally.usage = ["numpy.load(\"\(target.tally.path)\", allow_pickle=False)[\"x_train\"]"]
    }
}

/// The `.npy` format, version 1.0.
enum NPYFormat {
    /// The header of a C-order uint8 array of `shape`: magic, version, length, and the dict text
    /// padded with spaces to a multiple of 64 bytes, ending in a newline.
    static func header(uint8Shape shape: [Int]) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = "{'descr': '|u1', 'fortran_order': False, 'shape': \(dims), }"
        let unpadded = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(text.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8)
    }
}

/// A zip archive of stored (uncompressed) entries with their CRC-32s, written front to back.
/// Sizes stay below 4 GiB (no zip64), which every MNIST-sized array does.
struct ZipStoreWriter {
    let file: ExportFile
    private var central: [UInt8] = []
    private var entries = 0
    private var offset: UInt32 = 0

    init(file: ExportFile) { self.file = file }

    /// The CRC-32 of the concatenation of `parts`.
    static func crc(_ parts: [[UInt8]]) -> UInt {
        var crc: UInt = crc32(0, nil, 0)
        for part in parts { crc = part.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) } }
        return crc
    }

    /// Adds an entry whose bytes are the concatenation of `parts` (`crc`: their ``crc(_:)``, when
    /// the caller computed it already).
    mutating func add(_ name: String, parts: [[UInt8]], crc known: UInt? = nil) throws {
        let crc = known ?? Self.crc(parts)
        let size = parts.reduce(0) { $0 + $1.count }
        let nameBytes = Array(name.utf8)
        // DOS time 00:00, date 1980-01-01: exports are reproducible byte for byte.
        var common: [UInt8] = []
        common += le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)  // version needed, flags, method stored, time, date
        common += le32(UInt32(crc)) + le32(UInt32(size)) + le32(UInt32(size)) + le16(UInt16(nameBytes.count)) + le16(0)
        let local = le32(0x0403_4B50) + common + nameBytes
        central += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
        try file.write(local)
        for part in parts { try file.write(part) }
        offset += UInt32(local.count + size)
        entries += 1
    }

    /// Writes the central directory and its end record.
    mutating func finish() throws {
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries)) + le16(UInt16(entries))
            + le32(UInt32(central.count)) + le32(offset) + le16(0)
        try file.write(central + end)
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}
