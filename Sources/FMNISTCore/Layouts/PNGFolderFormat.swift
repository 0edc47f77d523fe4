/// A folder of PNG files: `<dataset>/{train,test}/<label>/<index>.png` plus `classes.txt`
/// (torchvision's `ImageFolder`, keras's `image_dataset_from_directory`).
///
/// ```swift
/// let format = PNGFolderFormat()
/// format.exportLayout   // .png: `fmnist export png DEST`
/// ```
package struct PNGFolderFormat: LoaderFormat, ExportFormat {
    package init() {}
    package var name: String { "png" }

    package var exportLayout: ExportLayout { .png }
    package var writer: any DatasetExporter { PNGExporter() }
}
