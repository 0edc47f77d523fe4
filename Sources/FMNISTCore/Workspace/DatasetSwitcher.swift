import Foundation

/// A `switch` argument: `DATASET[@VERSION]`, where VERSION is a known name, "unknown", or a
/// hex prefix (4+ digits) of the version id.
public struct SwitchTarget: Sendable, Equatable {
    public let dataset: String
    public let version: String?

    public init(dataset: String, version: String? = nil) {
        self.dataset = dataset
        self.version = version
    }

    /// Parses `fashion` or `fashion@2017-08-31` or `mnist@3f1a0c9b`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            throw UsageError("\"\(text)\" is not DATASET or DATASET@VERSION", hint: "e.g. fmnist switch fashion, or fmnist switch mnist@lecun-1998")
        }
        self.init(dataset: name, version: parts.count == 2 ? parts[1] : nil)
    }
}

/// `fmnist switch`: verifies a stored version, places it in its live folder, and atomically flips
/// `data/current` and every registered `--link` to it. Never downloads.
///
/// ```swift
/// let switcher = DatasetSwitcher(layout: layout, registry: registry)
/// let result = try switcher.switchTo(SwitchTarget(parsing: "fashion"), extraLinks: ["MNIST_data"])
/// for label in result.classes { print(label) }    // 0 = T-shirt/top …
/// ```
public struct DatasetSwitcher: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }

    /// Switches to `target`, holding the workspace lock.
    ///
    /// - Parameters:
    ///   - extraLinks: more link paths to flip now and on every later switch (registered in the catalog).
    ///   - deep: re-hash every stored file (container and payload SHA-256, IDX shape) instead of the
    ///     fast check (sizes, recorded digests, last verification result).
    ///   - lockTimeout: seconds to wait for the workspace lock (nil: forever).
    ///   - progress: human progress lines (lock waits, what is being checked).
    public func switchTo(
        _ target: SwitchTarget, extraLinks: [String] = [], deep: Bool = false, lockTimeout: TimeInterval? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> SwitchResult {
        let manifest = try registry.manifest(named: target.dataset)
        let dataset = manifest.name
        let lock = try WorkspaceLock.acquire(layout, command: "switch", timeout: lockTimeout, onWait: progress)
        defer { lock.release() }
        guard FileManager.default.fileExists(atPath: layout.catalogFile.path) else {
            throw WorkspaceError.datasetMissing(dataset: dataset)
        }
        let catalog = try Catalog.open(layout)
        defer { catalog.close() }
        let store = VersionStore(layout: layout)
        let switcher = LinkSwitcher(layout: layout)

        let version = try resolveVersion(target, dataset: dataset, catalog: catalog)
        let files = try catalog.files(versionID: version.id)
        guard files.count == FileRole.allCases.count else {
            throw WorkspaceError.unverified(dataset: dataset, version: version.label, reason: "the catalog records \(files.count) of its 4 files")
        }

        // Check every link before touching anything.
        var linkPaths = [layout.currentLink.standardizedFileURL.path]
        for path in try catalog.registeredLinks() + extraLinks.map({ URL(fileURLWithPath: $0).standardizedFileURL.path })
        where !linkPaths.contains(path) {
            linkPaths.append(path)
        }
        for path in linkPaths { try Self.checkLinkPath(path) }

        // Verify.
        progress("verifying \(manifest.title) \(version.label) (\(deep ? "deep: full re-hash" : "fast: sizes and recorded digests"))")
        for file in files where !store.contains(containerSHA256: file.containerSHA256, size: file.containerSize) {
            throw WorkspaceError.storeFileMissing(path: (try? store.url(containerSHA256: file.containerSHA256).path) ?? file.name, dataset: dataset)
        }
        if deep {
            let problems = try deepCheck(files, manifest: manifest, store: store)
            if !problems.isEmpty {
                try catalog.recordEvent(
                    .switch, dataset: dataset, versionID: version.id, result: .failed,
                    details: SwitchDetails(deep: true, links: [], problems: problems))
                throw WorkspaceError.corruptStore(dataset: dataset, version: version.label, problems: problems)
            }
        } else {
            guard let stamp = try catalog.lastVerification(versionID: version.id) else {
                throw WorkspaceError.unverified(dataset: dataset, version: version.label, reason: "it was never verified")
            }
            guard stamp.result == .ok else {
                throw WorkspaceError.unverified(
                    dataset: dataset, version: version.label,
                    reason: "its last check (\(stamp.kind.rawValue), \(ISO8601DateFormatter().string(from: stamp.time))) failed")
            }
        }

        // Place it live (no-op when it already is), then flip every link.
        let live = try catalog.liveVersion(dataset: dataset)
        let previousNames = try live.map { try catalog.files(versionID: $0.versionID).map(\.name) } ?? []
        let placement = try store.placeLive(files, dataset: dataset, removing: previousNames, force: deep)
        if live?.versionID != version.id { try catalog.setLive(dataset: dataset, versionID: version.id) }

        let previousDataset = switcher.dataset(of: layout.currentLink, among: registry.manifests.map(\.name))
        let liveDirectory = layout.liveDirectory(dataset: dataset)
        var flipped: [FlippedLink] = []
        for path in linkPaths {
            let url = URL(fileURLWithPath: path)
            let before = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
            let text = try switcher.flip(link: url, to: liveDirectory)
            flipped.append(FlippedLink(path: path, target: text, previousTarget: before))
        }
        try catalog.transaction {
            for path in linkPaths.dropFirst() { try catalog.registerLink(path: path) }
            try catalog.recordSwitch(
                dataset: dataset, versionID: version.id, links: flipped.map { ($0.path, $0.target) },
                details: SwitchDetails(deep: deep, links: flipped.map(\.path), problems: []))
        }
        return SwitchResult(
            dataset: dataset, title: manifest.title, version: VersionSummary(version), verification: deep ? "deep" : "fast",
            placement: placement, links: flipped, classes: ClassLabel.of(manifest), previousDataset: previousDataset)
    }

    /// What `data/current` and the registered links point at now (read-only; no lock).
    public func active() throws -> ActiveState {
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        let links = try Self.linkStates(layout: layout, registry: registry, catalog: catalog)
        guard let dataset = links.first?.dataset, let manifest = try? registry.manifest(named: dataset) else {
            return ActiveState(dataset: nil, title: nil, version: nil, classes: [], links: links)
        }
        let version = try catalog.liveVersion(dataset: dataset).flatMap { try catalog.version(id: $0.versionID) }
        return ActiveState(
            dataset: dataset, title: manifest.title, version: version.map(VersionSummary.init), classes: ClassLabel.of(manifest),
            links: links)
    }

    /// `data/current` and every registered link, with what they point at.
    static func linkStates(layout: WorkspaceLayout, registry: ManifestRegistry, catalog: Catalog) throws -> [LinkState] {
        let switcher = LinkSwitcher(layout: layout)
        let datasets = registry.manifests.map(\.name)
        let paths = [layout.currentLink.standardizedFileURL.path] + (try catalog.registeredLinks())
        return paths.enumerated().map { index, path in
            let url = URL(fileURLWithPath: path)
            return LinkState(
                path: path, target: try? FileManager.default.destinationOfSymbolicLink(atPath: path),
                dataset: switcher.dataset(of: url, among: datasets), isDefault: index == 0)
        }
    }

    /// The version a target names: its selector, else the live version, else the newest recorded.
    func resolveVersion(_ target: SwitchTarget, dataset: String, catalog: Catalog) throws -> CatalogVersion {
        let all = try catalog.versions(dataset: dataset)
        guard !all.isEmpty else { throw WorkspaceError.datasetMissing(dataset: dataset) }
        if let selector = target.version {
            let matches = try catalog.versions(dataset: dataset, matching: selector)
            if matches.count > 1 { throw WorkspaceError.ambiguousVersion(dataset: dataset, selector: selector, matches: matches.map(\.label)) }
            guard let match = matches.first else {
                throw WorkspaceError.versionNotFound(dataset: dataset, selector: selector, available: all.map(\.label))
            }
            return match
        }
        if let live = try catalog.liveVersion(dataset: dataset), let version = try catalog.version(id: live.versionID) {
            return version
        }
        return all.last!
    }

    /// Re-hashes every stored file and compares it with the catalog; returns the problems found.
    func deepCheck(_ files: [CatalogFile], manifest: Manifest, store: VersionStore) throws -> [String] {
        struct Job: Sendable {
            let file: CatalogFile
            let url: URL
        }
        let jobs = try files.map { Job(file: $0, url: try store.url(containerSHA256: $0.containerSHA256)) }
        let classCount = manifest.classes.count
        let outcomes: [String?] = jobs.parallelMap(cost: { $0.file.containerSize }) { job in
            let file = job.file
            let measurement: FileMeasurement
            do {
                measurement = try FileVerifier.measure(url: job.url, payloadLimit: file.payloadSize, classCount: classCount)
            } catch {
                return "\(file.name): \(error)"
            }
            if let fault = measurement.fault { return "\(file.name): \(fault.description)" }
            if measurement.containerSHA256 != file.containerSHA256 || measurement.containerSize != file.containerSize {
                return "\(file.name): the stored gzip bytes differ from the recorded SHA-256"
            }
            if measurement.payloadSHA256 != file.payloadSHA256 || measurement.payloadSize != file.payloadSize {
                return "\(file.name): the decompressed payload differs from the recorded SHA-256"
            }
            if measurement.idxDims != file.idx.dims {
                return "\(file.name): IDX dimensions \(measurement.idxDims) differ from the recorded \(file.idx.dims)"
            }
            return nil
        }
        return outcomes.compactMap { $0 }
    }

    /// Refuses a link path that is a real directory or file, or whose folder does not exist.
    static func checkLinkPath(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK {
            throw WorkspaceError.notALink(path: path, kind: (info.st_mode & S_IFMT) == S_IFDIR ? "directory" : "regular file")
        }
        let parent = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WorkspaceError.fileSystem(operation: "create link", path: path, detail: "its folder \(parent) does not exist")
        }
    }
}

/// The details of a `switch` event.
struct SwitchDetails: Encodable {
    let deep: Bool
    let links: [String]
    let problems: [String]
}
