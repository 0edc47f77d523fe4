import Foundation

/// `fmnist verify PATH`'s turns, in the order ``VerifyTarget/resolve(_:layout:registry:formats:expected:named:)``
/// takes them; in each turn it asks the layouts (``VerifyFormat``) in the registry's order and
/// the first that recognises PATH answers. The order decides ambiguous paths: `export hf` of
/// Fashion-MNIST writes `DEST/fashion_mnist/`, TFDS's folder name, so the loader cache is looked
/// up before the export folder but answers after it unless it holds the published files.
///
/// ```swift
/// VerifyTurn.allCases   // [.fileByName, .fileByContent, .payloadFolders, .loaderCache, .exportFolder, .csvFolder]
/// ```
package enum VerifyTurn: Sendable, CaseIterable {
    /// A file told by its name (`.parquet`: `export hf`'s split).
    case fileByName
    /// A file told by its name or its first bytes (a Kaggle CSV: `.csv`, or starting with `label,`).
    case fileByContent
    /// Folders of uncompressed IDX payloads: the folder itself, or a torchvision root's `<Class>/raw/`.
    case payloadFolders
    /// A loader's cache found by its folder names (keras, TFDS manual dir).
    case loaderCache
    /// An export folder (`export png|hf|npz`), unless a cache or the folder itself holds published files.
    case exportFolder
    /// A folder of `*.csv` (`export csv`), unless it holds published files.
    case csvFolder
}

/// One layout's side of `fmnist verify PATH` (no `--as`): what it reads at PATH in a turn
/// (``VerifyTurn``). Each loader layout's type in `Layouts/` conforms (``LoaderFormat``);
/// ``VerifyTarget/resolve(_:layout:registry:formats:expected:named:)`` keeps the rules between
/// turns, and a folder of the four published files (or any folder with `--as`), and any other
/// file, are its own last rules.
///
/// ```swift
/// let formats: [any VerifyFormat] = [IDXFolderFormat(), TorchvisionFormat()]
/// let target = try VerifyTarget.resolve(path, layout: layout, registry: registry, formats: formats)
/// // .payloadFolders([ROOT/FashionMNIST/raw]) for a torchvision ROOT
/// ```
package protocol VerifyFormat: Sendable {
    /// What this layout reads at `url` in `turn` (a file in the file turns, a folder in the
    /// others); nil when it is not there or the turn is not this layout's.
    func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget?
}
