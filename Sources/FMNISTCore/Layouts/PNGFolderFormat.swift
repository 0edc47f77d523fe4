import Foundation

/// A folder of PNG files: `<dataset>/{train,test}/<label>/<index>.png` plus `classes.txt`
/// (torchvision's `ImageFolder`, keras's `image_dataset_from_directory`).
///
/// ```swift
/// let format = PNGFolderFormat()
/// format.exportLayout   // .png: `fmnist export png DEST`
/// ```
package struct PNGFolderFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat {
    package init() {}
    package var name: String { "png" }
    package var importPhrase: String { "an export png folder" }

    package var writer: any DatasetExporter { PNGExporter() }
    /// It formats the arrays: the export reads the payload store's proven files instead of inflating the `.gz`.
    package var payloadUse: ExportPayloadUse { .read }

    /// `<dataset>/{train,test}/` (or the folder itself) holding PNG class folders.
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource? {
        for folder in [url.appendingPathComponent(manifest.name), url] {
            if let (train, test) = try ImportSource.splitPair(in: folder, "train", "test", directory: true, manifest: manifest),
                ExportFolderReport.parts(in: folder)?.png.isEmpty == false
            {
                return ImportSource(layout: importLayout, given: url, readFrom: folder, parts: .splits(train: train, test: test, form: .pngFolders))
            }
        }
        return nil
    }

    /// A folder holding `[D/]{train,test}/<label>/` split folders, an export folder.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        turn == .exportFolder && ExportFolderReport.parts(in: url)?.png.isEmpty == false ? .exportFolder(url) : nil
    }
}

extension ExportLayout {
    /// `DEST/<dataset>/{train,test}/<label>/<index>.png` plus `classes.txt`.
    public static let png = ExportLayout(rawValue: PNGFolderFormat().name)
}

extension ImportLayout {
    /// `export png` output: `<dataset>/{train,test}/<label>/<index>.png`, decoded and rebuilt into IDX, gzipped.
    public static let png = ImportLayout(rawValue: PNGFolderFormat().name)
}
