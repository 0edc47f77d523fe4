/// torchvision's layout: `ROOT/<Class>/raw/` with the four uncompressed IDX payloads (and the
/// `.gz` beside them), read by `torchvision.datasets.MNIST/FashionMNIST(root=ROOT)`.
///
/// ```swift
/// let format = TorchvisionFormat()
/// format.exportLayout   // .torchvision: `fmnist export torchvision DEST`
/// ```
package struct TorchvisionFormat: LoaderFormat, ExportFormat {
    package init() {}
    package var name: String { "torchvision" }

    package var exportLayout: ExportLayout { .torchvision }
    package var writer: any DatasetExporter { TorchvisionExporter() }
    /// `raw/` holds the payload store's uncompressed files, proven with the `.gz` copies.
    package var copiesPayloads: Bool { true }
}
