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

/// `fmnist switch`: proves a stored version, makes it the dataset's live version (the
/// `data/<dataset>` link flipped as one unit), and atomically flips `data/current` and every
/// registered `--link` to it. Never downloads.
///
/// The fast check trusts files whose stat fingerprint is unchanged since they were proven and
/// re-hashes the others; `--deep` re-hashes everything. A damaged copy is restored from the store
/// (and said so); with no good copy left the switch is refused. A registered link that is gone or
/// that the user replaced is skipped with a warning instead of failing the switch.
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
    ///   - deep: re-hash every file (store and version directory) instead of trusting unchanged fingerprints.
    ///   - lockTimeout: seconds to wait for the workspace lock (nil: forever).
    ///   - progress: human progress lines (lock waits, what is being checked, warnings).
    public func switchTo(
        _ target: SwitchTarget, extraLinks: [String] = [], deep: Bool = false, lockTimeout: TimeInterval? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> SwitchResult {
        let manifest = try registry.manifest(named: target.dataset)
        let dataset = manifest.name
        let lock = try WorkspaceLock.acquire(layout, command: "switch", timeout: lockTimeout, onWait: progress)
        defer { lock.release() }
        // No catalog: nothing to switch to, unless version directories are still here (the catalog
        // was deleted), which the recovery below records again.
        if !FileManager.default.fileExists(atPath: layout.catalogFile.path) {
            let kept = (try? FileManager.default.contentsOfDirectory(
                atPath: layout.versionsDirectory.appendingPathComponent(dataset, isDirectory: true).path)) ?? []
            guard kept.contains(where: CatalogRecovery.isVersionID) else { throw WorkspaceError.datasetMissing(dataset: dataset) }
        }
        let catalog = try Catalog.open(layout)
        defer { catalog.close() }
        try CatalogRecovery(layout: layout, registry: registry, catalog: catalog).run()
        let store = VersionStore(layout: layout)
        let links = LinkSwitcher(layout: layout)

        let version = try resolveVersion(target, dataset: dataset, catalog: catalog)
        let files = try catalog.files(versionID: version.id)
        guard files.count == FileRole.allCases.count else {
            throw WorkspaceError.unverified(dataset: dataset, version: version.label, reason: "the catalog records \(files.count) of its 4 files")
        }

        // Check every link before touching anything: new ones strictly, registered ones leniently.
        let registered = try catalog.registeredLinks()
        var newLinks: [String] = []
        for path in extraLinks.map(LinkSwitcher.canonicalPath) where !registered.contains(path) && !newLinks.contains(path) {
            try links.checkNewLink(path, registry: registry)
            newLinks.append(path)
        }
        try links.checkCurrentLink()
        var warnings: [String] = []
        var flippable = [layout.currentLink.standardizedFileURL.path]
        for path in registered {
            if let problem = links.problem(ofRegistered: path) {
                warnings.append("skipped the link \(path): \(problem) (remove it with: fmnist switch --unlink \(path))")
            } else {
                flippable.append(path)
            }
        }
        flippable += newLinks

        // Prove the version (repairing damaged copies from the store), unless its last check failed.
        progress("verifying \(manifest.title) \(version.label) (\(deep ? "deep: full re-hash" : "fast: unchanged files trusted, changed ones re-hashed"))")
        if !deep {
            guard let stamp = try catalog.lastVerification(versionID: version.id) else {
                throw WorkspaceError.unverified(dataset: dataset, version: version.label, reason: "it was never verified")
            }
            guard stamp.result == .ok else {
                throw WorkspaceError.unverified(
                    dataset: dataset, version: version.label,
                    reason: "its last check (\(stamp.kind.rawValue), \(ISO8601DateFormatter().string(from: stamp.time))) failed")
            }
        }
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        let prepared: VersionStore.PreparedVersion
        do {
            prepared = try store.prepareVersion(
                dataset: dataset, versionID: version.id, files: files, checker: checker, classCount: manifest.classes.count,
                rehash: deep)
        } catch let error as WorkspaceError {
            if case .corruptStore(_, _, let problems) = error {
                try catalog.recordEvent(
                    .switch, dataset: dataset, versionID: version.id, result: .failed,
                    details: SwitchDetails(deep: deep, links: [], problems: problems, restored: []))
            }
            throw error
        }
        let restored = (prepared.restored + prepared.restoredStore).sorted()
        for name in restored { progress("restored \(name) of \(manifest.title) \(version.label) from a verified copy (it was damaged)") }

        // The live version of the dataset: one rename of data/<dataset>.
        let previousLive = try catalog.liveVersion(dataset: dataset)?.versionID
        let liveChanged = try store.pointLive(dataset: dataset, versionID: version.id) { entry in
            LiveFolderAdoption.isProvenCopy(entry, store: store, catalog: catalog, dataset: dataset, classCount: manifest.classes.count)
        }
        if previousLive != version.id { try catalog.setLive(dataset: dataset, versionID: version.id) }

        let previousDataset = links.dataset(of: layout.currentLink, among: registry.manifests.map(\.name))
        let liveDirectory = layout.liveDirectory(dataset: dataset)
        var flipped: [FlippedLink] = []
        for path in flippable {
            let before = WorkspaceBoundary.linkText(path)
            let text = try links.flip(link: URL(fileURLWithPath: path), to: liveDirectory)
            flipped.append(FlippedLink(path: path, target: text, previousTarget: before))
        }
        try catalog.transaction {
            for path in newLinks { try catalog.registerLink(path: path) }
            try catalog.recordSwitch(
                dataset: dataset, versionID: version.id, links: flipped.map { ($0.path, $0.target) },
                details: SwitchDetails(deep: deep, links: flipped.map(\.path), problems: [], restored: restored))
        }
        return SwitchResult(
            dataset: dataset, title: manifest.title, version: VersionSummary(version), verification: deep ? "deep" : "fast",
            placement: prepared.placement, links: flipped, classes: ClassLabel.of(manifest), previousDataset: previousDataset,
            previousVersionID: previousLive == version.id ? nil : previousLive, liveFolderChanged: liveChanged,
            restored: restored, warnings: warnings)
    }

    /// Forgets the registered link `path` and removes the symlink there when it is fmnist's (it
    /// points at a live folder of this workspace). A path that is not registered is a usage error.
    public func unlink(_ path: String, lockTimeout: TimeInterval? = nil, progress: (String) -> Void = { _ in }) throws -> UnlinkResult {
        let canonical = LinkSwitcher.canonicalPath(path)
        let lock = try WorkspaceLock.acquire(layout, command: "switch --unlink", timeout: lockTimeout, onWait: progress)
        defer { lock.release() }
        guard FileManager.default.fileExists(atPath: layout.catalogFile.path) else {
            throw UsageError("\(canonical) is not a registered link (this workspace has no catalog)", hint: "list the links with: fmnist switch")
        }
        let catalog = try Catalog.open(layout)
        defer { catalog.close() }
        guard try catalog.registeredLinks().contains(canonical) else {
            throw UsageError("\(canonical) is not a registered link", hint: "list the links with: fmnist switch")
        }
        let links = LinkSwitcher(layout: layout)
        var removed = false
        var info = stat()
        if lstat(canonical, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK,
            links.dataset(of: URL(fileURLWithPath: canonical), among: registry.manifests.map(\.name)) != nil
        {
            if Foundation.unlink(canonical) != 0 { throw WorkspaceError.posix("remove link", canonical) }
            removed = true
        }
        try catalog.unregisterLink(path: canonical)
        return UnlinkResult(path: canonical, removedSymlink: removed)
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
                path: path, target: WorkspaceBoundary.linkText(path),
                dataset: switcher.dataset(of: url, among: datasets), isDefault: index == 0,
                problem: index == 0 ? nil : switcher.problem(ofRegistered: path))
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

}

/// The details of a `switch` event.
struct SwitchDetails: Encodable {
    let deep: Bool
    let links: [String]
    let problems: [String]
    let restored: [String]
}

/// What `fmnist switch --unlink PATH` did.
public struct UnlinkResult: Sendable, Codable {
    /// The link path, absolute.
    public let path: String
    /// Whether a symlink of fmnist's was removed there (false: it was gone, or replaced by the user).
    public let removedSymlink: Bool
}
