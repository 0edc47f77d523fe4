import Foundation

/// Which program reads an MNIST-format file from where it lies, as `doctor --json` spells it. The
/// set is open: a layout that only `doctor` knows declares its loader's name in its own file in
/// `Layouts/`; these are the loaders whose places this layer and the ones above it describe.
///
/// ```swift
/// Loader.tfdsManual.rawValue   // "tfds-manual"
/// ```
public struct Loader: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// `torchvision.datasets.MNIST/FashionMNIST(root)`: `root/<Class>/raw/*-ubyte` (uncompressed), the `.gz` beside them for `download=True`.
    public static let torchvision = Loader(rawValue: "torchvision")
    /// `keras.datasets.fashion_mnist.load_data()`: `$KERAS_HOME/datasets/fashion-mnist/*.gz`.
    public static let keras = Loader(rawValue: "keras")
    /// A TFDS manual dir: `~/tensorflow_datasets/downloads/manual/`, or `<manual>/<fashion_mnist|mnist>/` (`--add_name_to_manual_dir`).
    public static let tfdsManual = Loader(rawValue: "tfds-manual")
    /// TFDS's download cache, `~/tensorflow_datasets/downloads/` (file names derived from the URL).
    public static let tfdsDownloads = Loader(rawValue: "tfds-downloads")
    /// TF1's `input_data.read_data_sets(DIR)`: any folder of the four `.gz` files.
    public static let tf1ReadDataSets = Loader(rawValue: "tf1-read_data_sets")
    /// The Fashion-MNIST README's `mnist_reader.load_mnist('data/fashion')`: a folder named after its dataset, and fmnist's own live folders.
    public static let seedLoader = Loader(rawValue: "seed-loader")
}

/// How a loader wants a file: the published `.gz`, or its decompressed IDX payload.
public enum FileForm: String, Sendable, Codable {
    case gzip
    case uncompressed
}

/// Where a loader expects one file: the loader, the form, the role its name says and the
/// dataset its folder says (nil when the folder does not say, e.g. a flat TFDS manual dir).
public struct LoaderPlace: Sendable, Equatable {
    public let loader: Loader
    public let form: FileForm
    public let role: FileRole
    public let dataset: String?
    /// Whether the loader checks the published container digests itself (TFDS): a re-compressed
    /// `.gz` with the right payload fails it.
    public var needsPublishedContainer: Bool { loader == .tfdsManual || loader == .tfdsDownloads }
}

