/// `DEST/<dataset>/{train,test}/<label>/<index>.png` with numeric class folders (so torchvision's
/// `ImageFolder` and Hugging Face's `imagefolder` keep the label ids), plus `DEST/<dataset>/classes.txt`
/// (one class name per line, line n = label n). `<index>` is the image's position in its split.
struct PNGExporter: DatasetExporter {
    /// The folder `<dataset>/`; its `train/` and `test/` are summed up in the provenance.
    func part(manifest: Manifest) -> ExportPart { ExportPart(parent: [], shape: .folder(manifest.name)) }

    var summarizedFolders: [String] { ["train", "test"] }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        // Both splits are loaded (and so proved) before anything is written.
        let splits = try source.loadSplits(threads: target.threads)
        let root = target.directory
        let base = target.tally.base
        for split in splits {
            let splitDirectory = try root.subdirectory(split.name)
            let classFolders = try (0..<source.manifest.classes.count).map { try splitDirectory.subdirectory(String($0)) }
            // One job per class folder, so that no two threads create files in the same folder (they
            // would queue on its lock): each encodes its images and writes each to a temporary
            // renamed into place in this (fresh, staging) folder. The tally counts them in image order.
            var members = [[Int]](repeating: [], count: classFolders.count)
            for (index, label) in split.labels.enumerated() { members[Int(label)].append(index) }
            let jobs = members.enumerated().map { (folder: classFolders[$0.offset], indices: $0.element) }
            let outcomes = jobs.parallelMap(threads: target.threads, cost: { Int64($0.indices.count) }) { job in
                Result<[ExportTally.Written], Error> { try Self.writeImages(split, job.indices, into: job.folder, base: base) }
            }
            var written = [ExportTally.Written?](repeating: nil, count: split.count)
            for (job, outcome) in zip(jobs, outcomes) {
                for (index, file) in zip(job.indices, try outcome.get()) { written[index] = file }
            }
            for file in written { if let file { target.tally.placed(file) } }
        }
        let classes = source.manifest.classes.joined(separator: "\n") + "\n"
        try target.write("classes.txt", Array(classes.utf8), in: root)
        target.tally.path = root.path
        target.tally.usage = [
            "torchvision.datasets.ImageFolder(\"\(root.path(of: "train"))\")",
            "datasets.load_dataset(\"imagefolder\", data_dir=\"\(root.path)\")",
        ]
    }

    /// Encodes and writes the images at `indices` of `split` as `<index>.png` in `folder`, each committed.
    static func writeImages(_ split: LoadedSplit, _ indices: [Int], into folder: ExportDirectory, base: String) throws
        -> [ExportTally.Written]
    {
        let encoder = PNGWriter.Encoder(width: split.columns, height: split.rows, runLengthOnly: true)
        let pixels = split.pixelsPerImage
        return try split.images.withUnsafeBufferPointer { images in
            try indices.map { index in
                let png = encoder.encode(UnsafeBufferPointer(rebasing: images[(index * pixels)..<((index + 1) * pixels)]))
                let file = try folder.writeFile("\(index).png", png, replacing: false)
                return ExportTally.entry(file, base: base)
            }
        }
    }
}
