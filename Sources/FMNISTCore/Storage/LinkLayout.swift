import Foundation

/// The layout of a registered link (`fmnist switch DATASET --link PATH --layout …`): which symlinks
/// fmnist keeps at or under PATH, and what each of them shows after every switch.
///
/// - `seed` (the default): PATH itself points at the active dataset's live folder (`data/<dataset>`,
///   the four `.gz`), the Fashion-MNIST README's drop-in.
/// - `torchvision`: `PATH/MNIST/raw` and `PATH/FashionMNIST/raw` both point at the active
///   version's uncompressed payloads (``PayloadStore``), so `torchvision.datasets.MNIST(PATH)` reads
///   whichever dataset is active.
/// - `keras`: `PATH/datasets/<keras folder>` of every dataset keras reads as `.gz` (the manifests'
///   `frameworks.keras_reads`; of the built-ins only `fashion-mnist`) points at the active live
///   folder, so `keras.datasets.fashion_mnist.load_data()` with `KERAS_HOME=PATH` reads it.
///
/// Which symlinks each layout keeps is its layout type's (``LinkFormat``, in `Layouts/`). The set
/// is open: a name read from the catalog that no layout of this build keeps is "unknown"
/// (``LinkPlacements/known(_:)``), never looked up.
///
/// ```swift
/// for placement in LinkLayout.torchvision.placements(root: "/home/me/tv", registry: registry) {
///     print(placement.path)    // /home/me/tv/MNIST/raw, /home/me/tv/FashionMNIST/raw
/// }
/// ```
public struct LinkLayout: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The default: PATH itself shows the active dataset's live folder (the workspace's own link,
    /// kept by the folder-of-`.gz` layout). The other layouts' names are declared in their files
    /// in `Layouts/` (`.torchvision`, `.keras`); ``LoaderFormats`` lists them and parses `--layout`.
    public static let seed = LinkLayout(rawValue: "seed")

    /// What a symlink shows: the live folder of the `.gz` copies, or the uncompressed payloads.
    public enum Shows: String, Sendable, Codable {
        case liveFolder = "live-folder"
        case payloads
    }

    /// One symlink a registered link keeps, and the real folders fmnist makes for it when missing.
    public struct Placement: Sendable, Equatable {
        /// Absolute path of the symlink.
        public let path: String
        /// Folders from PATH down to the symlink's folder (PATH first); empty for `seed`.
        public let folders: [String]
        public let shows: Shows
    }
}
