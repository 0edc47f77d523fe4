import Foundation

/// `fmnist lock`: pins, per dataset of the workspace, its live version in a lock file.
///
/// ```swift
/// let writer = LockWriter(layout: layout, registry: registry)
/// try writer.write(try writer.lock(), to: "fmnist.lock")
/// ```
public struct LockWriter: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }

    /// The lock of the workspace's live versions (catalog: files and provenance). Throws
    /// ``WorkspaceError/datasetMissing(dataset:)`` when no dataset has a live version.
    public func lock() throws -> ProjectLock {
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        let pinned: [PinnedVersion] = try catalog.readTransaction {
            var names = registry.manifests.map(\.name)
            for name in try catalog.datasets() where !names.contains(name) { names.append(name) }
            return try names.compactMap { name -> PinnedVersion? in
                guard let live = try catalog.liveVersion(dataset: name), let version = try catalog.version(id: live.versionID) else { return nil }
                let files = try catalog.files(versionID: version.id)
                guard files.count == FileRole.allCases.count else { return nil }
                var mirrors: [String] = []
                for record in try catalog.provenance(versionID: version.id).reversed() {
                    // Redacted again: a catalog written before redaction may hold a credential; the lock never does.
                    guard let base = Self.mirrorBase(RedactedURL.redact(record.mirrorURL)), !mirrors.contains(base) else { continue }
                    mirrors.append(base)
                }
                return PinnedVersion(
                    dataset: name, versionId: version.id, name: version.name, known: version.known,
                    files: files.map { ManifestFile(role: $0.role, name: $0.name,
                                                    container: ContainerDigests(size: $0.containerSize, md5: $0.containerMD5, sha256: $0.containerSHA256),
                                                    payload: PayloadDigests(size: $0.payloadSize, sha256: $0.payloadSHA256), idx: $0.idx) },
                    mirrors: mirrors)
            }
        }
        guard !pinned.isEmpty else { throw WorkspaceError.datasetMissing(dataset: "any dataset") }
        return ProjectLock(datasets: pinned)
    }

    /// The mirror a file URL came from: the URL without its last path component.
    static func mirrorBase(_ fileURL: String) -> String? {
        guard let slash = fileURL.lastIndex(of: "/") else { return nil }
        return String(fileURL[...slash])
    }

    /// Refuses a lock file `path` inside the workspace's own folders (exit 2), or in a folder that
    /// does not exist or is a file (exit 2), before anything is computed or written.
    public func checkDestination(_ path: String) throws {
        try WorkspaceBoundary(layout: layout).checkOutput(path, option: "--file", registry: registry)
        try WorkspaceBoundary.checkFolder(of: path, option: "--file", createsMissing: false)
    }

    /// ``checkDestination(_:)``, then ``write(_:to:)-swift.type.method``.
    public func write(_ lock: ProjectLock, to path: String) throws {
        try checkDestination(path)
        try Self.write(lock, to: path)
    }

    /// Writes `lock` to `path` atomically (a temporary file beside it, synced, renamed over it).
    /// Refuses a `path` that is a symlink or a directory.
    public static func write(_ lock: ProjectLock, to path: String) throws {
        try AtomicFile.write(Array(try lock.text().utf8), to: path, what: "the lock file")
    }
}
