import Foundation

/// What `fmnist publish` was asked to do.
public struct PublishOptions: Sendable {
    /// Every recorded version (unknown and imported ones included), not only the live ones.
    public var all = false
    /// Seconds to wait for another process's workspace lock (nil: as long as it takes).
    public var lockTimeout: TimeInterval? = nil

    public init() {}
}

/// `fmnist publish DEST`: writes the workspace's proven versions as a static mirror tree that any
/// HTTP server or bucket serves unchanged (``MirrorIndex``: `DEST/<dataset>/<version-id>/<file>.gz`,
/// and `DEST/fmnist-mirror.json` listing them).
///
/// The rules: DEST is outside the workspace's own folders; DEST and every folder and file publish
/// writes in it is reached without following a symlink (one there is refused before anything is
/// written, exit 7); every file comes from the workspace's copy proven against the catalog's record
/// under the workspace lock (its fingerprint checked again before and after the copy); a file is
/// written to a temporary in its folder, synced and renamed into place, so a kill never leaves a
/// partial file under a final name (the next run removes the killed run's temporaries); a file
/// already holding the right bytes is kept untouched; the index is written last, and only when it
/// changes. Nothing in DEST is ever deleted but publish's own temporaries.
///
/// ```swift
/// var options = PublishOptions()
/// options.all = true
/// let result = try Publisher(layout: layout, registry: registry).run(destination: URL(fileURLWithPath: "/srv/mirror"), options: options)
/// print(result.written, result.kept)
/// ```
public struct Publisher: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// Checks DEST before anything is read or written: outside the workspace's own folders (exit 2),
    /// not below a file (exit 2), not itself a symlink (exit 7).
    public func checkDestination(_ destination: URL) throws {
        let boundary = WorkspaceBoundary(layout: layout)
        try boundary.checkOutput(destination.path, option: "DEST", registry: registry)
        try boundary.checkOutput(destination.standardizedFileURL.path, option: "DEST", registry: registry)
        try WorkspaceBoundary.checkFolder(of: destination.path, option: "DEST", createsMissing: true)
        var info = stat()
        if lstat(destination.standardizedFileURL.path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw PublishError.symlink(path: destination.standardizedFileURL.path)
        }
    }

    public func run(destination: URL, options: PublishOptions = PublishOptions()) throws -> PublishResult {
        let started = Date()
        try checkDestination(destination)
        let session = try WorkspaceSession.open(
            context, command: "publish", lockTimeout: options.lockTimeout, steps: [.requireWorkspace, .sweep])
        defer { session.close() }
        let catalog = session.catalog
        do {
            return try publish(into: destination.standardizedFileURL, all: options.all, catalog: catalog, started: started)
        } catch let error as ExportError {
            throw PublishError(error) ?? error
        }
    }

    /// The versions to publish, each with its catalog files: the live one of every dataset, or every recorded one.
    func sources(all: Bool, catalog: Catalog) throws -> [ExportSource] {
        var chosen: [CatalogVersion] = []
        if all {
            chosen = try catalog.versions()
        } else {
            var names = registry.manifests.map(\.name)
            for name in try catalog.datasets() where !names.contains(name) { names.append(name) }
            for name in names {
                if let live = try catalog.liveVersion(dataset: name), let version = try catalog.version(id: live.versionID) {
                    chosen.append(version)
                }
            }
        }
        var sources: [ExportSource] = []
        for version in chosen {
            let records = try catalog.files(versionID: version.id)
            guard records.count == FileRole.allCases.count else { continue }  // a version row without its four files holds nothing to serve
            sources.append(ExportSource(
                manifest: try registry.manifest(named: version.dataset), version: version,
                files: Dictionary(uniqueKeysWithValues: records.map { ($0.role, $0) }),
                directory: layout.versionDirectory(dataset: version.dataset, versionID: version.id)))
        }
        guard !sources.isEmpty else { throw PublishError.nothingPresent }
        return sources
    }

    private func publish(into destination: URL, all: Bool, catalog: Catalog, started: Date) throws -> PublishResult {
        let sources = try sources(all: all, catalog: catalog)
        // Proven first (repairing a damaged copy from the store, as export does): what is copied is the catalog's record.
        var proven: [String: ProvenFiles] = [:]
        var notes: [String] = []
        for source in sources {
            let files = try ProvenFiles.prepare(source, layout: layout, catalog: catalog, payloadUse: .none)
            proven[source.version.id] = files
            notes += files.restored
        }
        let versions = sources.map { source in
            MirrorIndexVersion(
                dataset: source.manifest.name, versionId: source.version.id, name: source.version.known ? source.version.name : "unknown",
                known: source.version.known, files: FileRole.allCases.map { ManifestFile(source.file($0)) })
        }
        let root = try ExportDirectory.open(destination)

        // 1. The plan, read-only: a symlink or obstruction anywhere publish writes is refused before any write.
        let plan: PublishPlan
        do {
            plan = try PublishPlan(versions: versions) { folder, file in
                guard let directory = try Self.existingFolder(folder, in: root) else { return (.absent, { "" }) }
                return (Self.entry(file.name, in: directory), { try Self.sha256(of: file.name, in: directory, size: file.container.size) })
            }
        } catch let refusal as PublishPlan.Refusal {
            let path = root.path + "/" + refusal.path
            switch refusal.found {
            case .symlink: throw PublishError.symlink(path: path)
            case .folder: throw PublishError.obstructed(path: path, found: "a folder where a file belongs")
            default: throw PublishError.obstructed(path: path, found: "something that is neither a file nor a folder")
            }
        }

        // 2. The files: temporaries beside their final names, synced, renamed in.
        var bytes: Int64 = 0
        var published: [PublishedVersion] = []
        for version in plan.versions {
            let steps = plan.steps.filter { $0.version.path == version.path }
            let changes = steps.filter { $0.action != .keep }
            let present = try Self.existingFolder(version.path, in: root) != nil
            if !changes.isEmpty || present {
                let directory = try root.subdirectory(version.dataset).subdirectory(version.versionId)
                for file in version.files { notes += directory.removeLeftovers(of: file.name, leftBy: "publish") }
                for step in changes {
                    let output = try directory.create(step.file.name, replacing: true)
                    do {
                        try proven[version.versionId]!.copy(step.file.role, form: .gzip, into: output)
                        try output.commit(durably: true)
                    } catch {
                        output.abandon()
                        throw error
                    }
                    bytes += step.file.container.size
                }
                if !changes.isEmpty { directory.sync() }
            }
            published.append(PublishedVersion(
                dataset: version.dataset, versionId: version.versionId, name: version.name, known: version.known, path: version.path,
                files: steps.map { PublishedFile(name: $0.file.name, size: $0.file.container.size, sha256: $0.file.container.sha256, action: $0.action) }))
        }

        // 3. The index, last: earlier entries whose files are all still present are kept.
        notes += root.removeLeftovers(of: MirrorIndex.fileName, leftBy: "publish")
        let previous = try Self.readIndex(in: root)
        let stillThere = (previous?.versions ?? []).filter { Self.holds($0, in: root) }
        if let previous, stillThere.count < previous.versions.count {
            let gone = previous.versions.filter { !stillThere.contains($0) }.map { "\($0.dataset) \($0.versionId.prefix(12))" }
            notes.append("the index no longer lists \(gone.joined(separator: ", ")): its files are not all in DEST any more")
        }
        let index = MirrorIndex.merged(previous: MirrorIndex(versions: stillThere), published: versions)
        let text = Array(try index.text().utf8)
        let indexAction: PublishAction
        if let fd = try root.openRegularFile(MirrorIndex.fileName) {
            let current = try? Self.read(fd, limit: MirrorIndex.maxBytes)
            close(fd)
            indexAction = current == text ? .keep : .replace
        } else {
            indexAction = .write
        }
        if indexAction != .keep {
            let output = try root.create(MirrorIndex.fileName, replacing: true, bufferSize: 0)
            do {
                try output.write(text)
                try output.commit(durably: true)
            } catch {
                output.abandon()
                throw error
            }
            root.sync()
            bytes += Int64(text.count)
        }
        let actions = published.flatMap(\.files).map(\.action)
        return PublishResult(
            destination: destination.path, index: root.path(of: MirrorIndex.fileName), indexAction: indexAction, versions: published,
            alsoIndexed: index.versions.count - versions.count, written: actions.filter { $0 == .write }.count,
            replaced: actions.filter { $0 == .replace }.count, kept: actions.filter { $0 == .keep }.count, bytesWritten: bytes,
            notes: notes, seconds: Date().timeIntervalSince(started), ok: true, exitStatus: .success, exitCode: 0)
    }

    /// The folder `relative` (`fashion/<id>/`) below `root` when it exists; a symlink or file on its way is refused.
    static func existingFolder(_ relative: String, in root: ExportDirectory) throws -> ExportDirectory? {
        var directory = root
        for component in relative.split(separator: "/") {
            guard let next = try directory.existingSubdirectory(String(component)) else { return nil }
            directory = next
        }
        return directory
    }

    /// What `name` is in `directory`, without following a symlink.
    static func entry(_ name: String, in directory: ExportDirectory) -> FoundEntry {
        switch directory.kind(of: name) {
        case .absent: return .absent
        case .symlink: return .symlink
        case .directory: return .folder
        case .other: return .other
        case .file:
            var info = stat()
            guard fstatat(directory.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .absent }
            return .regular(size: Int64(info.st_size))
        }
    }

    /// The SHA-256 of the regular file `name` (read through a descriptor opened without following
    /// symlinks; at most `size` + 1 bytes are read, so a file that grew hashes differently).
    static func sha256(of name: String, in directory: ExportDirectory, size: Int64) throws -> String {
        guard let fd = try directory.openRegularFile(name) else { return "" }
        defer { close(fd) }
        let hasher = SHA256Stream()
        var total: Int64 = 0
        let failure = DescriptorIO.forEachChunk(fd, size: 1 << 20) { chunk in
            hasher.update(chunk)
            total += Int64(chunk.count)
            return total <= size
        }
        if let failure { throw ExportError.io(path: directory.path(of: name), operation: "reading", errno: failure) }
        return hasher.finalize()
    }

    /// Up to `limit` bytes of an open file (nil when it is larger).
    static func read(_ fd: Int32, limit: Int) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        let failure = DescriptorIO.forEachChunk(fd, size: 1 << 16) { chunk in
            bytes += chunk
            return bytes.count <= limit
        }
        if let failure { throw ExportError.io(path: "the index", operation: "reading", errno: failure) }
        return bytes.count <= limit ? bytes : nil
    }

    /// The index DEST holds, when it is one this fmnist wrote (anything else is replaced).
    static func readIndex(in root: ExportDirectory) throws -> MirrorIndex? {
        guard let fd = try root.openRegularFile(MirrorIndex.fileName) else { return nil }
        defer { close(fd) }
        return try read(fd, limit: MirrorIndex.maxBytes).flatMap { MirrorIndex.parse(Data($0)) }
    }

    /// Whether DEST still holds every file of an indexed version, at its indexed size (reached
    /// without following a symlink).
    static func holds(_ version: MirrorIndexVersion, in root: ExportDirectory) -> Bool {
        guard let folder = try? existingFolder(version.path, in: root) else { return false }
        return version.files.allSatisfy { entry($0.name, in: folder) == .regular(size: $0.container.size) }
    }
}
