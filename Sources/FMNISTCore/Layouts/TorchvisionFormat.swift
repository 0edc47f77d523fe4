import Foundation

/// torchvision's layout: `ROOT/<Class>/raw/` with the four uncompressed IDX payloads (and the
/// `.gz` beside them), read by `torchvision.datasets.MNIST/FashionMNIST(root=ROOT)`.
///
/// ```swift
/// let format = TorchvisionFormat()
/// format.exportLayout   // .torchvision: `fmnist export torchvision DEST`
/// ```
package struct TorchvisionFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat, DoctorFormat, LinkFormat {
    package init() {}
    package var name: String { "torchvision" }

    package var exportLayout: ExportLayout { .torchvision }
    package var writer: any DatasetExporter { TorchvisionExporter() }
    /// `raw/` holds the payload store's uncompressed files, proven with the `.gz` copies.
    package var payloadUse: ExportPayloadUse { .copied }

    package var importLayout: ImportLayout { .torchvision }
    /// A `raw/` itself or a root's `<Class>/raw/`: the `.gz` beside the payloads when all four are
    /// there (the published containers, the payloads their companions), else the payloads.
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        if url.lastPathComponent == LoaderLayout.torchvisionRawFolder,
            let source = ImportSource.files(.torchvision, given: url, in: url, manifest: manifest, torchvision: true)
        {
            return source
        }
        let raw = LoaderLayout.torchvisionRaw(manifest).reduce(url) { $0.appendingPathComponent($1) }
        guard RegularFile.kind(at: raw.path) == .directory else { return nil }
        return ImportSource.files(.torchvision, given: url, in: raw, manifest: manifest, torchvision: true)
    }

    /// A root whose `<Class>/raw/` folders hold `*-ubyte` payloads, whatever the class names.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        guard turn == .payloadFolders else { return nil }
        return PayloadFolderReport.classFolders(in: url).map { .payloadFolders($0) }
    }

    /// A file in `<Class>/raw/` of a dataset's class name.
    package func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)? {
        guard turn == .loaderFolder, folder.last == LoaderLayout.torchvisionRawFolder,
            let dataset = LoaderLayout.dataset(torchvisionClass: folder.count >= 2 ? folder[folder.count - 2] : nil, registry: registry)
        else { return nil }
        return (.torchvision, dataset)
    }

    /// A class folder's `processed/` holding `.pt` files beside `raw/`: torchvision's cache of an
    /// earlier version, which it reads instead of `raw/`.
    package func doctorFinding(folder: [String], name: String, isDirectory: Bool, registry: ManifestRegistry) -> DoctorCandidate.Kind? {
        guard isDirectory, name == LoaderLayout.torchvisionProcessed,
            let dataset = LoaderLayout.dataset(torchvisionClass: folder.last, registry: registry)
        else { return nil }
        let classFolder = "/" + folder.joined(separator: "/")
        guard RegularFile.kind(at: classFolder + "/" + LoaderLayout.torchvisionRawFolder) == .directory,
            let cached = try? FileManager.default.contentsOfDirectory(atPath: classFolder + "/" + name),
            cached.contains(where: { $0.hasSuffix(".pt") })
        else { return nil }
        return .staleProcessed(dataset: dataset)
    }

    /// `PATH/<Class>/raw` of every dataset's class name (`frameworks.torchvision`) points at the
    /// active version's uncompressed payloads, so `torchvision.datasets.MNIST(PATH)` reads
    /// whichever dataset is active.
    package var linkLayout: LinkLayout { .torchvision }
    package func linkPlacements(root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        registry.manifests.map { manifest in
            let folder = root + "/" + manifest.frameworkNames.torchvision
            return LinkLayout.Placement(path: folder + "/" + LoaderLayout.torchvisionRawFolder, folders: [root, folder], shows: .payloads)
        }
    }
}
