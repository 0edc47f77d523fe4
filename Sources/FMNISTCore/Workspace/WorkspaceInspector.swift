import Foundation

/// The read-only views behind `fmnist status`, `fmnist versions` and `fmnist log`. Opens the
/// catalog read-only (an absent catalog reads as empty) and takes no lock.
///
/// ```swift
/// let inspector = WorkspaceInspector(layout: layout, registry: registry)
/// for dataset in try inspector.status().datasets { print(dataset.dataset, dataset.present) }
/// ```
public struct WorkspaceInspector: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// Per dataset: present, live version, last verification, active links; plus every link and the lock holder.
    public func status() throws -> WorkspaceStatus {
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        return try catalog.readTransaction {
            let links = try DatasetSwitcher.linkStates(layout: layout, registry: registry, linkPlacements: linkPlacements, catalog: catalog)
            let store = VersionStore(layout: layout)
            var names = registry.manifests.map(\.name)
            for name in try catalog.datasets() where !names.contains(name) { names.append(name) }
            let datasets = try names.map { name -> DatasetStatus in
                let title = (try? registry.manifest(named: name))?.title ?? name
                let live = try catalog.liveVersion(dataset: name)
                let version = try live.flatMap { try catalog.version(id: $0.versionID) }
                let files = try version.map { try catalog.files(versionID: $0.id) } ?? []
                let present = files.count == FileRole.allCases.count && version.map { store.isShownLive($0.id, files: files, dataset: name) } == true
                let stamp = try version.flatMap { try catalog.lastVerification(versionID: $0.id) }
                let pointing = links.filter { $0.dataset == name }
                let liveFolder = layout.liveDirectory(dataset: name)
                let expectedNames = (try? registry.manifest(named: name))?.defaultVersion.files.map(\.name) ?? []
                let unrecorded = version == nil
                    ? expectedNames.filter { FileManager.default.fileExists(atPath: liveFolder.appendingPathComponent($0).path) }
                    : []
                return DatasetStatus(
                    dataset: name, title: title, present: present, version: version.map(VersionSummary.init),
                    versionsKept: try catalog.versions(dataset: name).count, lastVerified: stamp?.time,
                    lastVerifyResult: stamp?.result, activeLinks: pointing.map(\.path),
                    active: pointing.contains { $0.isDefault }, path: liveFolder.path, unrecordedFiles: unrecorded,
                    lastSmokeTrain: try version.flatMap { try catalog.lastSmokeTrain(versionID: $0.id) })
            }
            return WorkspaceStatus(
                root: layout.root.path, catalogExists: !catalog.isEphemeral, datasets: datasets, links: links,
                lockHolder: WorkspaceLock.currentHolder(layout))
        }
    }

    /// Every recorded version (of `dataset` when given), oldest first.
    public func versions(dataset: String? = nil) throws -> [VersionListing] {
        let name = try dataset.map { try registry.manifest(named: $0).name }
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        let store = VersionStore(layout: layout)
        let current = LinkSwitcher(layout: layout).dataset(of: layout.currentLink, among: registry.manifests.map(\.name))
        return try catalog.readTransaction {
            try catalog.versions(dataset: name).map { version in
                let files = try catalog.files(versionID: version.id)
                let live = try catalog.liveVersion(dataset: version.dataset)?.versionID == version.id
                let stamp = try catalog.lastVerification(versionID: version.id)
                return VersionListing(
                    version: VersionSummary(version), live: live, active: live && current == version.dataset,
                    stored: files.count == FileRole.allCases.count
                        && files.allSatisfy { store.contains(containerSHA256: $0.containerSHA256, size: $0.containerSize) },
                    lastVerified: stamp?.time, lastVerifyResult: stamp?.result, files: files,
                    lastSmokeTrain: try catalog.lastSmokeTrain(versionID: version.id))
            }
        }
    }

    /// The latest `limit` events, newest first, each with its version's summary when recorded.
    public func log(limit: Int = 20, dataset: String? = nil) throws -> [LogEntry] {
        let name = try dataset.map { try registry.manifest(named: $0).name }
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        return try catalog.readTransaction {
            var versions: [String: VersionSummary] = [:]
            return try catalog.events(limit: limit, dataset: name).map { event in
                var summary: VersionSummary? = nil
                if let id = event.versionID {
                    if versions[id] == nil, let version = try catalog.version(id: id) { versions[id] = VersionSummary(version) }
                    summary = versions[id]
                }
                return LogEntry(event: event, version: summary)
            }
        }
    }
}

/// One line of `fmnist log`.
public struct LogEntry: Sendable, Codable {
    public let event: CatalogEvent
    /// The version the event concerns, when it is recorded (unknown versions are flagged).
    public let version: VersionSummary?
}
