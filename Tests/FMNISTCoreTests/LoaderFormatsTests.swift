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
        // Each name of the command line and --json belongs to exactly one layout's type, and the
        // names are the ones earlier builds wrote (they are stored: provenance files, the catalog).
        let exports = LoaderFormats.exportFormats.map(\.exportLayout.rawValue)
        #expect(exports.sorted() == ["csv", "hf", "keras", "npz", "png", "tfds", "torchvision"])
        let imports = LoaderFormats.importFormats.map(\.importLayout.rawValue)
        #expect(imports.sorted() == ["csv", "gzip-folder", "hf", "idx-folder", "keras", "npz", "png", "tfds-manual", "torchvision"])
        #expect(LoaderFormats.linkPlacements.layouts.map(\.rawValue) == ["seed", "torchvision", "keras"])
        // The constants the library's users spell are the layouts' own names.
        #expect([ExportLayout.torchvision, .npz, .csv, .png, .keras, .tfds, .hf].map(\.rawValue).sorted() == exports.sorted())
        #expect([ImportLayout.gzipFolder, .torchvision, .idxFolder, .keras, .tfdsManual, .csv, .npz, .png, .hf].map(\.rawValue).sorted() == imports.sorted())
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
        #expect(throws: UsageError.self) { try LinkLayout(parsing: "npz") }
        // A name no layout of this build writes (one a newer fmnist stored) is refused, not looked up.
        #expect(throws: ExportError.self) { try LoaderFormats.exportFormat(ExportLayout(rawValue: "zarr")) }
        #expect(throws: ExportError.self) { try ExportProvenance.location(layout: ExportLayout(rawValue: "zarr"), manifest: ManifestRegistry.builtin().manifests[0]) }
    }

    /// A layout the library has never heard of, as its own file would declare it: a `<name>.bundle`
    /// folder holding the four `.gz`. Its name needs no case anywhere: the import reports it.
    struct BundleFolderFormat: LoaderFormat, ImportFormat {
        var name: String { "bundle-folder" }
        var importPhrase: String { "a <name>.bundle folder" }
        func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
            guard url.pathExtension == "bundle" else { return nil }
            return ImportSource.files(importLayout, given: url, in: url, manifest: manifest)
        }
    }

    @Test func aLayoutIsOneTypeAndOneListEntryItsNamesItsOwn() throws {
        let scratch = try ScratchFolder("loader-formats-new")
        let toy = try SyntheticDataset(name: "toybundle", title: "Toy-Bundle", seed: 5, in: scratch.url)
        let registry = try ManifestRegistry.load(extraDirectories: [toy.manifestDirectory.path])
        let bundle = scratch.url.appendingPathComponent("toy.bundle")
        try FileManager.default.copyItem(at: toy.folder, to: bundle)
        let context = WorkspaceContext(layout: WorkspaceLayout(root: scratch.url.appendingPathComponent("ws")), registry: registry)
        // Without it in the list, the folder is read as what it also is (a folder of the four .gz).
        let plain = try DatasetImporter(context: context, formats: LoaderFormats.importFormats).importDirectory(bundle, as: "toybundle")
        #expect(plain.layout == .gzipFolder)
        let listed = try DatasetImporter(context: context, formats: [BundleFolderFormat()] + LoaderFormats.importFormats)
            .importDirectory(bundle, as: "toybundle")
        #expect(listed.layout.rawValue == "bundle-folder")
        #expect(String(decoding: try JSONEncoder().encode(listed.layout), as: UTF8.self) == "\"bundle-folder\"")
        // The hint for a folder holding no layout lists it with the others, from the same list.
        let empty = scratch.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect {
            try DatasetImporter(context: context, formats: [BundleFolderFormat()] + LoaderFormats.importFormats).importDirectory(empty, as: "toybundle")
        } throws: { error in
            guard let error = error as? ImportError, case .giveDatasetFolder(let accepted)? = error.remedy else { return false }
            return accepted.first == "a <name>.bundle folder" && accepted.count == LoaderFormats.importFormats.count + 1
                && error.hint?.hasPrefix("give a <name>.bundle folder, a folder of the four .gz files, ") == true
        }
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

    /// What `verify PATH` reads, as a word: which case of ``VerifyTarget`` (and whose cache).
    static func kind(_ target: VerifyTarget) -> String {
        switch target {
        case .datasets: "datasets"
        case .file: "file"
        case .payloadFolders: "payloadFolders"
        case .loaderCache(let cache): "loaderCache \(cache.loader)"
        case .csvFile: "csvFile"
        case .csvFolder: "csvFolder"
        case .parquetFile: "parquetFile"
        case .exportFolder: "exportFolder"
        }
    }

    @Test func eachLayoutsExportIsRecognisedByItsOwnVerifyFacet() throws {
        let scratch = try ScratchFolder("loader-formats-verify")
        let toy = try SyntheticDataset(name: "toyverify", title: "Toy-Verify", seed: 11, in: scratch.url)
        let registry = try ManifestRegistry.load(extraDirectories: [toy.manifestDirectory.path])
        let workspace = WorkspaceLayout(root: scratch.url.appendingPathComponent("ws"))
        func kind(_ url: URL, by formats: [any VerifyFormat]) throws -> String {
            Self.kind(try VerifyTarget.resolve(url.path, layout: workspace, registry: registry, formats: formats))
        }
        _ = try DatasetImporter(layout: workspace, registry: registry).importDirectory(toy.folder, as: "toyverify")
        let service = ExportService(layout: workspace, registry: registry, threads: 2)
        let expected: [ExportLayout: String] = [
            .torchvision: "payloadFolders", .keras: "loaderCache keras", .tfds: "loaderCache tfds-manual",
            .csv: "csvFolder", .npz: "exportFolder", .png: "exportFolder", .hf: "exportFolder",
        ]
        var checked: Set<ExportLayout> = []
        for case let format as any ExportFormat & VerifyFormat in LoaderFormats.all {
            let dest = scratch.url.appendingPathComponent("export-\(format.exportLayout.rawValue)")
            _ = try service.run(format: format, destination: dest, dataset: "toyverify")
            let want = try #require(expected[format.exportLayout], "\(format.exportLayout)")
            // Its own facet alone finds it; the whole list finds it as that too (no other layout's
            // turn comes first); with no layouts, verify does not read it so.
            #expect(try kind(dest, by: [format]) == want, "\(format.exportLayout)")
            #expect(try kind(dest, by: LoaderFormats.verifyFormats) == want, "\(format.exportLayout)")
            #expect((try? kind(dest, by: [])) != want, "\(format.exportLayout)")
            checked.insert(format.exportLayout)
        }
        #expect(checked == Set(LoaderFormats.exportFormats.map(\.exportLayout)))

        // One split's file: a Parquet by its name, a Kaggle CSV by its name or first bytes; a name
        // outranks content (a `.parquet` starting with `label,` is Parquet although CSV is listed first).
        let parquet = scratch.url.appendingPathComponent("export-hf").appendingPathComponent(
            try registry.manifest(named: "toyverify").frameworkNames.tfds).appendingPathComponent("train-00000-of-00001.parquet")
        #expect(try kind(parquet, by: [HFParquetFormat()]) == "parquetFile")
        let csv = try #require(CSVFolderReport.csvFiles(in: scratch.url.appendingPathComponent("export-csv"))?.first)
        #expect(try kind(csv, by: [KaggleCSVFormat()]) == "csvFile")
        #expect(try kind(csv, by: []) == "file")
        let tricky = scratch.url.appendingPathComponent("labels.parquet")
        try Data("label,pixel1\n".utf8).write(to: tricky)
        #expect(try kind(tricky, by: LoaderFormats.verifyFormats) == "parquetFile")
        let sniffed = scratch.url.appendingPathComponent("split.txt")
        try Data("label,pixel1\n".utf8).write(to: sniffed)
        #expect(try kind(sniffed, by: LoaderFormats.verifyFormats) == "csvFile")
    }

    @Test func eachLoaderFolderIsPlacedByItsOwnDoctorFacet() throws {
        let registry = try ManifestRegistry.builtin()
        func loader(_ path: String, by formats: [any DoctorFormat]) -> Loader? {
            let components = path.split(separator: "/").map(String.init)
            return LoaderLayout.place(folder: Array(components.dropLast()), name: components.last!, registry: registry, formats: formats)?.loader
        }
        let keras = "/h/.keras/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
        let cases: [(format: any DoctorFormat, path: String, loader: Loader)] = [
            (TorchvisionFormat(), "/r/FashionMNIST/raw/train-images-idx3-ubyte", .torchvision),
            (KerasFormat(), keras, .keras),
            (SwiftModelsFormat(), "/h/.cache/swift-models/datasets/MNIST/train-images-idx3-ubyte", .swiftModels),
            (TFDSManualFormat(), "/out/fashion_mnist/train-labels-idx1-ubyte.gz", .tfdsManual),
            (TFDSDownloadsFormat(), "/h/tensorflow_datasets/downloads/mnist_train-labels-idx1-ubyte.gz", .tfdsDownloads),
            (GzipFolderFormat(), "/p/data/fashion/train-images-idx3-ubyte.gz", .seedLoader),
            (GzipFolderFormat(), "/p/MNIST_data/t10k-images.idx3-ubyte", .tf1ReadDataSets),
        ]
        for item in cases {
            #expect(loader(item.path, by: [item.format]) == item.loader, "\(item.path)")
            #expect(loader(item.path, by: LoaderFormats.doctorFormats) == item.loader, "\(item.path)")
        }
        // Every layout doctor asks has a case here.
        #expect(Set(cases.map { "\(type(of: $0.format))" }) == Set(LoaderFormats.doctorFormats.map { "\(type(of: $0))" }))
        // A loader's own folder outranks any folder, whatever the list's order: keras's
        // `datasets/fashion-mnist` is also named after its dataset (the seed loader's rule alone).
        #expect(loader(keras, by: [GzipFolderFormat()]) == .seedLoader)
        #expect(loader(keras, by: [GzipFolderFormat(), KerasFormat()]) == .keras)
        #expect(loader("/p/MNIST_data/notes.txt", by: LoaderFormats.doctorFormats) == nil)
    }
}

