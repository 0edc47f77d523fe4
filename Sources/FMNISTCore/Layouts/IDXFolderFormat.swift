/// A folder of the four uncompressed IDX payloads (`train-images-idx3-ubyte`, …; also spelled
/// `t10k-labels.idx1-ubyte`) that is not a torchvision `raw/`.
///
/// ```swift
/// IDXFolderFormat().name   // "idx-folder", as `import --json` reports it
/// ```
package struct IDXFolderFormat: LoaderFormat {
    package init() {}
    package var name: String { "idx-folder" }
}
