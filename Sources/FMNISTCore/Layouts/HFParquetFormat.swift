import Foundation

/// Hugging Face Parquet: `<hub name>/{train,test}-00000-of-00001.parquet` (`image` as PNG bytes,
/// `label` as a class label), what `datasets.load_dataset("parquet", …)` reads.
///
/// ```swift
/// try LoaderFormats.exportFormat(named: "huggingface").exportLayout   // .hf
/// ```
package struct HFParquetFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat {
    package init() {}
    package var name: String { "hf" }
    package var aliases: [String] { ["huggingface"] }
    package var importPhrase: String { "an export hf (Parquet) folder" }

    package var writer: any DatasetExporter { HFParquetExporter() }
    /// It formats the arrays: the export reads the payload store's proven files instead of inflating the `.gz`.
    package var payloadUse: ExportPayloadUse { .read }

    /// `<hub name>/{train,test}-00000-of-00001.parquet` (or in the folder itself).
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource? {
        let train = "train-00000-of-00001.parquet", test = "test-00000-of-00001.parquet"
        for folder in [url.appendingPathComponent(manifest.frameworkNames.tfds), url] {
            if let (train, test) = try ImportSource.splitPair(in: folder, train, test, directory: false, manifest: manifest) {
                return ImportSource(layout: importLayout, given: url, readFrom: folder, parts: .splits(train: train, test: test, form: .parquetFiles))
            }
        }
        return nil
    }

    /// One file named `.parquet`, identified as a split; a folder holding `[D/]*.parquet`, an export folder.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        switch turn {
        case .fileByName: url.pathExtension.lowercased() == "parquet" ? .parquetFile(url) : nil
        case .exportFolder: ExportFolderReport.parts(in: url)?.parquet.isEmpty == false ? .exportFolder(url) : nil
        default: nil
        }
    }
}

extension ExportLayout {
    /// Hugging Face Parquet: `DEST/<hub name>/{train,test}-00000-of-00001.parquet`.
    public static let hf = ExportLayout(rawValue: HFParquetFormat().name)
}

extension ImportLayout {
    /// `export hf` output: `<hub name>/{train,test}-00000-of-00001.parquet`, read and rebuilt into IDX, gzipped.
    public static let hf = ImportLayout(rawValue: HFParquetFormat().name)
}
