/// Copies the four verified `.gz` files into a folder a loader reads: keras's cache
/// (`DEST/datasets/fashion-mnist/`, used as `KERAS_HOME=DEST`) or a TFDS manual dir
/// (`DEST/fashion_mnist/`, `DEST/mnist/`): the workspace's proven copies, copied (or, while
/// another process holds the workspace lock, each re-verified while it is read). Which folder and
/// which usage lines are the layout's own (``KerasFormat``, ``TFDSManualFormat``).
///
/// ```swift
/// let writer = GzipCopyExporter(folder: LoaderLayout.tfdsManualFolder) { target, source in
///     target.tally.usage = ["tfds build \(source.manifest.frameworkNames.tfds) --manual_dir=\(target.destination)"]
/// }
/// ```
struct GzipCopyExporter: DatasetExporter {
    /// The dataset's folder, relative to DEST (the last component is the part's own folder).
    let folder: @Sendable (Manifest) -> [String]
    /// Fills in the tally's usage lines and notes once the files are placed.
    let describe: @Sendable (ExportTarget, ExportSource) -> Void

    func part(manifest: Manifest) -> ExportPart {
        let path = folder(manifest)
        return ExportPart(parent: Array(path.dropLast()), shape: .folder(path.last!))
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
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
        target.tally.path = directory.path
        describe(target, source)
    }
}
