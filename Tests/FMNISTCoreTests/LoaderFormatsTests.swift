import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The one list of loader layouts (``LoaderFormats``): every layout named once, no name or alias
/// given twice, and what each layout exports is what its own recogniser finds again.
@Suite struct LoaderFormatsTests {
    @Test func everyLayoutIsListedOnceUnderNamesThatAreUnique() throws {
        let spellings = LoaderFormats.all.flatMap { [$0.name] + $0.aliases }
        #expect(Set(spellings).count == spellings.count, "\(spellings)")
        #expect(Set(LoaderFormats.all.map { "\(type(of: $0))" }).count == LoaderFormats.all.count)
        // Each name of the command line and --json belongs to exactly one layout's type.
        let exports = LoaderFormats.all.compactMap { ($0 as? any ExportFormat)?.exportLayout }
        #expect(exports.sorted { $0.rawValue < $1.rawValue } == ExportLayout.allCases.sorted { $0.rawValue < $1.rawValue })
        let imports = LoaderFormats.all.compactMap { ($0 as? any ImportFormat)?.importLayout }
        #expect(imports.sorted { $0.rawValue < $1.rawValue } == ImportLayout.allCases.sorted { $0.rawValue < $1.rawValue })
        let links = LoaderFormats.all.compactMap { ($0 as? any LinkFormat)?.linkLayout }
        #expect(links.sorted { $0.rawValue < $1.rawValue } == LinkLayout.allCases.sorted { $0.rawValue < $1.rawValue })
        // A layout exported under a name is parsed back from that name and from each alias.
        for format in LoaderFormats.all {
            guard let export = format as? any ExportFormat else { continue }
            #expect(export.exportLayout.rawValue == format.name)
            for spelling in [format.name, format.name.uppercased()] + format.aliases {
                #expect(try ExportLayout(parsing: spelling) == export.exportLayout)
            }
        }
        #expect(throws: ExportError.self) { try ExportLayout(parsing: "pytorch") }
        #expect(try LinkLayout(parsing: "Keras") == .keras)
    }

    @Test func eachLayoutsExportIsRecognisedByItsOwnTypeAndFirstInTheList() throws {
        let scratch = try ScratchFolder("loader-formats")
        let toy = try SyntheticDataset(name: "toyformats", title: "Toy-Formats", seed: 9, in: scratch.url)
        let registry = try ManifestRegistry.load(extraDirectories: [toy.manifestDirectory.path])
        let manifest = try registry.manifest(named: "toyformats")
        let workspace = WorkspaceLayout(root: scratch.url.appendingPathComponent("ws"))
        func recognised(_ url: URL, by formats: [any ImportFormat]) throws -> ImportLayout {
            try ImportSource.resolve(url.standardizedFileURL, manifest: manifest, registry: registry, formats: formats).layout
        }
        // The folder of the four .gz, and of the four payloads.
        #expect(try recognised(toy.folder, by: [GzipFolderFormat()]) == .gzipFolder)
        #expect(try recognised(toy.folder, by: LoaderFormats.importFormats) == .gzipFolder)
        let payloads = scratch.url.appendingPathComponent("payloads")
        try FileManager.default.createDirectory(at: payloads, withIntermediateDirectories: true)
        for role in FileRole.allCases {
            try Data(toy.payloads[role]!).write(to: payloads.appendingPathComponent(LoaderLayout.uncompressedName(SyntheticDataset.fileName(role))))
        }
        #expect(try recognised(payloads, by: [IDXFolderFormat()]) == .idxFolder)
        #expect(try recognised(payloads, by: LoaderFormats.importFormats) == .idxFolder)
        #expect(throws: ImportError.self) { try recognised(payloads, by: [GzipFolderFormat()]) }

        _ = try DatasetImporter(layout: workspace, registry: registry).importDirectory(toy.folder, as: "toyformats")
        let service = ExportService(layout: workspace, registry: registry, threads: 2)
        for case let format as any ExportFormat & ImportFormat in LoaderFormats.all {
            let dest = scratch.url.appendingPathComponent("export-\(format.exportLayout.rawValue)")
            let result = try service.run(format: format, destination: dest, dataset: "toyformats")
            #expect(result.layout == format.exportLayout)
            #expect(try recognised(dest, by: [format]) == format.importLayout, "\(format.exportLayout)")
            #expect(try recognised(dest, by: LoaderFormats.importFormats) == format.importLayout, "\(format.exportLayout)")
        }
    }
}
