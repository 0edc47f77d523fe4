import Foundation

/// One side of `fmnist diff`: a recorded version (`fashion`, `fashion@<id-prefix or name>`,
/// `mnist`) or a folder of the four `.gz` files, resolved to four file paths.
public struct ResolvedSpec: Sendable {
    /// What the user typed.
    public let spec: String
    /// e.g. "Fashion-MNIST 2017-08-31 (915659908dce)" or the folder path.
    public let label: String
    /// The dataset's manifest name, when the spec names a recorded version (a folder: the
    /// dataset its files are identified as, after the scan).
    public let dataset: String?
    /// The full version id, when the spec names a recorded version.
    public let versionID: String?
    /// The folder, when the spec is one.
    public let path: String?
    /// The file to read per role.
    public let files: [FileRole: URL]
    /// What the catalog recorded per role (a recorded version only): bounds decompression.
    public let recorded: [FileRole: CatalogFile]
}

/// Resolves diff specs. A spec containing `/`, or naming an existing directory, is a folder;
/// anything else is `DATASET[@VERSION]` looked up in the catalog (no version: the live one).
public struct VersionSpecResolver: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    public func resolve(_ spec: String) throws -> ResolvedSpec {
        var isDirectory: ObjCBool = false
        if spec.contains("/") || (FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return try folder(spec)
        }
        let target = try SwitchTarget(parsing: spec)
        let manifest = try ActiveDataset.manifest(named: target.dataset, layout: layout, registry: registry)
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        return try catalog.readTransaction {
            let version = try Self.version(of: manifest, selector: target.version, catalog: catalog)
            let files = try catalog.files(versionID: version.id)
            guard files.count == FileRole.allCases.count else { throw WorkspaceError.datasetMissing(dataset: manifest.name) }
            let store = VersionStore(layout: layout)
            var urls: [FileRole: URL] = [:]
            for file in files { urls[file.role] = try store.url(containerSHA256: file.containerSHA256) }
            return ResolvedSpec(
                spec: spec, label: "\(manifest.title) \(version.label)", dataset: manifest.name, versionID: version.id, path: nil,
                files: urls, recorded: Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0) }))
        }
    }

    /// The recorded version of `manifest` that `selector` names (nil: the live one), or a typed error
    /// (``VersionSelection``, the one resolver).
    public static func version(of manifest: Manifest, selector: String?, catalog: Catalog) throws -> CatalogVersion {
        try VersionSelection.version(of: manifest.name, selector: selector, catalog: catalog)
    }

    /// A folder of the four files, by the names any manifest gives each role.
    func folder(_ spec: String) throws -> ResolvedSpec {
        let folder = URL(fileURLWithPath: spec).standardizedFileURL
        var urls: [FileRole: URL] = [:]
        for role in FileRole.allCases {
            let names = Set(registry.manifests.flatMap { $0.versions.flatMap { $0.files.filter { $0.role == role }.map(\.name) } })
            guard let name = names.sorted().first(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) else {
                throw FileAccessError(
                    path: folder.path, problem: "no \(role.rawValue) file here (looked for \(names.sorted().joined(separator: ", ")))",
                    hint: "a folder spec needs the four .gz files, e.g. train-images-idx3-ubyte.gz")
            }
            urls[role] = folder.appendingPathComponent(name)
        }
        return ResolvedSpec(spec: spec, label: folder.path, dataset: nil, versionID: nil, path: folder.path, files: urls, recorded: [:])
    }
}
