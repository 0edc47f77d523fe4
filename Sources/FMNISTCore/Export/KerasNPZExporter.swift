/// `DEST/datasets/mnist.npz` for `KERAS_HOME=DEST`: a copy of keras's own published `mnist.npz`
/// as `fetch --artifact keras` stored it, re-proven (size and SHA-256) while it is copied and
/// renamed into place only then. Never a self-made npz: keras checks the file against its pin and
/// deletes one that fails it.
struct KerasNPZExporter: DatasetExporter {
    static let loader = "keras"

    func name(_ source: ExportSource) -> String { source.artifacts[Self.loader]?.name ?? "mnist.npz" }

    func plannedPaths(_ source: ExportSource) -> [String] {
        [LoaderLayout.kerasArtifactPath(name(source)).joined(separator: "/")]
    }

    func export(_ source: ExportSource, into dest: ExportDirectory, force: Bool, tally: ExportTally) throws {
        guard source.artifacts[Self.loader] != nil else { throw ExportError.kerasNeedsOriginalMNIST(dataset: source.manifest.name) }
        var directory = dest
        let path = LoaderLayout.kerasArtifactPath(name(source))
        for component in path.dropLast() { directory = try directory.subdirectory(component) }
        let file = try directory.writeFile(path.last!, replacing: force) { file in
            try source.streamArtifact(Self.loader) { try file.write($0) }
        }
        tally.placed(file)
        tally.path = file.path
        tally.notes.append("keras's published \(path.last!) (SHA-256 \(source.artifacts[Self.loader]!.sha256.prefix(12))…), byte for byte")
        tally.usage = ["KERAS_HOME=\(dest.path) python -c 'import keras; keras.datasets.\(source.manifest.name).load_data()'"]
    }
}
