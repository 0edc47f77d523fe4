import Foundation

/// One thing `fmnist gc` frees.
public struct CollectedItem: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A store file no recorded version uses.
        case storeFile = "store_file"
        /// A version directory of no recorded version (or one that does not verify as its name says).
        case versionDirectory = "version_directory"
        /// The uncompressed payloads (`.fmnist/payload/`) of no recorded version.
        case payloadDirectory = "payload_directory"
        /// A partial download (`.fmnist/partial/`); the next fetch starts that file again.
        case partialDownload = "partial_download"
        /// A temporary file or a half-built directory left by a killed process.
        case temporary
        /// A symlink fmnist never makes inside its private area: removed as a link, its target untouched.
        case foreignSymlink = "foreign_symlink"
    }
    public let path: String
    public let kind: Kind
    /// Bytes of the regular files it holds (0 for a symlink: its target is not touched).
    public let bytes: Int64
}

/// What `fmnist gc` did (or, with `--dry-run`, would do).
public struct CollectResult: Sendable, Codable, Equatable {
    public let dryRun: Bool
    public let items: [CollectedItem]
    /// Sum of the items' bytes: freed, or freeable with `--dry-run`.
    public let freedBytes: Int64
    /// Store files kept because a recorded version uses them.
    public let storeFilesKept: Int
    /// Versions recorded again from their verified directories before collecting (catalog recovery).
    public let recovered: [VersionSummary]
    /// Entries left alone (not fmnist's kind of thing), with why.
    public let warnings: [String]
}

/// `fmnist gc [--dry-run]`: deletes what no recorded version needs, under the workspace lock.
///
/// - It first records again every verified version directory the catalog lacks (the recovery
///   every writer runs), so a lost catalog never makes data look unused.
/// - A store file is kept when any recorded version names its digest (its files, its artifacts,
///   and every artifact its manifest version pins); a version directory when its version is recorded. Everything else in the store and `.fmnist/versions`, every partial
///   download and every temporary is freed.
/// - Never follows a symlink: one planted inside the store, `.fmnist/versions`, `partial` or `tmp`
///   is removed as a link (its target untouched); a private directory that is itself a foreign
///   symlink is refused (exit 7).
/// - Crash-safe: the catalog's fingerprints of a path are forgotten before the path goes, and only
///   unreferenced paths go, so a SIGKILL at any point leaves every recorded version intact.
///
/// ```swift
/// let result = try GarbageCollector(layout: layout, registry: registry).collect(dryRun: true)
/// print(result.freedBytes)
/// ```
public struct GarbageCollector: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    public func collect(dryRun: Bool, lockTimeout: TimeInterval? = nil, progress: (String) -> Void = { _ in }) throws -> CollectResult {
        // gc sweeps itself, to count what it frees.
        let session = try WorkspaceSession.open(
            context, command: dryRun ? "gc --dry-run" : "gc", lockTimeout: lockTimeout,
            steps: [.requireWorkspace, .recover], onWait: progress
        ) {
            let boundary = WorkspaceBoundary(layout: layout)
            for directory in [layout.storeDirectory, layout.versionsDirectory, layout.payloadsDirectory, layout.partialDirectory,
                              layout.temporaryDirectory] {
                try boundary.checkOwnedPath(directory.appendingPathComponent("x"))
            }
        }
        defer { session.close() }
        let catalog = session.catalog, recovered = session.recovered
        let versions = try catalog.versions()
        let recordedVersions = Set(versions.map { "\($0.dataset)/\($0.id)" })
        // Every store file a recorded version needs by the catalog, and, whatever the catalog's
        // artifact rows say, every artifact a manifest pins for a recorded version.
        let needed = try catalog.neededContainerDigests().union(Self.pinnedArtifactDigests(registry, recorded: Set(versions.map(\.id))))

