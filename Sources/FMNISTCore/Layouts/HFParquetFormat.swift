/// Hugging Face Parquet: `<hub name>/{train,test}-00000-of-00001.parquet` (`image` as PNG bytes,
/// `label` as a class label), what `datasets.load_dataset("parquet", …)` reads.
///
/// ```swift
/// try LoaderFormats.exportFormat(named: "huggingface").exportLayout   // .hf
/// ```
package struct HFParquetFormat: LoaderFormat, ExportFormat {
    package init() {}
    package var name: String { "hf" }
    package var aliases: [String] { ["huggingface"] }

    package var exportLayout: ExportLayout { .hf }
    package var writer: any DatasetExporter { HFParquetExporter() }
}
