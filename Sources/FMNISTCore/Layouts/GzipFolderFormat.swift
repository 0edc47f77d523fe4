import Foundation

/// A folder of the four published `.gz` files (TF1's `read_data_sets(DIR)`, the Fashion-MNIST
/// README's `mnist_reader`, fmnist's own live folders).
///
/// ```swift
/// GzipFolderFormat().name   // "gzip-folder", as `import --json` reports it
/// ```
package struct GzipFolderFormat: LoaderFormat, ImportFormat, DoctorFormat, LinkFormat {
    package init() {}
    package var name: String { "gzip-folder" }
    package var importPhrase: String { "a folder of the four .gz files" }

    /// The folder itself holds the four published `.gz` (a `raw/` is torchvision's).
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        guard url.lastPathComponent != LoaderLayout.torchvisionRawFolder,
            let parts = ImportSource.filesParts(in: url, names: names, torchvision: false), parts.values.allSatisfy(\.compressed)
        else { return nil }
        return ImportSource(layout: importLayout, given: url, readFrom: url, parts: .files(parts), plain: true)
    }

    /// Any folder, last: one named after its dataset is the seed loader's (`data/fashion`), any
    /// other TF1's `read_data_sets` (the dataset its name mentions: `MNIST_data`).
    package func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)? {
        guard turn == .anyFolder else { return nil }
        let parent = folder.last ?? ""
        if let manifest = registry.manifests.first(where: { $0.answers(to: parent) }) { return (.seedLoader, manifest.name) }
        return (.tf1ReadDataSets, LoaderLayout.dataset(inName: parent, registry: registry))
    }

    /// `seed` (the default `--layout`): PATH itself points at the active dataset's live folder
    /// (`data/<dataset>`, the four `.gz`), the Fashion-MNIST README's drop-in.
    package var linkLayout: LinkLayout { .seed }
    package func linkPlacements(root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        [LinkLayout.Placement(path: root, folders: [], shows: .liveFolder)]
    }
}

extension ImportLayout {
    /// A folder of the four published `.gz` files.
    public static let gzipFolder = ImportLayout(rawValue: GzipFolderFormat().name)
}
