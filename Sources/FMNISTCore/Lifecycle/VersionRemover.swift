import Foundation

/// What `fmnist remove` did.
public struct RemoveResult: Sendable, Codable, Equatable {
    public let version: VersionSummary
    /// Whether it was the dataset's live version (removed with `--force`).
    public let wasLive: Bool
    /// Links removed because they showed the version: `data/<dataset>`, and `data/current` when it pointed there.
    public let linksRemoved: [String]
    /// Registered `--link` symlinks (each placement of its layout: PATH for seed,
    /// PATH/datasets/fashion-mnist for keras, PATH/<Class>/raw for torchvision) that showed the
    /// removed live folder or the version's payload folder and now dangle.
    public let danglingLinks: [String]
    /// The registered `--link` PATHs (as `switch --link` registered them) whose symlinks are in
    /// `danglingLinks`: what `fmnist switch --unlink PATH` takes.
    public let danglingRegisteredLinks: [String]
    /// Store bytes no recorded version uses any more (what `fmnist gc` would free of them).
    public let reclaimableBytes: Int64
}

/// `fmnist remove DATASET@VERSION [--force]`: forgets a version and takes its directory away.
///
/// Order (crash-safe: a SIGKILL at any point leaves a catalog and store that every command accepts):
/// 1. with `--force` on the live version: `data/current` (when it points at the dataset) and
///    `data/<dataset>` (fmnist's own link) are unlinked; a crash here leaves a recorded live version
///    whose link is gone, which `switch` restores;
/// 2. the version directory is renamed into `.fmnist/tmp/` (one rename; swept on the next lock),
///    so catalog recovery cannot record it again;
/// 3. one catalog transaction drops its rows (live, files, provenance, fingerprints).
/// Store files are left for `fmnist gc`.
///
/// ```swift
/// let result = try VersionRemover(layout: layout, registry: registry).remove("fashion@3f1a", force: false)
/// ```
public struct VersionRemover: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    public func remove(_ spec: String, force: Bool, lockTimeout: TimeInterval? = nil, progress: (String) -> Void = { _ in }) throws -> RemoveResult {
        let target = try SwitchTarget(parsing: spec)
        guard let selector = target.version else { throw LifecycleError.versionRequired(spec: spec) }
        let manifest = try registry.manifest(named: target.dataset)
        let session = try WorkspaceSession.open(
            context, command: "remove", lockTimeout: lockTimeout, steps: [.requireWorkspace, .recover, .sweep],
            onWait: progress
        ) {
            guard FileManager.default.fileExists(atPath: layout.catalogFile.path) else {
                throw WorkspaceError.versionNotFound(dataset: manifest.name, selector: selector, available: [])
            }
        }
        defer { session.close() }
        let catalog = session.catalog
        let version = try VersionSpecResolver.version(of: manifest, selector: selector, catalog: catalog)
        let files = try catalog.files(versionID: version.id)
        let store = VersionStore(layout: layout)
        let recordedLive = try catalog.liveVersion(dataset: manifest.name)?.versionID == version.id
        let shownLive = store.liveLinkVersionID(dataset: manifest.name) == version.id
        let wasLive = recordedLive || shownLive
        if wasLive && !force { throw LifecycleError.liveVersion(dataset: manifest.name, label: version.label) }

        var removed: [String] = []
        let links = LinkSwitcher(layout: layout)
        // Registered `--link` symlinks that will dangle, found before anything is taken away (the
        // test is lexical: after the unlink they would still name the folder): every placement of
        // every layout that shows `data/<dataset>` (when that link goes) or this version's
        // payload folder (torchvision; it goes with the version).
        var dangling: [String] = []
        var danglingRegistered: [String] = []
        let payload = layout.payloadDirectory(dataset: manifest.name, versionID: version.id).standardizedFileURL.path
        for (path, linkLayout) in try catalog.registeredLinkLayouts(in: layout) {
            for placement in linkPlacements.placements(linkPlacements.known(linkLayout) ?? .seed, root: path, registry: registry) {
                let url = URL(fileURLWithPath: placement.path)
                guard let destination = links.destination(of: url) else { continue }
                let showsLive = shownLive && links.payloadDataset(of: destination) == nil
                    && links.dataset(of: url, among: [manifest.name]) == manifest.name
                if (showsLive || destination.standardizedFileURL.path == payload) && !dangling.contains(placement.path) {
                    dangling.append(placement.path)
                    if !danglingRegistered.contains(path) { danglingRegistered.append(path) }
                }
            }
        }
        if shownLive {
            if links.dataset(of: layout.currentLink, among: [manifest.name]) == manifest.name,
                WorkspaceBoundary.linkText(layout.currentLink.path) != nil
            {
                try WorkspaceBoundary(layout: layout).checkOwnedPath(layout.currentLink)
                if unlink(layout.currentLink.path) != 0 { throw WorkspaceError.posix("remove the link", layout.currentLink.path) }
                removed.append(layout.currentLink.path)
            }
            let live = layout.liveDirectory(dataset: manifest.name)
            if unlink(live.path) != 0 { throw WorkspaceError.posix("remove the link", live.path) }
            removed.append(live.path)
            FilePaths.syncDirectory(layout.root.path)
        }
        // The version directory and its uncompressed payloads (made for torchvision links and exports).
        var asides: [URL] = []
        for directory in [layout.versionDirectory(dataset: manifest.name, versionID: version.id),
                          layout.payloadDirectory(dataset: manifest.name, versionID: version.id)] {
            guard let info = FilePaths.lstat(directory.path) else { continue }
            try WorkspaceBoundary(layout: layout).checkOwnedPath(directory)
            if (info.st_mode & S_IFMT) == S_IFLNK {
                // Not fmnist's: take the link away, never what it points to.
                unlink(directory.path)
            } else {
                let moved = try store.temporaryURL("removed-\(version.shortID)")
                // Moving a folder to another parent rewrites its `..`: a user other than root needs
                // write permission on the (read-only, 0555) folder itself for that.
                _ = chmod(directory.path, 0o755)
                if rename(directory.path, moved.path) != 0 {
                    let error = WorkspaceError.posix("move aside", directory.path)
                    _ = chmod(directory.path, 0o555)
                    throw error
                }
                FilePaths.syncDirectory(directory.deletingLastPathComponent().path)
                asides.append(moved)
            }
        }
        try catalog.removeVersion(id: version.id, dataset: manifest.name)
        for aside in asides { FilePaths.removeTree(aside) }
        let needed = try catalog.neededContainerDigests()
        let reclaimable = Set(files.map(\.containerSHA256)).subtracting(needed).reduce(Int64(0)) { total, digest in
            total + (FilePaths.lstat(layout.storedFile(containerSHA256: digest).path).map { Int64($0.st_size) } ?? 0)
        }
        return RemoveResult(
            version: VersionSummary(version), wasLive: wasLive, linksRemoved: removed, danglingLinks: dangling,
            danglingRegisteredLinks: danglingRegistered,
            reclaimableBytes: reclaimable)
    }
}
