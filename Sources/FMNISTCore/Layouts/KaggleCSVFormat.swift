/// Kaggle's CSVs: `fashion-mnist_train.csv` and `fashion-mnist_test.csv` (`label,pixel1,…`), one
/// row per image.
///
/// ```swift
/// try LoaderFormats.exportFormat(named: "kaggle").exportLayout   // .csv
/// ```
package struct KaggleCSVFormat: LoaderFormat, ExportFormat {
    package init() {}
    package var name: String { "csv" }
    package var aliases: [String] { ["kaggle"] }

    package var exportLayout: ExportLayout { .csv }
    package var writer: any DatasetExporter { CSVExporter() }
}
