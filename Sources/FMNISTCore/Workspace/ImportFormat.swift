import Foundation

/// One layout's side of `fmnist import PATH --as DATASET`: whether PATH holds it, and which files
/// it reads there (an ``ImportSource``, which ``ImportStaging`` stages). Each loader layout's type
/// in `Layouts/` conforms (``LoaderFormat``); ``DatasetImporter`` asks them in the registry's
/// order and takes the first that recognises PATH.
///
/// ```swift
/// let formats: [any ImportFormat] = [GzipFolderFormat(), TorchvisionFormat()]
/// let source = try ImportSource.resolve(url, manifest: fashion, registry: registry, formats: formats)
/// source.layout   // .torchvision for ROOT/FashionMNIST/raw
/// ```
package protocol ImportFormat: Sendable {
    /// The layout's name in `import`'s result (`gzip-folder`, `torchvision`, …).
    var importLayout: ImportLayout { get }
    /// What import reads in this layout, as hints list it: "a torchvision root".
    var importPhrase: String { get }
    /// What this layout reads for `manifest` in the folder `url`; nil when it is not there. Throws
    /// when it is there but incomplete (one split of two: exit 4).
    func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource?
    /// What this layout reads from `url`, a path that is not a folder; nil when it is not one.
    func importSource(file url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource?
}

extension ImportFormat {
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource? { nil }
    package func importSource(file url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource? { nil }
}
