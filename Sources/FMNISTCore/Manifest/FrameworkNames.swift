/// How each framework names a dataset: the manifest's `frameworks` object, each absent name
/// derived from the manifest's `name` (the defaults README "Manifests" documents):
/// `torchvision` the name upper-cased, `kaggle` and `tfds` the name, `keras` the Kaggle name,
/// `keras_reads` gzip, `hf_classes` the manifest's `classes`. No rule here knows a dataset by name.
///
/// ```swift
/// let names = FrameworkNames(try registry.manifest(named: "fashion"))
/// names.torchvision              // "FashionMNIST"
/// names.kaggleCSV("train")       // "fashion-mnist_train.csv"
/// names.kerasReadsGzip           // true (MNIST's manifest says "keras_reads": "npz")
/// ```
public struct FrameworkNames: Sendable, Equatable {
    /// torchvision's class name: `FashionMNIST`, `MNIST`, `KMNIST`.
    public let torchvision: String
    /// Kaggle's CSV prefix: `fashion-mnist`, `mnist`.
    public let kaggle: String
    /// TFDS and Hugging Face hub builder name: `fashion_mnist`, `mnist`.
    public let tfds: String
    /// keras's name under `datasets/`: the cache folder `fashion-mnist`, or the npz `mnist` (`mnist.npz`).
    public let keras: String
    /// Whether keras reads the dataset as the four `.gz` in its folder (Fashion-MNIST) rather than
    /// one pinned `<keras>.npz` (MNIST: fmnist only copies the published one, `fetch --artifact keras`).
    public let kerasReadsGzip: Bool
    /// Class names as the Hugging Face hub spells them (Fashion-MNIST: `T - shirt / top`, not `T-shirt/top`).
    public let huggingFaceClasses: [String]

    /// The names `manifest` gives, with the defaults for those it leaves out.
    public init(_ manifest: Manifest) {
        let given = manifest.frameworks ?? ManifestFrameworks()
        torchvision = given.torchvision ?? manifest.name.uppercased()
        kaggle = given.kaggle ?? manifest.name
        tfds = given.tfds ?? manifest.name
        keras = given.keras ?? kaggle
        kerasReadsGzip = (given.kerasReads ?? "gzip") == "gzip"
        huggingFaceClasses = given.hfClasses ?? manifest.classes
    }

    /// Kaggle's CSV file of a split (`train`, `test`): `fashion-mnist_train.csv`, `mnist_test.csv`.
    public func kaggleCSV(_ split: String) -> String { "\(kaggle)_\(split).csv" }
}

extension Manifest {
    /// How the frameworks name this dataset (``FrameworkNames``).
    public var frameworkNames: FrameworkNames { FrameworkNames(self) }
}
