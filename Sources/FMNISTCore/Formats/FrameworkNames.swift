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
