import Foundation

/// `fmnist lock`: pins, per dataset of the workspace, its live version in a lock file.
///
/// ```swift
/// let writer = LockWriter(layout: layout, registry: registry)
/// try writer.write(try writer.lock(), to: "fmnist.lock")
/// ```
public struct LockWriter: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// The lock of the workspace's live versions (catalog: files and provenance). Throws
    /// ``WorkspaceError/datasetMissing(dataset:)`` when no dataset has a live version.
    ///
    /// `publishedAt`: the bases of trees `fmnist publish` wrote (``publishedBase(_:)`` forms); for each
    /// pinned version, the folder `publish` put it in under each base
    /// (``PublishedTree/mirror(base:dataset:versionID:)``) comes first in its mirrors, in the order given.
    public func lock(publishedAt bases: [String] = []) throws -> ProjectLock {
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
                var mirrors = bases.map { PublishedTree.mirror(base: $0, dataset: name, versionID: version.id) }
                for record in try catalog.provenance(versionID: version.id).reversed() {
                    // Redacted again: a catalog written before redaction may hold a credential; the lock never does.
                    guard let base = Self.mirrorBase(RedactedURL.redact(record.mirrorURL)), !mirrors.contains(base) else { continue }
                    mirrors.append(base)
                }
                return PinnedVersion(
                    dataset: name, versionId: version.id, name: version.name, known: version.known,
                    files: files.map(ManifestFile.init),
                    mirrors: mirrors)
            }
        }
        guard !pinned.isEmpty else { throw WorkspaceError.datasetMissing(dataset: "any dataset") }
        return ProjectLock(datasets: pinned)
    }

    /// A `lock --mirror BASE` as the lock stores it: an http(s)://, s3:// or file:// URL with no
    /// query or fragment, ending in `/`, its password replaced by `***` (a user name stays, so that
    /// netrc supplies the password at fetch time). Anything else is a usage error (exit 2).
    ///
    /// ```swift
    /// try LockWriter.publishedBase("https://ann:pw@team.example/fmnist")   // "https://ann:***@team.example/fmnist/"
    /// ```
    public static func publishedBase(_ base: String) throws -> String {
        let shown = RedactedURL.redact(base)
        guard let url = URL(string: base), let scheme = url.scheme.flatMap({ MirrorScheme(rawValue: $0.lowercased()) }),
            url.host != nil || scheme.isLocal
        else {
            throw UsageError("--mirror \(shown) is not an http://, https://, s3:// or file:// URL",
                             hint: "give the URL the tree `fmnist publish` wrote is served at, e.g. https://team.example/fmnist/ or s3://bucket/fmnist/")
        }
        guard url.query == nil, url.fragment == nil else {
            throw UsageError("--mirror \(shown) has a query or fragment; a mirror base is a folder URL",
                             hint: "give the folder's URL alone; credentials come from netrc, .fmnist/config.json headers or the AWS configuration at fetch time")
        }
        return shown.hasSuffix("/") ? shown : shown + "/"
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
