import Foundation

/// keras's cache: `KERAS_HOME/datasets/fashion-mnist/*.gz` for a dataset keras reads as the four
/// `.gz`, `KERAS_HOME/datasets/mnist.npz` (keras's own pinned file) for one it reads as an npz
/// (the manifest's `frameworks.keras_reads`).
///
/// ```swift
/// let format = KerasFormat()
/// format.exportLayout   // .keras: `fmnist export keras DEST`, then KERAS_HOME=DEST
/// ```
package struct KerasFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat, DoctorFormat, LinkFormat {
    package init() {}
    package var name: String { "keras" }
    package var importPhrase: String { "a keras cache" }

    package var writer: any DatasetExporter { KerasExporter() }

    /// keras reads MNIST as its own pinned mnist.npz: only the fetched artifact, never a self-made one.
    package func refusal(_ source: ExportSource) -> ExportError? {
        !LoaderLayout.kerasReadsGzip(source.manifest) && source.artifacts[KerasNPZExporter.loader] == nil
            ? .kerasNeedsOriginalMNIST(dataset: source.manifest.name) : nil
    }

    /// A `KERAS_HOME` (or its `datasets/`): the dataset's folder of `.gz`, else keras's npz of it
    /// (read as an npz).
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        guard let cache = LoaderCache.find(url, registry: registry), cache.loader == .keras else { return nil }
        if let place = cache.folders.first(where: { $0.dataset == manifest.name }),
            let source = ImportSource.files(.keras, given: url, in: place.url, manifest: manifest)
        {
            return source
        }
        return cache.npz.first { $0.dataset == manifest.name }
            .map { ImportSource(layout: .npz, given: url, readFrom: $0.url, parts: .npz($0.url)) }
    }

    /// A `KERAS_HOME` (or its `datasets/`) holding a dataset's folder or keras's npz: each verified.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        guard turn == .loaderCache else { return nil }
        return LoaderCache.keras(url, registry: registry).map { .loaderCache($0) }
    }

    /// A file in `datasets/<keras folder>/` of a dataset keras reads as `.gz` (the first dataset
    /// whose folder it is decides).
    package func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)? {
        guard turn == .loaderFolder,
            let manifest = LoaderLayout.manifest(whoseFolder: LoaderLayout.kerasFolder, endsAt: folder, registry: registry),
            LoaderLayout.kerasReadsGzip(manifest)
        else { return nil }
        return (.keras, manifest.name)
    }

    /// keras's own `datasets/<dataset>.npz` (`mnist.npz`) of a dataset whose manifest pins one.
    package func doctorFinding(folder: [String], name: String, isDirectory: Bool, registry: ManifestRegistry) -> DoctorCandidate.Kind? {
        guard !isDirectory,
            let manifest = registry.manifests.first(where: { manifest in
                LoaderLayout.kerasNPZ(manifest).map { Array(folder.suffix($0.count - 1)) + [name] == $0 } == true
            })
        else { return nil }
        return .kerasNPZ(dataset: manifest.name)
    }

    /// `PATH/datasets/<keras folder>` of every dataset keras reads as `.gz` (`frameworks.keras_reads`)
    /// points at the active live folder, for `KERAS_HOME=PATH`.
    package func linkPlacements(root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        let folder = root + "/" + LoaderLayout.kerasDatasets
        return registry.manifests.filter { LoaderLayout.kerasReadsGzip($0) }.map { manifest in
            LinkLayout.Placement(path: folder + "/" + manifest.frameworkNames.keras, folders: [root, folder], shows: .liveFolder)
        }
    }
}

/// The keras writer: the four `.gz` in `datasets/<keras folder>/`, or keras's pinned npz
/// (``KerasNPZExporter``) for a dataset keras reads from one.
struct KerasExporter: DatasetExporter {
    let gzip = GzipCopyExporter(folder: LoaderLayout.kerasFolder) { target, source in
        let name = source.manifest.frameworkNames.tfds
        target.tally.usage = ["KERAS_HOME=\(target.destination) python -c 'import keras; keras.datasets.\(name).load_data()'"]
    }

    func part(manifest: Manifest) -> ExportPart {
        LoaderLayout.kerasReadsGzip(manifest) ? gzip.part(manifest: manifest) : KerasNPZExporter().part(manifest: manifest)
    }

    func part(_ source: ExportSource) -> ExportPart {
        LoaderLayout.kerasReadsGzip(source.manifest) ? gzip.part(source) : KerasNPZExporter().part(source)
    }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        if LoaderLayout.kerasReadsGzip(source.manifest) {
            try gzip.export(source, into: target)
        } else {
            try KerasNPZExporter().export(source, into: target)
        }
    }
}

extension ExportLayout {
    /// `DEST/datasets/fashion-mnist/*.gz` (use as `KERAS_HOME=DEST`).
    public static let keras = ExportLayout(rawValue: KerasFormat().name)
}

extension ImportLayout {
    /// A keras cache (`KERAS_HOME` or its `datasets/`): `datasets/fashion-mnist/*.gz`.
    public static let keras = ImportLayout(rawValue: KerasFormat().name)
}

extension LinkLayout {
    /// `PATH/datasets/<keras folder>` of every dataset keras reads as `.gz` shows the active live folder.
    public static let keras = LinkLayout(rawValue: KerasFormat().name)
}
