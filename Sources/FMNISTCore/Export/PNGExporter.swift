/// `DEST/<dataset>/{train,test}/<label>/<index>.png` with numeric class folders (so torchvision's
/// `ImageFolder` and Hugging Face's `imagefolder` keep the label ids), plus `DEST/<dataset>/classes.txt`
/// (one class name per line, line n = label n). `<index>` is the image's position in its split.
struct PNGExporter: DatasetExporter {
    func plannedPaths(_ source: ExportSource) -> [String] {
        let name = source.manifest.name
        return ["\(name)/classes.txt", "\(name)/train", "\(name)/test"]
    }

    func export(_ source: ExportSource, into dest: ExportDirectory, force: Bool, tally: ExportTally) throws {
        // Both splits are loaded (and so proved) before anything is written.
        let splits = [try source.loadSplit(train: true), try source.loadSplit(train: false)]
        let root = try dest.subdirectory(source.manifest.name)
        for split in splits {
            let splitDirectory = try root.subdirectory(split.name)
            let classFolders = try (0..<source.manifest.classes.count).map { try splitDirectory.subdirectory(String($0)) }
            let encoder = PNGWriter.Encoder(width: split.columns, height: split.rows, runLengthOnly: true)
            let pixels = split.pixelsPerImage
            try split.images.withUnsafeBufferPointer { images in
                for index in 0..<split.count {
                    let png = encoder.encode(UnsafeBufferPointer(rebasing: images[(index * pixels)..<((index + 1) * pixels)]))
                    try classFolders[Int(split.labels[index])].writeFile("\(index).png", png, replacing: force)
                    tally.placed(bytes: png.count)
                }
            }
        }
        let classes = source.manifest.classes.joined(separator: "\n") + "\n"
        try root.writeFile("classes.txt", Array(classes.utf8), replacing: force)
        tally.placed(bytes: classes.utf8.count)
        tally.path = root.path
        tally.usage = [
            "torchvision.datasets.ImageFolder(\"\(root.path(of: "train"))\")",
            "datasets.load_dataset(\"imagefolder\", data_dir=\"\(root.path)\")",
        ]
    }
}
