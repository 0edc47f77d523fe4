/// `DEST/datasets/mnist.npz` for `KERAS_HOME=DEST`: a copy of keras's own published `mnist.npz`
/// as `fetch --artifact keras` stored it, re-proven (size and SHA-256) while it is copied and
/// renamed into place only then. Never a self-made npz: keras checks the file against its pin and
/// deletes one that fails it.
struct KerasNPZExporter: DatasetExporter {
    static let loader = "keras"

    func name(_ source: ExportSource) -> String { source.artifacts[Self.loader]?.name ?? "\(source.manifest.frameworkNames.keras).npz" }

    /// `datasets/mnist.npz`, a file in keras's `datasets/` folder (shared with `fashion-mnist/`).
    /// The artifact's name is keras's own (`<dataset>.npz`), as ``LoaderLayout/kerasNPZ(_:)`` says.
    func part(manifest: Manifest) -> ExportPart {
        ExportPart(parent: [LoaderLayout.kerasDatasets], shape: .files([LoaderLayout.kerasNPZ(manifest)?.last ?? "\(manifest.frameworkNames.keras).npz"]))
    }

    func part(_ source: ExportSource) -> ExportPart {
        ExportPart(parent: [LoaderLayout.kerasDatasets], shape: .files([name(source)]))
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        guard let artifact = source.artifacts[Self.loader] else { throw ExportError.kerasNeedsOriginalMNIST(dataset: source.manifest.name) }
        let fileName = name(source)
        let file = try target.directory.create(fileName, replacing: target.replacing)
        do {
            try source.streamArtifact(Self.loader) { try file.write($0) }
            try target.place(file)
        } catch {
            file.abandon()
            throw error
        }
        let tally = target.tally
        tally.path = file.path
        tally.notes.append("keras's published \(fileName) (SHA-256 \(artifact.sha256.prefix(12))…), byte for byte")
        tally.usage = ["KERAS_HOME=\(target.destination) python -c 'import keras; keras.datasets.\(source.manifest.name).load_data()'"]
    }
}
