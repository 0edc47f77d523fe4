/// One layout's side of `fmnist export`: its name, its writer and what it refuses. Each loader
/// layout's type in `Layouts/` conforms (``LoaderFormat``), and ``ExportService`` asks only this,
/// so that no switch over layouts lives in the export machinery.
///
/// ```swift
/// let format: any ExportFormat = TorchvisionFormat()
/// format.exportLayout          // .torchvision
/// format.payloadUse            // .copied: it copies the payload store's uncompressed files
/// NPZFormat().payloadUse        // .read: it reads them as arrays
/// try ExportService(layout: workspace, registry: registry).run(format: format, destination: out)
/// ```
package protocol ExportFormat: Sendable {
    /// The layout's name in `export LAYOUT`, the `--json` result and the provenance file.
    var exportLayout: ExportLayout { get }
    /// Writes one dataset's part of DEST.
    var writer: any DatasetExporter { get }
    /// What the writer does with the payload store's uncompressed files, which the export proves
    /// under the lock with the `.gz` copies: copies them (`.copied`: torchvision's `raw/`), reads
    /// them as the arrays it formats (`.read`: csv, npz, png, hf, through
    /// ``ExportSource/loadSplits(_:threads:)``, instead of inflating and hashing the `.gz` again),
    /// or nothing (`.none`, the default: the writer reads only the `.gz`).
    var payloadUse: ExportPayloadUse { get }
    /// Why `source` cannot be exported in this layout (keras: MNIST without its pinned
    /// `mnist.npz`), or nil when it can.
    func refusal(_ source: ExportSource) -> ExportError?
}

extension ExportFormat {
    package var payloadUse: ExportPayloadUse { .none }
    package func refusal(_ source: ExportSource) -> ExportError? { nil }
}

/// What an export wants of the payload store.
package enum ExportPayloadUse: Sendable {
    /// Nothing (the writer reads only the `.gz`).
    case none
    /// Its files are copied (torchvision's `raw/`): proven, built or repaired, or the export
    /// falls back to re-verifying the live files.
    case copied
    /// Its files are read as the arrays the writer formats (csv, npz, png, hf): proven, built or
    /// repaired when that can be done; when it cannot, `ProvenFiles.payloads` stays empty and the writer
    /// reads and proves the `.gz` copies instead.
    case read
}
