import Foundation

/// The library side of `fmnist export LAYOUT DEST`: picks the datasets, checks DEST, has the
/// layout's writer write each dataset from its verified live version, and records the export.
///
/// ```swift
/// let service = ExportService(layout: workspace, registry: registry)
/// let result = try service.run(layout: .torchvision, destination: URL(fileURLWithPath: "out"))
/// ```
///
/// The layout's own behaviour (its writer, whether it copies payloads, which datasets it refuses)
/// comes from its ``ExportFormat``, one type per layout in `Layouts/` (``LoaderFormats``);
/// `run(layout:…)` looks it up there.
public struct ExportService: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry
    /// Worker threads each layout writer formats and encodes on (the output is the same for any
    /// count); default `FMNIST_THREADS` or the machine's cores.
    public let threads: Int

    public init(layout: WorkspaceLayout, registry: ManifestRegistry, threads: Int? = nil) {
        self.layout = layout
        self.registry = registry
        self.threads = max(1, threads ?? WorkLoop.defaultThreads)
    }

    /// Exports `dataset` (`fashion`, `mnist`, `current`, `all`, or nil: every dataset present) in
    /// `format`'s layout.
    package func run(format: any ExportFormat, destination: URL, dataset: String? = nil, force: Bool = false)
        throws -> ExportResult
    {
        let started = Date()
        let exportLayout = format.exportLayout
        let writer = format.writer
        // DEST and every path the layout writes below it must stay out of the workspace's own folders.
        let boundary = WorkspaceBoundary(layout: layout)
        try boundary.checkOutput(destination.path, option: "DEST", registry: registry)
        try boundary.checkOutput(destination.standardizedFileURL.path, option: "DEST", registry: registry)
        try WorkspaceBoundary.checkFolder(of: destination.path, option: "DEST", createsMissing: true)
        try boundary.requireWorkspace(registry: registry)
        var sources = try selectSources(dataset)
        var skipped: [SkippedDataset] = []
        // A dataset the layout cannot hold (keras: MNIST without its pinned mnist.npz). Asked by
        // name: an error. Among "every dataset": skipped, loudly, with what would make it exportable.
        for refused in sources {
            guard let error = format.refusal(refused) else { continue }
            if sources.count == 1 || (dataset != nil && dataset?.lowercased() != "all") { throw error }
            skipped.append(SkippedDataset(dataset: refused.manifest.name, reason: error.description + "; " + (error.hint ?? "")))
        }
        sources.removeAll { format.refusal($0) != nil }
        let destinationPath = destination.standardizedFileURL.path
        // Each folder and file a dataset's part passes through too: DEST above the root must not make
        // the root a layout folder.
        var plannedPrefixes: Set<String> = []
        for source in sources {
            let part = writer.part(source)
            let leaves: [String]
            switch part.shape {
            case .folder(let name): leaves = [name]
            case .files(let names): leaves = names
            }
            for leaf in leaves {
                var prefix = destinationPath
                for component in (part.parent + [leaf]).flatMap({ $0.split(separator: "/") }) {
                    prefix += "/" + component
                    plannedPrefixes.insert(prefix)
                }
            }
        }
        for path in plannedPrefixes.sorted() { try boundary.checkOutput(path, option: "DEST", registry: registry) }
        let leftovers = cleanLeftovers(sources, writer: writer, layout: exportLayout, in: destination.standardizedFileURL)
        let replaced = try preflight(sources, writer: writer, layout: exportLayout, in: destination.standardizedFileURL, force: force)
        let dest = try ExportDirectory.open(destination)
        let (lock, fallbackNote) = try proveCopies(&sources, payloadUse: format.payloadUse)
        defer { lock?.release() }
        // Datasets are written side by side (each writer touches only its own part of DEST).
        let outcomes = sources.parallelMap(threads: min(2, threads), cost: { $0.file(.trainImages).containerSize }) { source -> ExportOutcome in
            let tally = ExportTally()
            do {
                let provenance = try exportPart(source, writer: writer, layout: exportLayout, dest: dest, destination: destinationPath, tally: tally)
                return ExportOutcome(source: source, tally: tally, provenance: provenance, error: nil)
            } catch let error as any FMNISTError {
                return ExportOutcome(source: source, tally: tally, provenance: nil, error: error)
            } catch {
                return ExportOutcome(source: source, tally: tally, provenance: nil,
                                     error: ExportError.io(path: dest.path, operation: "\(error)", errno: EIO))
            }
        }
        var exported: [ExportedDataset] = []
        for outcome in outcomes {
            let (source, tally) = (outcome.source, outcome.tally)
            tally.notes = (fallbackNote.map { [$0] } ?? []) + (leftovers[source.manifest.name] ?? []) + (source.proven?.restored ?? []) + tally.notes
            if outcome.error == nil, let replaced = replaced[source.manifest.name] { tally.notes.append(replaced) }
            record(exportLayout, source, destinationPath, tally, failure: outcome.error.map { "\($0)" }, skipped: skipped)
            exported.append(ExportedDataset(
                dataset: source.manifest.name, title: source.manifest.title, versionID: source.version.id,
                versionShortID: source.version.shortID, versionName: source.version.known ? source.version.name : "unknown",
                path: tally.path, files: tally.files, bytes: tally.bytes, notes: tally.notes, usage: tally.usage,
                provenance: outcome.provenance))
        }
        if let failure = outcomes.compactMap(\.error).first { throw failure }
        return ExportResult(
            layout: exportLayout, destination: destinationPath, datasets: exported, skipped: skipped,
            seconds: Date().timeIntervalSince(started), ok: true, exitStatus: .success, exitCode: 0)
    }

    /// Takes the workspace lock without waiting and proves each source's copies in the workspace,
    /// repairing a damaged one from the store as `switch` does: the version's `.gz` and, per
    /// `payloadUse`, the payload store's uncompressed files (built once per version), which the
    /// torchvision export then copies, and the csv, npz, png and hf exports read, instead of
    /// inflating and hashing. The lock is held until the
    /// export is done, so no switch or remove changes the files under it. When the workspace is
    /// busy or cannot be written, the sources are streamed and verified as they are, and the
    /// returned note says why.
    func proveCopies(_ sources: inout [ExportSource], payloadUse: ExportPayloadUse) throws -> (WorkspaceLock?, String?) {
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
                proven.proven = try ProvenFiles.prepare(source, layout: layout, catalog: catalog, payloadUse: payloadUse)
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
        /// The provenance file written (absolute path).
        let provenance: String?
        let error: (any FMNISTError)?
    }

    /// Writes one dataset's part of DEST and its provenance, replacing the old part as a whole, and
    /// returns the provenance file's path. A folder part is built in a staging folder beside it and
    /// exchanged with the old one; a files part's files go to temporaries, then the old provenance
    /// file is removed, the files are renamed over the old ones and the new provenance is renamed
    /// in last (a crash in between leaves no provenance claiming a mix). Nothing is placed when
    /// the writer fails.
    func exportPart(
        _ source: ExportSource, writer: any DatasetExporter, layout exportLayout: ExportLayout, dest: ExportDirectory,
        destination: String, tally: ExportTally
    ) throws -> String {
        let part = writer.part(source)
        var parent = dest
        for component in part.parent { parent = try parent.subdirectory(component) }
        switch part.shape {
        case .folder(let name):
            let (stagingName, staging) = try parent.makeStaging(for: name)
            do {
                try writer.export(source, into: ExportTarget(
                    directory: staging, destination: destination, tally: tally, defersCommit: false, threads: threads))
                let provenance = ExportProvenance.make(exportLayout, source, written: tally.written, trees: writer.summarizedFolders)
                try staging.writeFile(ExportProvenance.fileName, try provenance.encoded(), replacing: false)
                // Checked again just before the swap: nothing foreign may have appeared in the old part.
                if parent.kind(of: name) == .directory, let foreign = try parent.foreignEntry(below: name) { throw foreign }
                if let note = try parent.install(staged: stagingName, as: name) { tally.notes.append(note) }
            } catch {
                try? parent.removeTree(stagingName)
                throw error
            }
            return parent.path(of: name) + "/" + ExportProvenance.fileName
        case .files:
            let provenanceName = ExportProvenance.filesFileName(layout: exportLayout, dataset: source.manifest.name)
            let target = ExportTarget(directory: parent, destination: destination, tally: tally, defersCommit: true, threads: threads)
            var provenanceFile: ExportFile?
            do {
                try writer.export(source, into: target)
                let provenance = ExportProvenance.make(exportLayout, source, written: target.stagedWritten(), trees: [])
                let file = try parent.create(provenanceName, replacing: true, bufferSize: 0)
                provenanceFile = file
                try file.write(try provenance.encoded())
                try parent.checkPlaceable(provenanceName, replacing: true)
                if parent.kind(of: provenanceName) == .file && unlinkat(parent.descriptor, provenanceName, 0) != 0 && errno != ENOENT {
                    throw ExportError.io(path: parent.path(of: provenanceName), operation: "removing the old provenance file", errno: errno)
                }
                try target.commitStaged()
                try file.commit()
            } catch {
                target.abandonStaged()
                provenanceFile?.abandon()
                throw error
            }
            return parent.path(of: provenanceName)
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

    /// Removes what killed exports left beside each dataset's part (their process is gone), or
    /// renames a whole export left there back into the part's place when that place is empty;
    /// returns the notes that say so, by dataset. Runs before ``preflight(_:writer:layout:in:force:)``,
    /// which then judges what is in place.
    func cleanLeftovers(_ sources: [ExportSource], writer: any DatasetExporter, layout exportLayout: ExportLayout,
                        in destination: URL) -> [String: [String]]
    {
        guard Self.lstatKind(destination.path) == .directory else { return [:] }
        var notes: [String: [String]] = [:]
        for source in sources {
            let part = writer.part(source)
            let folder = part.parent.reduce(destination) { $0.appendingPathComponent($1) }
            guard Self.lstatKind(folder.path) == .directory, let parent = ExportDirectory.openExisting(folder.path) else { continue }
            let names: [String]
            switch part.shape {
            case .folder(let name): names = [name]
            case .files(let files): names = files + [ExportProvenance.filesFileName(layout: exportLayout, dataset: source.manifest.name)]
            }
            notes[source.manifest.name] = names.flatMap { parent.removeLeftovers(of: $0) }
        }
        return notes
    }

    /// Refuses, before anything is written: a DEST that is a symlink; a symlink or a non-folder on
    /// the way to a dataset's part; a part that holds a symlink (fmnist made none) or another file
    /// system; and, without `force`, an existing part that is not this version's export in this
    /// layout (its provenance file says which). Returns, per dataset, a note on what is replaced.
    func preflight(_ sources: [ExportSource], writer: any DatasetExporter, layout exportLayout: ExportLayout,
                   in destination: URL, force: Bool) throws -> [String: String]
    {
        if Self.lstatKind(destination.path) == .symlink { throw ExportError.foreignSymlink(path: destination.path) }
        var replaced: [String: String] = [:]
        for source in sources {
            let part = writer.part(source)
            var folder = destination
            var exists = Self.lstatKind(destination.path) == .directory
            for component in part.parent where exists {
                folder.appendPathComponent(component)
                switch Self.lstatKind(folder.path) {
                case .absent: exists = false
                case .directory: break
                case .symlink: throw ExportError.foreignSymlink(path: folder.path)
                case .file: throw ExportError.obstructed(path: folder.path, found: "a file where a folder belongs")
                case .other: throw ExportError.obstructed(path: folder.path, found: "something that is neither a file nor a folder")
                }
            }
            guard exists else { continue }
            func describe(_ provenance: ExportProvenance?) -> String {
                guard let provenance else { return "files that no fmnist provenance file describes" }
                return "fmnist's \(provenance.layout) export of \(provenance.title) \(provenance.version.shortID) (\(provenance.version.name))"
            }
            switch part.shape {
            case .folder(let name):
                let url = folder.appendingPathComponent(name)
                switch Self.lstatKind(url.path) {
                case .absent: continue
                case .directory: break
                case .symlink: throw ExportError.foreignSymlink(path: url.path)
                case .file: throw ExportError.obstructed(path: url.path, found: "a file where a folder belongs")
                case .other: throw ExportError.obstructed(path: url.path, found: "something that is neither a file nor a folder")
                }
                guard let parent = ExportDirectory.openExisting(folder.path) else { continue }
                let child = ExportDirectory.openExisting(url.path)
                if (try child?.entries().isEmpty) == true { continue }
                let provenance = try? ExportProvenance.read(from: url)
                if !force {
                    // Without --force only this version's export may be replaced, and only when it
                    // holds nothing its export did not write (e.g. a torchvision processed/ cache).
                    guard let provenance, provenance.describes(exportLayout, source) else {
                        throw ExportError.exists(path: url.path, holding: describe(provenance))
                    }
                    if let extra = provenance.unlisted(try parent.leaves(below: name)).first {
                        throw ExportError.exists(path: url.appendingPathComponent(extra).path)
                    }
                }
                if let foreign = try parent.foreignEntry(below: name) { throw foreign }
                replaced[source.manifest.name] = "replaced \(url.path) as a whole (it held \(describe(provenance)))"
            case .files(let names):
                let provenanceName = ExportProvenance.filesFileName(layout: exportLayout, dataset: source.manifest.name)
                var existing: [String] = []
                for name in names + [provenanceName] {
                    let url = folder.appendingPathComponent(name)
                    switch Self.lstatKind(url.path) {
                    case .absent: break
                    case .file: if name != provenanceName { existing.append(url.path) }
                    case .symlink: throw ExportError.foreignSymlink(path: url.path)
                    case .directory: throw ExportError.obstructed(path: url.path, found: "a folder where a file belongs")
                    case .other: throw ExportError.obstructed(path: url.path, found: "something that is neither a file nor a folder")
                    }
                }
                guard let first = existing.first else { continue }
                let provenance = try? ExportProvenance.read(file: folder.appendingPathComponent(provenanceName))
                if !force && provenance?.describes(exportLayout, source) != true { throw ExportError.exists(path: first, holding: describe(provenance)) }
                replaced[source.manifest.name] = "replaced \(existing.joined(separator: ", ")) (\(describe(provenance)))"
            }
        }
        return replaced
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
