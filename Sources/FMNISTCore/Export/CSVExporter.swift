import Foundation

/// Kaggle's CSV layout: `DEST/fashion-mnist_train.csv`, `…_test.csv` (and `mnist_…`), header
/// `label,pixel1,…,pixel784`, one image per row. Numbers are formatted by hand (no Foundation
/// formatter), blocks of ``rowsPerBlock`` rows on the target's worker threads. Each block's length
/// is counted first, so every block's place in the file is known: the thread that formats a block
/// writes it there, and the calling thread hashes the blocks in row order (a few blocks in memory
/// at a time, never the whole file).
struct CSVExporter: DatasetExporter {
    /// Rows formatted together: about 1.5 MiB of text for 28×28 images.
    static let rowsPerBlock = 512

    func fileName(_ manifest: Manifest, _ split: String) -> String { LoaderLayout.kaggleCSV(manifest, split: split) }

    /// Both CSV files, straight in DEST (shared with the other dataset's files).
    func part(manifest: Manifest) -> ExportPart {
        ExportPart(parent: [], shape: .files(["train", "test"].map { fileName(manifest, $0) }))
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        // Both splits are loaded (and so proved) before anything is written.
        let splits = try source.loadSplits(threads: target.threads)
        let dest = target.directory
        for split in splits {
            let file = try dest.create(fileName(source.manifest, split.name), replacing: target.replacing)
            do {
                try Self.write(split, to: file, threads: target.threads)
                try target.place(file)
            } catch {
                file.abandon()
                throw error
            }
        }
        target.tally.path = dest.path
        target.tally.usage = ["pandas.read_csv(\"\(dest.path(of: fileName(source.manifest, "train")))\")"]
    }

    /// The decimal text of every label value.
    static let digits: [[UInt8]] = (0..<256).map { Array(String($0).utf8) }

    static func write(_ split: LoadedSplit, to file: ExportFile, threads: Int = 1) throws {
        let pixels = split.pixelsPerImage
        let header = "label," + (1...pixels).map { "pixel\($0)" }.joined(separator: ",") + "\n"
        try file.write(Array(header.utf8))
        let blocks = (split.count + rowsPerBlock - 1) / rowsPerBlock
        // Each block's length first (a count over its bytes), so that every block's place in the
        // file is known and the thread that formats a block also writes it.
        let sizes = Array(0..<blocks).parallelMap(threads: threads) { textSize(of: split, block($0, of: split)) }
        // Each block is formatted into a buffer the pass reuses (no fresh pages per block).
        let buffers = BufferPool(byteCount: 4 * (pixels + 1) * rowsPerBlock)
        defer { buffers.deallocateAll() }
        try file.appendPieces(sizes: sizes, width: threads, make: { index in
            let buffer = buffers.take()
            return PooledBytes(buffer: buffer, count: rows(of: split, block(index, of: split), into: buffer))
        }, release: { buffers.give($0.buffer) })
    }

    /// The rows of block `index` of `split`.
    static func block(_ index: Int, of split: LoadedSplit) -> Range<Int> {
        index * rowsPerBlock..<min(split.count, (index + 1) * rowsPerBlock)
    }

    /// The length of the CSV text of `range`'s rows of `split`: per row the label's digits, a
    /// comma and 1 to 3 digits per pixel, and the newline.
    static func textSize(of split: LoadedSplit, _ range: Range<Int>) -> Int {
        let pixels = split.pixelsPerImage
        var size = range.count * (2 * pixels + 1)
        for index in range { size += digits[Int(split.labels[index])].count }
        split.images.withUnsafeBufferPointer { images in
            // A pixel of 10 or more has a second digit, of 100 or more a third: (v + 246) >> 8 and
            // (v + 156) >> 8, branch-free arithmetic that the compiler vectorizes.
            let start = images.baseAddress! + range.lowerBound * pixels
            var extra: UInt32 = 0
            for offset in 0..<(range.count * pixels) {
                let value = UInt32(start[offset])
                extra &+= ((value &+ 246) >> 8) &+ ((value &+ 156) >> 8)
            }
            size += Int(extra)
        }
        return size
    }

    /// The four bytes `,d..` of each pixel value (little-endian: the comma first, then the
    /// digits, then padding that the next value overwrites) and how many of them count.
    static let pixelText: [(word: UInt32, length: Int)] = (0..<256).map { value in
        let bytes = [UInt8(0x2C)] + Array(String(value).utf8)
        let word = bytes.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        return (word, bytes.count)
    }

    /// Writes the CSV text of `range`'s rows of `split` at the start of `out` (at least 4 bytes
    /// per value: 3 digits and a separator) and returns its length.
    static func rows(of split: LoadedSplit, _ range: Range<Int>, into out: UnsafeMutableRawBufferPointer) -> Int {
        let pixels = split.pixelsPerImage
        let digits = Self.digits
        precondition(out.count >= 4 * (pixels + 1) * range.count)
        // A row is at most 4 bytes per value, so a 4-byte store at any value's place stays inside.
        return split.images.withUnsafeBufferPointer { images in
            Self.pixelText.withUnsafeBufferPointer { table in
                var at = 0
                for index in range {
                    for byte in digits[Int(split.labels[index])] {
                        out[at] = byte
                        at += 1
                    }
                    let base = index * pixels
                    for p in 0..<pixels {
                        let entry = table[Int(images[base + p])]
                        out.storeBytes(of: entry.word.littleEndian, toByteOffset: at, as: UInt32.self)
                        at += entry.length
                    }
                    out[at] = 0x0A
                    at += 1
                }
                return at
            }
        }
    }
}

/// Buffers of one size that the threads of one pass take and give back, so that a long pass
/// touches a few buffers' pages instead of fresh ones per piece; ``deallocateAll()`` frees every
/// buffer it handed out once the pass is over.
final class BufferPool: @unchecked Sendable {  // its state is behind the lock
    private let byteCount: Int
    private let lock = NSLock()
    private var free: [UnsafeMutableRawBufferPointer] = []
    private var all: [UnsafeMutableRawBufferPointer] = []

    init(byteCount: Int) { self.byteCount = byteCount }

    /// A free buffer, or a new one.
    func take() -> UnsafeMutableRawBufferPointer {
        lock.lock()
        defer { lock.unlock() }
        if let buffer = free.popLast() { return buffer }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 64)
        all.append(buffer)
        return buffer
    }

    func give(_ buffer: UnsafeMutableRawBufferPointer) {
        lock.lock()
        free.append(buffer)
        lock.unlock()
    }

    /// Frees every buffer (none may be in use).
    func deallocateAll() {
        lock.lock()
        defer { lock.unlock() }
        all.forEach { $0.deallocate() }
        all = []
        free = []
    }
}

/// The first `count` bytes of a pooled buffer, handed from the thread that filled it to the one
/// that hashes it.
struct PooledBytes: ContiguousBytes, @unchecked Sendable {  // one thread owns the buffer at a time
    let buffer: UnsafeMutableRawBufferPointer
    let count: Int

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
    }
}
