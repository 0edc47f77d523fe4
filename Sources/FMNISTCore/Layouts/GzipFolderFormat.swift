import Foundation

/// A folder of the four published `.gz` files (TF1's `read_data_sets(DIR)`, the Fashion-MNIST
/// README's `mnist_reader`, fmnist's own live folders).
///
/// ```swift
/// GzipFolderFormat().name   // "gzip-folder", as `import --json` reports it
/// ```
package struct GzipFolderFormat: LoaderFormat, ImportFormat, LinkFormat {
    package init() {}
    package var name: String { "gzip-folder" }

    package var importLayout: ImportLayout { .gzipFolder }
    /// The folder itself holds the four published `.gz` (a `raw/` is torchvision's).
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        guard url.lastPathComponent != LoaderLayout.torchvisionRawFolder,
            let parts = ImportSource.filesParts(in: url, names: names, torchvision: false), parts.values.allSatisfy(\.compressed)
        else { return nil }
        return ImportSource(layout: .gzipFolder, given: url, readFrom: url, parts: .files(parts))
    }

    /// `seed` (the default `--layout`): PATH itself points at the active dataset's live folder
    /// (`data/<dataset>`, the four `.gz`), the Fashion-MNIST README's drop-in.
    package var linkLayout: LinkLayout { .seed }
    package func linkPlacements(root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        [LinkLayout.Placement(path: root, folders: [], shows: .liveFolder)]
    }
}
