/// One layout's side of `fmnist export`: its name, its writer and what it refuses. Each loader
/// layout's type in `Layouts/` conforms (``LoaderFormat``), and ``ExportService`` asks only this,
/// so that no switch over layouts lives in the export machinery.
///
/// ```swift
/// let format: any ExportFormat = TorchvisionFormat()
/// format.exportLayout          // .torchvision
/// format.copiesPayloads        // true: it copies the payload store's uncompressed files
/// NPZFormat().readsPayloads     // true: it reads them as arrays
/// try ExportService(layout: workspace, registry: registry).run(format: format, destination: out)
/// ```
package protocol ExportFormat: Sendable {
    /// The layout's name in `export LAYOUT`, the `--json` result and the provenance file.
    var exportLayout: ExportLayout { get }
    /// Writes one dataset's part of DEST.
    var writer: any DatasetExporter { get }
    /// Whether the writer copies the payload store's uncompressed files (torchvision's `raw/`),
    /// so that the export proves them under the lock with the `.gz` copies.
    var copiesPayloads: Bool { get }
    /// Whether the writer reads the arrays (``ExportSource/loadSplits(_:threads:)``: csv, npz, png,
    /// hf), so that the export proves the payload store's files under the lock and reads them
    /// instead of inflating and hashing the `.gz` again.
    var readsPayloads: Bool { get }
    /// Why `source` cannot be exported in this layout (keras: MNIST without its pinned
    /// `mnist.npz`), or nil when it can.
    func refusal(_ source: ExportSource) -> ExportError?
}

extension ExportFormat {
    package var copiesPayloads: Bool { false }
    package var readsPayloads: Bool { false }
    package func refusal(_ source: ExportSource) -> ExportError? { nil }
}
