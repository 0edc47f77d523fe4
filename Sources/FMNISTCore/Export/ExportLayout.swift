/// The on-disk layouts `fmnist export` writes, each the one a loader reads: their names as
/// `export LAYOUT`, the `--json` result and the provenance file spell them. What each layout does
/// is its type's in `Layouts/` (``LoaderFormats``, which also parses a name and its aliases:
/// `ExportLayout(parsing: "kaggle")` is `.csv`).
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
}
