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
public struct DatasetSwitcher: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// Switches to `target`, holding the workspace lock.
    ///
    /// - Parameters:
    ///   - extraLinks: more link paths to flip now and on every later switch (registered in the catalog).
    ///   - linkLayout: the layout `extraLinks` are registered in (``LinkLayout``; `seed`: PATH itself).
    ///   - deep: re-hash every file (store and version directory) instead of trusting unchanged fingerprints.
    ///   - lockTimeout: seconds to wait for the workspace lock (nil: forever).
    ///   - progress: human progress lines (lock waits, what is being checked, warnings).
    public func switchTo(
        _ target: SwitchTarget, extraLinks: [String] = [], linkLayout: LinkLayout = .seed, deep: Bool = false,
        lockTimeout: TimeInterval? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> SwitchResult {
        let manifest = try registry.manifest(named: target.dataset)
        let dataset = manifest.name
        let session = try WorkspaceSession.open(
            context, command: "switch", lockTimeout: lockTimeout, steps: [.requireWorkspace, .recover, .sweep],
            onWait: progress
        ) {
            // No catalog: nothing to switch to, unless version directories are still here (the catalog
            // was deleted), which the recovery records again.
            if !FileManager.default.fileExists(atPath: layout.catalogFile.path) {
                let kept = (try? FileManager.default.contentsOfDirectory(
                    atPath: layout.versionsDirectory.appendingPathComponent(dataset, isDirectory: true).path)) ?? []
                guard kept.contains(where: WorkspaceLayout.isVersionID) else { throw WorkspaceError.datasetMissing(dataset: dataset) }
            }
        }
        defer { session.close() }
        let catalog = session.catalog
        let store = VersionStore(layout: layout)
        let links = LinkSwitcher(layout: layout)

        let version = try resolveVersion(target, dataset: dataset, catalog: catalog)
        let files = try catalog.files(versionID: version.id)
        guard files.count == FileRole.allCases.count else {
            throw WorkspaceError.unverified(dataset: dataset, version: version.label, reason: "the catalog records \(files.count) of its 4 files")
        }

        // Check every link before touching anything: new ones strictly, registered ones leniently.
        let registered = try catalog.registeredLinkLayouts(in: layout).map { (path: $0.path, layout: linkPlacements.known($0.layout)) }
        var newLinks: [String] = []
        for path in extraLinks.map(FilePaths.canonical) where !newLinks.contains(path) {
            if let known = registered.first(where: { $0.path == path }) {
                guard known.layout == linkLayout else {
                    throw UsageError(
                        "\(path) is already registered as a \(known.layout?.rawValue ?? "newer fmnist's") link, not \(linkLayout.rawValue)",
                        hint: "remove it first with: fmnist switch --unlink \(path)")
                }
                continue
            }
            if linkLayout == .seed {
                try links.checkNewLink(path, registry: registry)
            } else {
                try links.checkNewFrameworkLink(path, placements: linkPlacements.placements(linkLayout, root: path, registry: registry), registry: registry)
            }
            newLinks.append(path)
        }
        try links.checkCurrentLink()
        var warnings: [String] = []
        var flippable = [Flip(placement: LinkLayout.Placement(path: layout.currentLink.standardizedFileURL.path, folders: [], shows: .liveFolder),
                              layout: nil, registeredPath: nil)]
        for (path, linkLayout) in registered {
            guard let linkLayout else {
                warnings.append("skipped the link \(path): a newer fmnist registered it in a layout this one does not know")
                continue
            }
            for placement in linkPlacements.placements(linkLayout, root: path, registry: registry) {
                if let problem = links.problem(of: placement) {
                    warnings.append("skipped the link \(placement.path): \(problem) (remove it with: fmnist switch --unlink \(path))")
                } else {
                    flippable.append(Flip(placement: placement, layout: linkLayout, registeredPath: path))
                }
            }
        }
        for path in newLinks {
            flippable += linkPlacements.placements(linkLayout, root: path, registry: registry).map { Flip(placement: $0, layout: linkLayout, registeredPath: path) }
        }

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
        // Every live version keeps its uncompressed payloads, made (or repaired) from the proven copies:
        // torchvision links show them, and `load` reads them without re-hashing while their recorded
        // fingerprints hold. Without such a link they are a cache: failing to make them (a full disk)
        // leaves loads on the proving read of the `.gz`, and the switch goes on.
        let payloads: PayloadStore.Prepared?
        let keep = { () throws -> PayloadStore.Prepared in
            try PayloadStore(layout: layout).prepare(
                dataset: dataset, versionID: version.id, files: files, checker: checker, classCount: manifest.classes.count, rehash: deep)
        }
        if flippable.contains(where: { $0.placement.shows == .payloads }) { payloads = try keep() } else { payloads = try? keep() }
        let restored = (prepared.restored + prepared.restoredStore + (payloads?.restored ?? [])).sorted()
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
        for flip in flippable {
            let path = flip.placement.path
            try links.ensureFolders(flip.placement)
            let before = WorkspaceBoundary.linkText(path)
            let destination = flip.placement.shows == .payloads ? payloads!.directory : liveDirectory
            let text = try links.flip(link: URL(fileURLWithPath: path), to: destination)
            flipped.append(FlippedLink(path: path, target: text, previousTarget: before, layout: flip.layout, registeredPath: flip.registeredPath))
            if let warning = linkPlacements.warningAfterFlip(flip.placement, layout: flip.layout) { warnings.append(warning) }
        }
        try catalog.transaction {
            for path in newLinks { try catalog.registerLink(path: path, in: layout, layout: linkLayout) }
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

    /// Forgets the registered link `path` and removes every symlink its layout made there that is
    /// still fmnist's (it points at a live or payload folder of this workspace); folders fmnist made
    /// for a framework layout are left (they may hold the framework's own files). A path that is not
    /// registered is a usage error.
    public func unlink(_ path: String, lockTimeout: TimeInterval? = nil, progress: (String) -> Void = { _ in }) throws -> UnlinkResult {
        let canonical = FilePaths.canonical(path)
        let session = try WorkspaceSession.open(
            context, command: "switch --unlink", lockTimeout: lockTimeout, steps: [.requireWorkspace, .sweep],
            onWait: progress
        ) {
            guard FileManager.default.fileExists(atPath: layout.catalogFile.path) else {
                throw UsageError("\(canonical) is not a registered link (this workspace has no catalog)", hint: "list the links with: fmnist switch")
            }
        }
        defer { session.close() }
        let catalog = session.catalog
        guard let registration = try catalog.registeredLinkLayouts(in: layout).first(where: { $0.path == canonical }) else {
            throw UsageError("\(canonical) is not a registered link", hint: "list the links with: fmnist switch")
        }
        let links = LinkSwitcher(layout: layout)
        var removed: [String] = []
        // A layout unknown to this build: try every layout's places (only fmnist's symlinks go).
        let layouts = linkPlacements.known(registration.layout).map { [$0] } ?? linkPlacements.layouts
        for placement in layouts.flatMap({ linkPlacements.placements($0, root: canonical, registry: registry) }) {
            let path = placement.path
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK, links.folderError(placement) == nil,
                links.dataset(of: URL(fileURLWithPath: path), among: registry.manifests.map(\.name)) != nil
            else { continue }
            if Foundation.unlink(path) != 0 { throw WorkspaceError.posix("remove link", path) }
            removed.append(path)
        }
        try catalog.unregisterLink(path: canonical, in: layout)
        return UnlinkResult(path: canonical, layout: linkPlacements.known(registration.layout), removedSymlink: !removed.isEmpty, removedSymlinks: removed)
    }

    /// What `data/current` and the registered links point at now (read-only; no lock).
    public func active() throws -> ActiveState {
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        let links = try Self.linkStates(layout: layout, registry: registry, linkPlacements: linkPlacements, catalog: catalog)
        guard let dataset = links.first?.dataset, let manifest = try? registry.manifest(named: dataset) else {
            return ActiveState(dataset: nil, title: nil, version: nil, classes: [], links: links)
        }
        let version = try catalog.liveVersion(dataset: dataset).flatMap { try catalog.version(id: $0.versionID) }
        return ActiveState(
            dataset: dataset, title: manifest.title, version: version.map(VersionSummary.init), classes: ClassLabel.of(manifest),
            links: links)
    }

    /// `data/current`, then every symlink of every registered link, with what they point at.
    static func linkStates(layout: WorkspaceLayout, registry: ManifestRegistry, linkPlacements: LinkPlacements, catalog: Catalog) throws -> [LinkState] {
        let switcher = LinkSwitcher(layout: layout)
        let datasets = registry.manifests.map(\.name)
        let current = layout.currentLink.standardizedFileURL.path
        var states = [LinkState(
            path: current, target: WorkspaceBoundary.linkText(current),
            dataset: switcher.dataset(of: URL(fileURLWithPath: current), among: datasets), isDefault: true)]
        for (path, stored) in try catalog.registeredLinkLayouts(in: layout) {
            guard let linkLayout = linkPlacements.known(stored) else {
                states.append(LinkState(path: path, target: WorkspaceBoundary.linkText(path), dataset: nil, isDefault: false,
                                        problem: "registered by a newer fmnist in a layout this one does not know", registeredPath: path))
                continue
            }
            for placement in linkPlacements.placements(linkLayout, root: path, registry: registry) {
                states.append(LinkState(
                    path: placement.path, target: WorkspaceBoundary.linkText(placement.path),
                    dataset: switcher.dataset(of: URL(fileURLWithPath: placement.path), among: datasets), isDefault: false,
                    problem: switcher.problem(of: placement), layout: linkLayout, registeredPath: path))
            }
        }
        return states
    }

    /// The version a target names: its selector, else the live version, else the newest recorded.
    func resolveVersion(_ target: SwitchTarget, dataset: String, catalog: Catalog) throws -> CatalogVersion {
        guard try !catalog.versions(dataset: dataset).isEmpty else { throw WorkspaceError.datasetMissing(dataset: dataset) }
        return try VersionSelection.version(of: dataset, selector: target.version, catalog: catalog, fallback: .newest)
    }

}

/// The details of a `switch` event.
struct SwitchDetails: Encodable {
    let deep: Bool
    let links: [String]
    let problems: [String]
    let restored: [String]
}

/// One symlink a switch is about to flip: `data/current` (no layout) or one of a registered link's.
struct Flip {
    let placement: LinkLayout.Placement
    let layout: LinkLayout?
    let registeredPath: String?
}

/// What `fmnist switch --unlink PATH` did.
public struct UnlinkResult: Sendable, Codable {
    /// The link path, absolute.
    public let path: String
    /// Its registered layout (nil: a layout this build does not know).
    public let layout: LinkLayout?
    /// Whether a symlink of fmnist's was removed (false: it was gone, or replaced by the user).
    public let removedSymlink: Bool
    /// Every symlink of fmnist's removed (PATH itself for `seed`; `PATH/MNIST/raw`… for a framework layout).
    public let removedSymlinks: [String]
}
