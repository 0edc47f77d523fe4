import Foundation

/// A folder of the four uncompressed IDX payloads (`train-images-idx3-ubyte`, …; also spelled
/// `t10k-labels.idx1-ubyte`) that is not a torchvision `raw/`.
///
/// ```swift
/// IDXFolderFormat().name   // "idx-folder", as `import --json` reports it
/// ```
package struct IDXFolderFormat: LoaderFormat, ImportFormat, VerifyFormat {
    package init() {}
    package var name: String { "idx-folder" }
    package var importPhrase: String { "a folder of the four uncompressed IDX payloads" }

    /// The folder itself holds the four uncompressed payloads (a `raw/` is torchvision's); they
    /// are gzipped while staged.
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        guard url.lastPathComponent != LoaderLayout.torchvisionRawFolder,
            let parts = ImportSource.filesParts(in: url, names: names, torchvision: false), !parts.values.allSatisfy(\.compressed)
        else { return nil }
        return ImportSource(layout: importLayout, given: url, readFrom: url, parts: .files(parts))
    }

    /// The folder itself holds `*-ubyte` payloads (a `raw/` too): verified file by file.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        turn == .payloadFolders && PayloadFolderReport.holdsPayloads(url) ? .payloadFolders([url]) : nil
    }
}

extension ImportLayout {
    /// Any other folder of the four uncompressed IDX payloads, gzipped while staged.
    public static let idxFolder = ImportLayout(rawValue: IDXFolderFormat().name)
}
