/// The on-disk layouts `fmnist export` writes, each the one a loader reads.
public enum ExportLayout: String, Sendable, Codable, CaseIterable {
    /// `DEST/FashionMNIST/raw/` and `DEST/MNIST/raw/`: four uncompressed IDX payloads plus the `.gz`.
    case torchvision
    /// `DEST/<dataset>.npz`: uint8 `x_train`, `y_train`, `x_test`, `y_test`.
    case npz
    /// Kaggle's CSV: `DEST/fashion-mnist_{train,test}.csv`, `DEST/mnist_{train,test}.csv`.
    case csv
    /// `DEST/<dataset>/{train,test}/<label>/<index>.png` plus `classes.txt`.
    case png
    /// `DEST/datasets/fashion-mnist/*.gz` (use as `KERAS_HOME=DEST`).
    case keras
    /// `DEST/fashion_mnist/*.gz`, `DEST/mnist/*.gz`: TFDS manual dirs.
    case tfds
    /// Hugging Face Parquet: `DEST/<hub name>/{train,test}-00000-of-00001.parquet`.
    case hf

    /// Parses a layout name (case-insensitive; `huggingface` and `kaggle` are accepted as aliases).
    public init(parsing name: String) throws {
        switch name.lowercased() {
        case "huggingface": self = .hf
        case "kaggle": self = .csv
        default:
            guard let layout = ExportLayout(rawValue: name.lowercased()) else { throw ExportError.unknownLayout(name) }
            self = layout
        }
    }
}

/// How each framework names a dataset (a manifest's `name` is `fashion` or `mnist`).
enum FrameworkNames {
    /// torchvision's class name: `FashionMNIST`, `MNIST`.
    static func torchvision(_ dataset: String) -> String { dataset == "fashion" ? "FashionMNIST" : dataset.uppercased() }
    /// Kaggle's CSV prefix: `fashion-mnist`, `mnist`.
    static func kaggle(_ dataset: String) -> String { dataset == "fashion" ? "fashion-mnist" : dataset }
    /// Kaggle's CSV file of a split (`train`, `test`): `fashion-mnist_train.csv`, `mnist_test.csv`.
    static func kaggleCSV(_ dataset: String, _ split: String) -> String { "\(kaggle(dataset))_\(split).csv" }
    /// TFDS and Hugging Face hub builder name: `fashion_mnist`, `mnist`.
    static func tfds(_ dataset: String) -> String { dataset == "fashion" ? "fashion_mnist" : dataset }
    /// keras's cache folder under `datasets/`: `fashion-mnist`.
    static func keras(_ dataset: String) -> String { kaggle(dataset) }
    /// Class names as the Hugging Face hub spells them (`T - shirt / top`, not `T-shirt/top`).
    static func huggingFaceClasses(_ manifest: Manifest) -> [String] {
        manifest.classes.map { $0 == "T-shirt/top" ? "T - shirt / top" : $0 }
    }
}
