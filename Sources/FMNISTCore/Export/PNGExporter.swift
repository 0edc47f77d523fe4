/// `DEST/<dataset>/{train,test}/<label>/<index>.png` with numeric class folders (so torchvision's
/// `ImageFolder` and Hugging Face's `imagefolder` keep the label ids), plus `DEST/<dataset>/classes.txt`
/// (one class name per line, line n = label n). `<index>` is the image's position in its split.
struct PNGExporter: DatasetExporter {
    /// The folder `<dataset>/`; its `train/` and `test/` are summed up in the provenance.
    func part(dataset: String) -> ExportPart { ExportPart(parent: [], shape: .folder(dataset)) }

    var summarizedFolders: [String] { ["train", "test"] }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        // Both splits are loaded (and so proved) before anything is written.
        let splits = [try source.loadSplit(train: true), try source.loadSplit(train: false)]
        let root = target.directory
        for split in splits {
            let splitDirectory = try root.subdirectory(split.name)
            let classFolders = try (0..<source.manifest.classes.count).map { try splitDirectory.subdirectory(String($0)) }
            let encoder = PNGWriter.Encoder(width: split.columns, height: split.rows, runLengthOnly: true)
            let pixels = split.pixelsPerImage
            try split.images.withUnsafeBufferPointer { images in
                for index in 0..<split.count {
                    let png = encoder.encode(UnsafeBufferPointer(rebasing: images[(index * pixels)..<((index + 1) * pixels)]))
                    try target.write("\(index).png", png, in: classFolders[Int(split.labels[index])])
                }
            }
        }
        let classes = source.manifest.classes.joined(separator: "\n") + "\n"
        try target.write("classes.txt", Array(classes.utf8), in: root)
        target.tally.path = root.path
        target.tally.usage = [
            "torchvision.datasets.ImageFolder(\"\(root.path(of: "train"))\")",
            "datasets.load_dataset(\"imagefolder\", data_dir=\"\(root.path)\")",
        ]
    }
}
