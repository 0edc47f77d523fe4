import CZlib

/// `DEST/<dataset>.npz`: a zip of four `.npy` arrays (uint8 `x_train` n×28×28, `y_train`, `x_test`,
/// `y_test`), stored uncompressed as `numpy.savez` does, loadable with `np.load(f, allow_pickle=False)`.
struct NPZExporter: DatasetExporter {
    /// The largest piece the archive is checksummed and written in.
    static let pieceSize = 4 << 20

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
        // The entries' bytes in pieces of at most 4 MiB: their CRC-32s on the worker threads
        // (combined per entry), then the file written piece by piece, each piece by the thread
        // that takes it (its place is known), hashed in order on this one.
        let chunks = entries.enumerated().flatMap { position, entry in
            entry.parts.flatMap { part in
                stride(from: 0, to: part.count, by: Self.pieceSize).map { (entry: position, bytes: part[$0..<min(part.count, $0 + Self.pieceSize)]) }
            }
        }
        let chunkCRCs = chunks.parallelMap(threads: target.threads) { chunk in
            chunk.bytes.withUnsafeBufferPointer { crc32(crc32(0, nil, 0), $0.baseAddress, UInt32($0.count)) }
        }
        var crcs = [UInt](repeating: crc32(0, nil, 0), count: entries.count)
        for (chunk, crc) in Swift.zip(chunks, chunkCRCs) {
            crcs[chunk.entry] = crc32_combine(crcs[chunk.entry], crc, off_t(chunk.bytes.count))
        }
        var zip = ZipStoreWriter()
        var pieces: [ArraySlice<UInt8>] = []
        for (position, entry) in entries.enumerated() {
            pieces.append(zip.localHeader(entry.name, size: entry.parts.reduce(0) { $0 + $1.count }, crc: crcs[position])[...])
            pieces += chunks.filter { $0.entry == position }.map(\.bytes)
        }
        pieces.append(zip.directory()[...])
        let file = try target.directory.create(name, replacing: target.replacing)
        do {
            let all = pieces
            try file.appendPieces(sizes: all.map(\.count), width: target.threads) { all[$0] }
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

/// The framing of a zip archive of stored (uncompressed) entries with their CRC-32s, front to
/// back: ``localHeader(_:size:crc:)`` gives each entry's header (the entry's bytes follow it) and
/// ``directory()`` the archive's end; the caller writes the bytes. Sizes stay below 4 GiB (no
/// zip64), which every MNIST-sized array does.
///
/// ```swift
/// var zip = ZipStoreWriter()
/// try file.write(zip.localHeader("x.npy", size: array.count, crc: crc)); try file.write(array)
/// try file.write(zip.directory())
/// ```
struct ZipStoreWriter {
    private var central: [UInt8] = []
    private var entries = 0
    private var offset: UInt32 = 0

    /// The local header of the next entry, `size` bytes with CRC-32 `crc`, which follow it; the
    /// entry is counted in the central directory.
    mutating func localHeader(_ name: String, size: Int, crc: UInt) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        // DOS time 00:00, date 1980-01-01: exports are reproducible byte for byte.
        var common: [UInt8] = []
        common += le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)  // version needed, flags, method stored, time, date
        common += le32(UInt32(crc)) + le32(UInt32(size)) + le32(UInt32(size)) + le16(UInt16(nameBytes.count)) + le16(0)
        let local = le32(0x0403_4B50) + common + nameBytes
        central += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
        offset += UInt32(local.count + size)
        entries += 1
        return local
    }

    /// The central directory and its end record, which end the archive.
    func directory() -> [UInt8] {
        central + le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries)) + le16(UInt16(entries))
            + le32(UInt32(central.count)) + le32(offset) + le16(0)
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}
