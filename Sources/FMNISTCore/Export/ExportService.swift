import Foundation

/// The library side of `fmnist export LAYOUT DEST`: picks the datasets, checks DEST, has the
/// layout's writer write each dataset from its verified live version, and records the export.
///
/// ```swift
/// let service = ExportService(layout: workspace, registry: registry)
/// let result = try service.run(layout: .torchvision, destination: URL(fileURLWithPath: "out"))
/// ```
public struct ExportService: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }

    /// Exports `dataset` (`fashion`, `mnist`, `current`, `all`, or nil: every dataset present).
    public func run(layout exportLayout: ExportLayout, destination: URL, dataset: String? = nil, force: Bool = false)
        throws -> ExportResult
    {
        let started = Date()
        let writer = Self.writer(for: exportLayout)
        // DEST and every path the layout writes below it must stay out of the workspace's own folders.
        let boundary = WorkspaceBoundary(layout: layout)
        try boundary.checkOutput(destination.path, option: "DEST", registry: registry)
        try boundary.checkOutput(destination.standardizedFileURL.path, option: "DEST", registry: registry)
        try WorkspaceBoundary.checkFolder(of: destination.path, option: "DEST", createsMissing: true)
        try boundary.requireWorkspace(registry: registry)
        var sources = try selectSources(dataset)
        var skipped: [SkippedDataset] = []
        if exportLayout == .keras {
            // keras reads MNIST as its own pinned mnist.npz: only the fetched artifact, never a self-made one.
            // Asked by name: an error. Among "every dataset": skip it, loudly, with the command that fetches it.
            for npzOnly in sources where !LoaderLayout.kerasReadsGzip(npzOnly.manifest.name) && npzOnly.artifacts["keras"] == nil {
                let error = ExportError.kerasNeedsOriginalMNIST(dataset: npzOnly.manifest.name)
                if sources.count == 1 || (dataset != nil && dataset?.lowercased() != "all") { throw error }
                skipped.append(SkippedDataset(dataset: npzOnly.manifest.name, reason: error.description + "; " + (error.hint ?? "")))
            }
            sources.removeAll { !LoaderLayout.kerasReadsGzip($0.manifest.name) && $0.artifacts["keras"] == nil }
        }
        let destinationPath = destination.standardizedFileURL.path
        // Each folder a planned path passes through too: DEST above the root must not make the root a layout folder.
        var plannedPrefixes: Set<String> = []
        for planned in sources.flatMap({ writer.plannedPaths($0) }) {
            var prefix = destinationPath
            for component in planned.split(separator: "/") {
                prefix += "/" + component
                plannedPrefixes.insert(prefix)
            }
        }
        for path in plannedPrefixes.sorted() { try boundary.checkOutput(path, option: "DEST", registry: registry) }
        try preflight(sources.flatMap { writer.plannedPaths($0) }, in: destination.standardizedFileURL, force: force)
        let dest = try ExportDirectory.open(destination)
        let (lock, fallbackNote) = try proveCopies(&sources, withPayloads: exportLayout == .torchvision)
        defer { lock?.release() }
        // Datasets are written side by side (each writer touches only its own files and folders).
        let outcomes = sources.parallelMap(threads: 2, cost: { $0.file(.trainImages).containerSize }) { source -> ExportOutcome in
            let tally = ExportTally()
            do {
                try writer.export(source, into: dest, force: force, tally: tally)
                return ExportOutcome(source: source, tally: tally, error: nil)
            } catch let error as any FMNISTError {
                return ExportOutcome(source: source, tally: tally, error: error)
            } catch {
                return ExportOutcome(source: source, tally: tally, error: ExportError.io(path: dest.path, operation: "\(error)", errno: EIO))
            }
        }
        var exported: [ExportedDataset] = []
        for outcome in outcomes {
            let (source, tally) = (outcome.source, outcome.tally)
            tally.notes = (fallbackNote.map { [$0] } ?? []) + (source.proven?.restored ?? []) + tally.notes
            record(exportLayout, source, destinationPath, tally, failure: outcome.error.map { "\($0)" }, skipped: skipped)
            exported.append(ExportedDataset(
                dataset: source.manifest.name, title: source.manifest.title, versionID: source.version.id,
                versionShortID: source.version.shortID, versionName: source.version.known ? source.version.name : "unknown",
                path: tally.path, files: tally.files, bytes: tally.bytes, notes: tally.notes, usage: tally.usage))
        }
        if let failure = outcomes.compactMap(\.error).first { throw failure }
        return ExportResult(
            layout: exportLayout, destination: destinationPath, datasets: exported, skipped: skipped,
            seconds: Date().timeIntervalSince(started), ok: true, exitStatus: .success, exitCode: 0)
    }

    /// Takes the workspace lock without waiting and proves each source's copies in the workspace,
    /// repairing a damaged one from the store as `switch` does: the version's `.gz` and, with
    /// `withPayloads`, the payload store's uncompressed files (built once per version), which the
    /// torchvision export then copies instead of inflating and hashing. The lock is held until the
    /// export is done, so no switch or remove changes the files under it. When the workspace is
    /// busy or cannot be written, the sources are streamed and verified as they are, and the
    /// returned note says why.
    func proveCopies(_ sources: inout [ExportSource], withPayloads: Bool) throws -> (WorkspaceLock?, String?) {
        let lock: WorkspaceLock
        do {
            lock = try WorkspaceLock.acquire(layout, command: "export", timeout: 0)
        } catch WorkspaceError.lockTimeout(let holder, _) {
            return (nil, "the workspace is busy (\(holder.map { "\($0)" } ?? "another fmnist process") holds its lock); "
                + "exported by re-verifying the live files instead of copying proven ones")
        } catch WorkspaceError.foreignSymlink(let path, let target) {
            throw WorkspaceError.foreignSymlink(path: path, target: target)
        } catch {
            return (nil, "the workspace's lock could not be taken (\(error)); exported by re-verifying the live files")
        }
        do {
            let catalog = try Catalog.open(layout)
            defer { catalog.close() }
            sources = try sources.map { source in
                var proven = source
                proven.proven = try ProvenFiles.prepare(source, layout: layout, catalog: catalog, withPayloads: withPayloads)
                return proven
            }
            return (lock, nil)
        } catch {
            lock.release()
            sources = sources.map { source in
                var plain = source
                plain.proven = nil
                return plain
            }
            return (nil, "the workspace's proven copies could not be used (\(error)); exported by re-verifying the live files")
        }
    }

    /// One dataset's export, as a worker thread hands it back.
    struct ExportOutcome: @unchecked Sendable {  // the tally was filled by that one thread, which is done
        let source: ExportSource
        let tally: ExportTally
        let error: (any FMNISTError)?
    }

    static func writer(for layout: ExportLayout) -> any DatasetExporter {
        switch layout {
        case .torchvision: return TorchvisionExporter()
        case .npz: return NPZExporter()
        case .csv: return CSVExporter()
        case .png: return PNGExporter()
        case .keras: return GzipCopyExporter(flavor: .keras)
        case .tfds: return GzipCopyExporter(flavor: .tfds)
        case .hf: return HFParquetExporter()
        }
    }

    /// The live versions to export. A dataset asked for by name must be present; nil takes every
    /// dataset that is.
    func selectSources(_ dataset: String?) throws -> [ExportSource] {
        switch dataset?.lowercased() {
        case nil:
            let present = registry.manifests.compactMap { try? ExportSource.live(dataset: $0, layout: layout) }
            if present.isEmpty { throw ExportError.nothingPresent }
            return present
        case "all":
            return try registry.manifests.map { try ExportSource.live(dataset: $0, layout: layout) }
        default:
            let manifest = try ActiveDataset.manifest(named: dataset!, layout: layout, registry: registry)
            return [try ExportSource.live(dataset: manifest, layout: layout)]
        }
    }

    /// Refuses, before anything is written, a DEST that is a symlink, a planned path with a symlink
    /// anywhere below DEST, and (without `force`) a planned path that already exists.
    func preflight(_ paths: [String], in destination: URL, force: Bool) throws {
        var checked: Set<String> = []
        if Self.lstatKind(destination.path) == .symlink { throw ExportError.foreignSymlink(path: destination.path) }
        for relative in paths {
            var url = destination
            let components = relative.split(separator: "/").map(String.init)
            for (offset, component) in components.enumerated() {
                url.appendPathComponent(component)
                let last = offset == components.count - 1
                if checked.contains(url.path) && !last { continue }
                checked.insert(url.path)
                switch Self.lstatKind(url.path) {
                case .absent: break
                case .symlink: throw ExportError.foreignSymlink(path: url.path)
                default: if last && !force { throw ExportError.exists(path: url.path) }
                }
                if Self.lstatKind(url.path) == .absent { break }
            }
        }
    }

    static func lstatKind(_ path: String) -> ExportDirectory.EntryKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return .symlink
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// Records one dataset's export (or its failure); a catalog that cannot be written loses only the record.
    func record(_ exportLayout: ExportLayout, _ source: ExportSource, _ destination: String, _ tally: ExportTally,
                failure: String?, skipped: [SkippedDataset])
    {
        guard let catalog = try? Catalog.open(layout) else { return }
        defer { catalog.close() }
        struct Details: Encodable {
            let path: String
            let notes: [String]
            let skipped: [SkippedDataset]
            let error: String?
        }
        _ = try? catalog.recordExport(
            layout: exportLayout.rawValue, dataset: source.manifest.name, versionID: source.version.id, destination: destination,
            files: tally.files, bytes: tally.bytes, result: failure == nil ? .ok : .failed,
            details: Details(path: tally.path, notes: tally.notes, skipped: skipped, error: failure))
    }
}
