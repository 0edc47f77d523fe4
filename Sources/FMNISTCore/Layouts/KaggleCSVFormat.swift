import Foundation

/// Kaggle's CSVs: `fashion-mnist_train.csv` and `fashion-mnist_test.csv` (`label,pixel1,…`), one
/// row per image.
///
/// ```swift
/// try LoaderFormats.exportFormat(named: "kaggle").exportLayout   // .csv
/// ```
package struct KaggleCSVFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat {
    package init() {}
    package var name: String { "csv" }
    package var aliases: [String] { ["kaggle"] }
    package var importPhrase: String { "a folder of Kaggle-format CSVs" }

    package var writer: any DatasetExporter { CSVExporter() }
    /// It formats the arrays: the export reads the payload store's proven files instead of inflating the `.gz`.
    package var payloadUse: ExportPayloadUse { .read }

    /// Both splits by the names `export csv` writes; one of them alone is a missing split (exit 4).
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource? {
        let names = (LoaderLayout.kaggleCSV(manifest, split: "train"), LoaderLayout.kaggleCSV(manifest, split: "test"))
        guard let (train, test) = try ImportSource.splitPair(in: url, names.0, names.1, directory: false, manifest: manifest) else { return nil }
        return ImportSource(layout: importLayout, given: url, readFrom: url, parts: .csv(train: train, test: test))
    }

    /// One CSV is one split: a usage error naming the folder to give (an `.npz` is npz's, whatever its bytes).
    package func importSource(file url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource? {
        guard url.pathExtension.lowercased() != "npz", KaggleCSVFile.looksLikeCSV(url) else { return nil }
        throw UsageError(
            "\(url.path) is one CSV, one split; an import needs both",
            hint: "give the folder holding \(LoaderLayout.kaggleCSV(manifest, split: "train")) and \(LoaderLayout.kaggleCSV(manifest, split: "test"))")
    }

    /// One file named `.csv` or starting with `label,`, identified as a split; a folder of `*.csv`
    /// (what `export csv` writes), each identified.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        switch turn {
        case .fileByContent: KaggleCSVFile.looksLikeCSV(url) ? .csvFile(url) : nil
        case .csvFolder: CSVFolderReport.csvFiles(in: url).map { .csvFolder(url, $0) }
        default: nil
        }
    }
}

extension ExportLayout {
    /// Kaggle's CSV: `DEST/fashion-mnist_{train,test}.csv`, `DEST/mnist_{train,test}.csv`.
    public static let csv = ExportLayout(rawValue: KaggleCSVFormat().name)
}

extension ImportLayout {
    /// Kaggle-format CSVs (`fashion-mnist_train.csv` + `_test.csv`): rows rebuilt into the IDX payloads, gzipped.
    public static let csv = ImportLayout(rawValue: KaggleCSVFormat().name)
}