/// The one description of the folders each loader reads, used both to write them (`fmnist export`)
/// and to recognise them (`fmnist doctor`, `fmnist verify` of a torchvision root, a keras cache or a
/// TFDS manual dir, `fmnist import` of those layouts).
///
/// ```swift
/// LoaderLayout.torchvisionRaw(fashion)            // ["FashionMNIST", "raw"] (fashion: its Manifest)
/// LoaderLayout.stems(registry)                    // the published names, normalised, with their roles
/// ```
public enum LoaderLayout {
    /// torchvision's folder of a dataset, relative to its root: `<Class>/raw`.
    public static func torchvisionRaw(_ manifest: Manifest) -> [String] { [manifest.frameworkNames.torchvision, torchvisionRawFolder] }
    /// The name of torchvision's folder of files inside a class folder.
    public static let torchvisionRawFolder = "raw"
    /// torchvision's stale cache folder beside `raw/`: `<Class>/processed` (read first when it holds `training.pt` + `test.pt`).
    public static let torchvisionProcessed = "processed"
    /// keras's cache folder, relative to `KERAS_HOME`: `datasets/fashion-mnist`.
    public static func kerasFolder(_ manifest: Manifest) -> [String] { [kerasDatasets, manifest.frameworkNames.keras] }
    /// Whether keras reads a dataset as the four `.gz` (Fashion-MNIST) rather than one pinned
    /// `mnist.npz` (MNIST: fmnist only copies the published one, fetched with `fetch --artifact keras`):
    /// the manifest's `frameworks.keras_reads`.
    public static func kerasReadsGzip(_ manifest: Manifest) -> Bool { manifest.frameworkNames.kerasReadsGzip }
    /// keras's MNIST file, relative to `KERAS_HOME`: `datasets/<artifact name>` (`datasets/mnist.npz`).
    public static func kerasArtifactPath(_ name: String) -> [String] { [kerasDatasets, name] }
    /// keras's `mnist.npz`, relative to `KERAS_HOME` (`datasets/mnist.npz`), for the dataset keras
    /// reads from one npz rather than the four `.gz`; nil for the others.
    public static func kerasNPZ(_ manifest: Manifest) -> [String]? {
        let names = manifest.frameworkNames
        return names.kerasReadsGzip ? nil : kerasArtifactPath("\(names.keras).npz")
    }
    /// The folder under `KERAS_HOME` that holds keras's datasets.
    public static let kerasDatasets = "datasets"
    /// A TFDS manual dir with the builder's name added (`--add_name_to_manual_dir`): `fashion_mnist`, `mnist`.
    public static func tfdsManualFolder(_ manifest: Manifest) -> [String] { [manifest.frameworkNames.tfds] }
    /// Whether a dataset's TFDS folder name is TFDS's alone (`fashion_mnist`, not the dataset's
    /// name): such a folder makes its parent a manual dir; one named as the dataset only inside `manual/`.
    public static func tfdsNameIsOwn(_ manifest: Manifest) -> Bool { manifest.frameworkNames.tfds != manifest.name }
    /// The name of TFDS's manual dir (`~/tensorflow_datasets/downloads/manual`).
    public static let tfdsManualName = "manual"
    /// Kaggle's CSV of one split (`train` or `test`): `fashion-mnist_train.csv`, `mnist_test.csv`.
    public static func kaggleCSV(_ manifest: Manifest, split: String) -> String { manifest.frameworkNames.kaggleCSV(split) }

    /// The name of a `.gz` file's uncompressed payload as torchvision and swift-models keep it.
    public static func uncompressedName(_ name: String) -> String {
        name.hasSuffix(".gz") ? String(name.dropLast(3)) : name + ".idx"
    }

    /// The published file names without `.gz`, lower-cased with `.` spelled `-` (how
    /// ``role(fromName:stems:)`` compares names), with their roles. Compute once per scan.
    public static func stems(_ registry: ManifestRegistry) -> [(stem: String, role: FileRole)] {
        var stems: [(stem: String, role: FileRole)] = []
        for manifest in registry.manifests {
            for role in FileRole.allCases {
                let stem = normalized(uncompressedName(manifest.defaultVersion.file(role).name))
                if !stems.contains(where: { $0.stem == stem }) { stems.append((stem, role)) }
            }
        }
        return stems
    }

    /// Lower case, `.` as `-` (so `t10k-labels.idx1-ubyte` matches), without Foundation.
    static func normalized(_ name: String) -> String { String(name.lowercased().map { $0 == "." ? "-" : $0 }) }

    /// The role a file name says, e.g. `t10k-labels-idx1-ubyte.gz`, `t10k-labels.idx1-ubyte` or a
    /// TFDS download name that contains the published name; nil for any other name.
    public static func role(fromName name: String, stems: [(stem: String, role: FileRole)]) -> FileRole? {
        let lowered = normalized(name)
        return stems.first { lowered.contains($0.stem) }?.role
    }

    /// The dataset a torchvision (or swift-models) class folder name stands for: `FashionMNIST` → fashion.
    public static func dataset(torchvisionClass name: String?, registry: ManifestRegistry) -> String? {
        guard let name else { return nil }
        return registry.manifests.first { $0.frameworkNames.torchvision == name }?.name
    }

    /// The dataset a free-form name mentions (`MNIST_data` → mnist, `…fashion-mnist…` → fashion):
    /// the manifest whose name it contains, the longest name winning.
    static func dataset(inName name: String, registry: ManifestRegistry) -> String? {
        let lowered = name.lowercased()
        return registry.manifests.filter { lowered.contains($0.name.lowercased()) }.max { $0.name.count < $1.name.count }?.name
    }
}