        var items: [CollectedItem] = []
        var warnings: [String] = []
        var kept = 0
        for entry in Self.entries(layout.storeDirectory) {
            switch entry.type {
            case S_IFLNK: items.append(CollectedItem(path: entry.url.path, kind: .foreignSymlink, bytes: 0))
            case S_IFREG:
                if needed.contains(entry.name) {
                    kept += 1
                } else {
                    items.append(CollectedItem(path: entry.url.path, kind: entry.name.hasPrefix(".") ? .temporary : .storeFile, bytes: entry.size))
                }
            default: warnings.append("\(entry.url.path): not a file fmnist keeps in the store; left alone")
            }
        }
        // Version directories and payload folders, both `<dataset>/<version id>/`.
        for (folder, folderKind) in [(layout.versionsDirectory, CollectedItem.Kind.versionDirectory), (layout.payloadsDirectory, .payloadDirectory)] {
            for datasetEntry in Self.entries(folder) {
                switch datasetEntry.type {
                case S_IFLNK: items.append(CollectedItem(path: datasetEntry.url.path, kind: .foreignSymlink, bytes: 0))
                case S_IFDIR:
                    for entry in Self.entries(datasetEntry.url) {
                        if entry.type == S_IFLNK {
                            items.append(CollectedItem(path: entry.url.path, kind: .foreignSymlink, bytes: 0))
                        } else if !recordedVersions.contains("\(datasetEntry.name)/\(entry.name)") {
                            let kind: CollectedItem.Kind = entry.name.hasPrefix(".") ? .temporary : folderKind
                            items.append(CollectedItem(path: entry.url.path, kind: kind, bytes: Self.treeSize(entry.url)))
                        }
                    }
                default: warnings.append("\(datasetEntry.url.path): not a folder fmnist keeps versions in; left alone")
                }
            }
        }
        for datasetEntry in Self.entries(layout.partialDirectory) {
            if datasetEntry.type == S_IFDIR {
                for entry in Self.entries(datasetEntry.url) {
                    items.append(CollectedItem(
                        path: entry.url.path, kind: entry.type == S_IFLNK ? .foreignSymlink : .partialDownload,
                        bytes: entry.type == S_IFLNK ? 0 : Self.treeSize(entry.url)))
                }
            } else {
                items.append(CollectedItem(
                    path: datasetEntry.url.path, kind: datasetEntry.type == S_IFLNK ? .foreignSymlink : .partialDownload,
                    bytes: datasetEntry.type == S_IFLNK ? 0 : datasetEntry.size))
            }
        }
        for entry in Self.entries(layout.temporaryDirectory) {
            items.append(CollectedItem(
                path: entry.url.path, kind: entry.type == S_IFLNK ? .foreignSymlink : .temporary,
                bytes: entry.type == S_IFLNK ? 0 : Self.treeSize(entry.url)))
        }

        if !dryRun {
            let checker = TrustedFileChecker(layout: layout, catalog: catalog)
            // The catalog first: nothing it still trusts disappears under it.
            try catalog.transaction {
                for item in items { try catalog.forgetFingerprints(underPrefix: checker.relativePath(URL(fileURLWithPath: item.path))) }
            }
            for item in items {
                progress("removing \(item.path)")
                FilePaths.removeTree(URL(fileURLWithPath: item.path))
            }
            for directory in [layout.storeDirectory, layout.temporaryDirectory] { FilePaths.syncDirectory(directory.path) }
            // Whatever placement leftovers the janitor knows beside the live folders.
            WorkspaceJanitor.sweep(layout)
        }
        let gone = dryRun ? items : items.filter { FilePaths.lstat($0.path) == nil }
        for item in items where !gone.contains(item) { warnings.append("\(item.path): could not be removed") }
        return CollectResult(
            dryRun: dryRun, items: gone, freedBytes: gone.reduce(0) { $0 + $1.bytes }, storeFilesKept: kept,
            recovered: recovered.map(VersionSummary.init), warnings: warnings)
    }

    /// The SHA-256 of every artifact a manifest pins for one of the `recorded` version ids: an
    /// artifact lives only in the store (no version directory), so its pin keeps it even when the
    /// catalog lost its row and recovery could not prove it again.
    static func pinnedArtifactDigests(_ registry: ManifestRegistry, recorded: Set<String>) -> Set<String> {
        var digests = Set<String>()
        for manifest in registry.manifests {
            for version in manifest.versions where recorded.contains(version.identity.full) {
                for artifact in version.artifacts ?? [] { digests.insert(artifact.sha256) }
            }
        }
        return digests
    }

    struct Entry {
        let name: String
        let url: URL
        let type: mode_t
        let size: Int64
    }

    /// The entries of a real directory (none when it is missing or not a real directory), by lstat.
    static func entries(_ directory: URL) -> [Entry] {
        guard let info = FilePaths.lstat(directory.path), (info.st_mode & S_IFMT) == S_IFDIR else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            let url = directory.appendingPathComponent(name)
            guard let info = FilePaths.lstat(url.path) else { return nil }
            return Entry(name: name, url: url, type: info.st_mode & S_IFMT, size: Int64(info.st_size))
        }
    }

    /// Bytes of the regular files under `url`, never following a symlink.
    static func treeSize(_ url: URL) -> Int64 {
        guard let info = FilePaths.lstat(url.path) else { return 0 }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return Int64(info.st_size)
        case S_IFDIR: return entries(url).reduce(0) { $0 + treeSize($1.url) }
        default: return 0
        }
    }
}
