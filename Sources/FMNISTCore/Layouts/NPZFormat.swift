/// An `.npz` of the four arrays (`x_train`, `y_train`, `x_test`, `y_test`, uint8): what
/// `export npz` writes as `DEST/<dataset>.npz`, and keras's `mnist.npz`.
///
/// ```swift
/// let format = NPZFormat()
/// format.exportLayout   // .npz: `fmnist export npz DEST`, then numpy.load("DEST/fashion.npz")
/// ```
package struct NPZFormat: LoaderFormat, ExportFormat {
    package init() {}
    package var name: String { "npz" }

    package var exportLayout: ExportLayout { .npz }
    package var writer: any DatasetExporter { NPZExporter() }
}
