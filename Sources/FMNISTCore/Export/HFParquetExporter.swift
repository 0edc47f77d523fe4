struct HFParquetExporter: DatasetExporter {
    func plannedPaths(_ source: ExportSource) -> [String] { [] }
    func export(_ source: ExportSource, into dest: ExportDirectory, force: Bool, tally: ExportTally) throws {
        throw ExportError.unknownLayout("hf")
    }
}
