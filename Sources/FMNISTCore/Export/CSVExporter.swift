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
        try file.appendPieces(sizes: sizes, width: threads) { rows(of: split, block($0, of: split))[...] }
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

    /// The CSV text of `range`'s rows of `split`.
    static func rows(of split: LoadedSplit, _ range: Range<Int>) -> [UInt8] {
        let pixels = split.pixelsPerImage
        let digits = Self.digits
        let table = Self.pixelText
        // A row is at most 4 bytes per value (3 digits + separator), so a 4-byte store at any
        // value's place stays inside the buffer.
        let text = [UInt8](unsafeUninitializedCapacity: 4 * (pixels + 1) * range.count) { buffer, initialized in
            split.images.withUnsafeBufferPointer { images in
                table.withUnsafeBufferPointer { table in
                    let out = UnsafeMutableRawBufferPointer(buffer)
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
                    initialized = at
                }
            }
        }
        return text
    }
}
