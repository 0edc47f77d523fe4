/// Kaggle's CSV layout: `DEST/fashion-mnist_train.csv`, `…_test.csv` (and `mnist_…`), header
/// `label,pixel1,…,pixel784`, one image per row. Numbers are formatted by hand (no Foundation
/// formatter) into a row buffer that the file writes in 1 MiB blocks.
struct CSVExporter: DatasetExporter {
    func fileName(_ dataset: String, _ split: String) -> String { LoaderLayout.kaggleCSV(dataset, split: split) }

    /// Both CSV files, straight in DEST (shared with the other dataset's files).
    func part(dataset: String) -> ExportPart {
        ExportPart(parent: [], shape: .files(["train", "test"].map { fileName(dataset, $0) }))
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        // Both splits are loaded (and so proved) before anything is written.
        let splits = [try source.loadSplit(train: true), try source.loadSplit(train: false)]
        let dest = target.directory
        for split in splits {
            let file = try dest.create(fileName(source.manifest.name, split.name), replacing: target.replacing)
            do {
                try Self.write(split, to: file)
                try target.place(file)
            } catch {
                file.abandon()
                throw error
            }
        }
        target.tally.path = dest.path
        target.tally.usage = ["pandas.read_csv(\"\(dest.path(of: fileName(source.manifest.name, "train")))\")"]
    }

    /// The decimal text of every label value.
    static let digits: [[UInt8]] = (0..<256).map { Array(String($0).utf8) }

    static func write(_ split: LoadedSplit, to file: ExportFile) throws {
        let pixels = split.pixelsPerImage
        let header = "label," + (1...pixels).map { "pixel\($0)" }.joined(separator: ",") + "\n"
        try file.write(Array(header.utf8))
        // A row is at most 4 bytes per value (3 digits + separator).
        var row = [UInt8](repeating: 0, count: 4 * (pixels + 1))
        let digits = Self.digits
        try split.images.withUnsafeBufferPointer { images in
            for index in 0..<split.count {
                let length = row.withUnsafeMutableBufferPointer { out -> Int in
                    var at = 0
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
                    return at + 1
                }
                try row.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            }
        }
    }
}
