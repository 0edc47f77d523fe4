/// Kaggle's CSV layout: `DEST/fashion-mnist_train.csv`, `…_test.csv` (and `mnist_…`), header
/// `label,pixel1,…,pixel784`, one image per row. Numbers are formatted by hand (no Foundation
/// formatter), blocks of ``rowsPerBlock`` rows on the target's worker threads, and each file is
/// written block after block in row order while the next blocks are formatted (a few blocks in
/// memory at a time, never the whole file).
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
        try WorkLoop.ordered(count: blocks, width: threads) { block in
            rows(of: split, block * rowsPerBlock..<min(split.count, (block + 1) * rowsPerBlock))
        } consume: { text in
            try file.write(text)
        }
    }

    /// The CSV text of `range`'s rows of `split`.
    static func rows(of split: LoadedSplit, _ range: Range<Int>) -> [UInt8] {
        let pixels = split.pixelsPerImage
        let digits = Self.digits
        // A row is at most 4 bytes per value (3 digits + separator).
        var text = [UInt8](repeating: 0, count: 4 * (pixels + 1) * range.count)
        let length = split.images.withUnsafeBufferPointer { images in
            text.withUnsafeMutableBufferPointer { out -> Int in
                var at = 0
                for index in range {
                    for byte in digits[Int(split.labels[index])] { out[at] = byte; at += 1 }
                    let base = index * pixels
                    for p in 0..<pixels {
                        out[at] = 0x2C  // ,
                        at += 1
                        let value = Int(images[base + p])
                        if value < 10 {
                            out[at] = UInt8(0x30 + value)
                            at += 1
                        } else if value < 100 {
                            out[at] = UInt8(0x30 + value / 10)
                            out[at + 1] = UInt8(0x30 + value % 10)
                            at += 2
                        } else {
                            out[at] = UInt8(0x30 + value / 100)
                            out[at + 1] = UInt8(0x30 + (value / 10) % 10)
                            out[at + 2] = UInt8(0x30 + value % 10)
                            at += 3
                        }
                    }
                    out[at] = 0x0A
                    at += 1
                }
                return at
            }
        }
        text.removeLast(text.count - length)
        return text
    }
}
