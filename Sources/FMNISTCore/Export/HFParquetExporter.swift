import Foundation

/// Hugging Face's Parquet layout, as the hub's `zalando-datasets/fashion_mnist` and `ylecun/mnist`
/// ship it: `DEST/<fashion_mnist|mnist>/{train,test}-00000-of-00001.parquet` with `image`
/// {`bytes`: PNG, `path`: null} and `label` (int64), and the `huggingface` schema metadata naming
/// the features (`Image`, `ClassLabel` with the hub's spelling of the class names).
struct HFParquetExporter: DatasetExporter {
    func fileName(_ split: String) -> String { "\(split)-00000-of-00001.parquet" }

    /// The folder `<hub name>/` (`fashion_mnist`, `mnist`).
    func part(manifest: Manifest) -> ExportPart { ExportPart(parent: [], shape: .folder(manifest.frameworkNames.tfds)) }

    /// The `huggingface` metadata value: the features of the hub dataset.
    static func featuresJSON(_ manifest: Manifest) -> String {
        let names = manifest.frameworkNames.huggingFaceClasses
            .map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ", ")
        return "{\"info\": {\"features\": {\"image\": {\"_type\": \"Image\"}, "
            + "\"label\": {\"names\": [\(names)], \"_type\": \"ClassLabel\"}}}}"
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        // Both splits are loaded (and so proved) before anything is written.
        let splits = try source.loadSplits(threads: target.threads)
        let directory = target.directory
        var files: [String: String] = [:]
        for split in splits {
            // The PNGs are encoded in blocks on the worker threads and gathered in image order.
            var images: [[UInt8]] = []
            images.reserveCapacity(split.count)
            let blocks = (split.count + Self.imagesPerBlock - 1) / Self.imagesPerBlock
            try WorkLoop.ordered(count: blocks, width: target.threads) { block in
                Self.encode(split, block * Self.imagesPerBlock..<min(split.count, (block + 1) * Self.imagesPerBlock))
            } consume: { block in
                images += block
            }
            let bytes = ParquetImageTableWriter.file(
                images: images, labels: split.labels.map(Int64.init),
                metadata: [("huggingface", Self.featuresJSON(source.manifest))])
            try target.write(fileName(split.name), bytes, in: directory)
            files[split.name] = directory.path(of: fileName(split.name))
        }
        target.tally.path = directory.path
        target.tally.usage = [
            "datasets.load_dataset(\"parquet\", data_files={\"train\": \"\(files["train"]!)\", \"test\": \"\(files["test"]!)\"})"
        ]
    }

    /// Images encoded together by one worker thread.
    static let imagesPerBlock = 1024

    /// The PNG files of `range`'s images of `split`.
    static func encode(_ split: LoadedSplit, _ range: Range<Int>) -> [[UInt8]] {
        let encoder = PNGWriter.Encoder(width: split.columns, height: split.rows, runLengthOnly: true)
        let pixels = split.pixelsPerImage
        return split.images.withUnsafeBufferPointer { all in
            range.map { encoder.encode(UnsafeBufferPointer(rebasing: all[($0 * pixels)..<(($0 + 1) * pixels)])) }
        }
    }
}
