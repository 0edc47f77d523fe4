/// Copies the four verified `.gz` files into a folder a loader reads: keras's cache
/// (`DEST/datasets/fashion-mnist/`, used as `KERAS_HOME=DEST`) or a TFDS manual dir
/// (`DEST/fashion_mnist/`, `DEST/mnist/`): the workspace's proven copies, copied (or, while
/// another process holds the workspace lock, each re-verified while it is read).
struct GzipCopyExporter: DatasetExporter {
    enum Flavor { case keras, tfds }
    let flavor: Flavor

    func folder(_ manifest: Manifest) -> [String] {
        switch flavor {
        case .keras: return LoaderLayout.kerasFolder(manifest)
        case .tfds: return LoaderLayout.tfdsManualFolder(manifest)
        }
    }

    func part(manifest: Manifest) -> ExportPart {
        if flavor == .keras && !LoaderLayout.kerasReadsGzip(manifest) { return KerasNPZExporter().part(manifest: manifest) }
        let path = folder(manifest)
        return ExportPart(parent: Array(path.dropLast()), shape: .folder(path.last!))
    }

    func part(_ source: ExportSource) -> ExportPart {
        if flavor == .keras && !LoaderLayout.kerasReadsGzip(source.manifest) { return KerasNPZExporter().part(source) }
        return part(manifest: source.manifest)
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        if flavor == .keras && !LoaderLayout.kerasReadsGzip(source.manifest) {
            try KerasNPZExporter().export(source, into: target)
            return
        }
        let directory = target.directory
        var staged: [ExportFile] = []
        do {
            for role in FileRole.allCases {
                let file = try directory.create(source.file(role).name, replacing: target.replacing)
                staged.append(file)
                if let proven = source.proven {
                    try proven.copy(role, form: .gzip, into: file)
                } else {
                    try source.stream(role, container: { try file.write($0) })
                }
            }
            try target.placeAll(staged)
        } catch {
            staged.forEach { $0.abandon() }
            throw error
        }
        let tally = target.tally
        tally.path = directory.path
        let name = source.manifest.frameworkNames.tfds
        switch flavor {
        case .keras:
            tally.usage = ["KERAS_HOME=\(target.destination) python -c 'import keras; keras.datasets.\(name).load_data()'"]
        case .tfds:
            tally.notes.append(
                "TFDS keeps extracted manual files by name alone in <data_dir>/downloads/extracted: build \(name) "
                    + "with a data_dir (or --download_dir) of its own, or a later mnist/fashion_mnist build reuses these files")
            tally.usage = [
                "tfds build \(name) --manual_dir=\(target.destination) --add_name_to_manual_dir",
                "tfds.load(\"\(name)\", download_and_prepare_kwargs={\"download_config\": "
                    + "tfds.download.DownloadConfig(manual_dir=\"\(directory.path)\")})",
            ]
        }
    }
}
