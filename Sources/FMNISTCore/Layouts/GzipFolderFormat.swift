/// A folder of the four published `.gz` files (TF1's `read_data_sets(DIR)`, the Fashion-MNIST
/// README's `mnist_reader`, fmnist's own live folders).
///
/// ```swift
/// GzipFolderFormat().name   // "gzip-folder", as `import --json` reports it
/// ```
package struct GzipFolderFormat: LoaderFormat {
    package init() {}
    package var name: String { "gzip-folder" }
}
