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
    package var importPhrase: String { "a torchvision root" }

    package var writer: any DatasetExporter { TorchvisionExporter() }
    /// `raw/` holds the payload store's uncompressed files, proven with the `.gz` copies.
    package var payloadUse: ExportPayloadUse { .copied }

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
    package func linkPlacements(root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        registry.manifests.map { manifest in
            let folder = root + "/" + manifest.frameworkNames.torchvision
            return LinkLayout.Placement(path: folder + "/" + LoaderLayout.torchvisionRawFolder, folders: [root, folder], shows: .payloads)
        }
    }

    /// A `processed/` beside a flipped `raw` link: torchvision reads it instead, so it still shows
    /// what was processed there.
    package func warningAfterFlip(_ placement: LinkLayout.Placement) -> String? {
        let processed = ((placement.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(LoaderLayout.torchvisionProcessed)
        guard FilePaths.lstat(processed) != nil else { return nil }
        return "\(processed) exists: torchvision reads it instead of raw/, so it still shows what was processed there; move it aside or delete it"
    }
}

extension ExportLayout {
    /// `DEST/FashionMNIST/raw/` and `DEST/MNIST/raw/`: four uncompressed IDX payloads plus the `.gz`.
    public static let torchvision = ExportLayout(rawValue: TorchvisionFormat().name)
}

extension ImportLayout {
    /// A torchvision root or its `<Class>/raw/`: the `.gz` beside the payloads when all four are there (the published containers), else the uncompressed payloads, gzipped while staged.
    public static let torchvision = ImportLayout(rawValue: TorchvisionFormat().name)
}

extension LinkLayout {
    /// `PATH/<Class>/raw` of every dataset shows the active version's uncompressed payloads.
    public static let torchvision = LinkLayout(rawValue: TorchvisionFormat().name)
}
