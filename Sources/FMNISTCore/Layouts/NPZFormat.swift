import Foundation

/// An `.npz` of the four arrays (`x_train`, `y_train`, `x_test`, `y_test`, uint8): what
/// `export npz` writes as `DEST/<dataset>.npz`, and keras's `mnist.npz`.
///
/// ```swift
/// let format = NPZFormat()
/// format.exportLayout   // .npz: `fmnist export npz DEST`, then numpy.load("DEST/fashion.npz")
/// ```
package struct NPZFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat {
    package init() {}
    package var name: String { "npz" }
    package var importPhrase: String { "an .npz of the four arrays" }

    package var writer: any DatasetExporter { NPZExporter() }
    /// It formats the arrays: the export reads the payload store's proven files instead of inflating the `.gz`.
    package var payloadUse: ExportPayloadUse { .read }

    /// `<dataset>.npz` in the folder, as `export npz` writes it.
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        let npz = url.appendingPathComponent(manifest.name + ".npz")
        guard RegularFile.kind(at: npz.path) == .regular else { return nil }
        return ImportSource(layout: importLayout, given: url, readFrom: npz, parts: .npz(npz))
    }

    /// A file named `.npz`.
    package func importSource(file url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        guard url.pathExtension.lowercased() == "npz" else { return nil }
        return ImportSource(layout: importLayout, given: url, readFrom: url, parts: .npz(url))
    }

    /// A folder holding `*.npz` files, an export folder (one `.npz` file is verify's own: any file
    /// is identified by its content).
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        turn == .exportFolder && ExportFolderReport.parts(in: url)?.npz.isEmpty == false ? .exportFolder(url) : nil
    }
}

extension ExportLayout {
    /// `DEST/<dataset>.npz`: uint8 `x_train`, `y_train`, `x_test`, `y_test`.
    public static let npz = ExportLayout(rawValue: NPZFormat().name)
}

extension ImportLayout {
    /// An `.npz` of the four arrays: keras's `mnist.npz`, `export npz` output (see ``NPZStaging``).
    public static let npz = ImportLayout(rawValue: NPZFormat().name)
}
