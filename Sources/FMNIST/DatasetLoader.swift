import Foundation
internal import FMNISTCore

/// Reads one stored version of one dataset: which files the catalog records, then each file.
///
/// The live version (no selector, or one naming the live version): from the version's kept
/// uncompressed payload when its stat fingerprint is the one recorded when it was proven (no
/// re-hash, as `verify` trusts it), otherwise from the live folder's `.gz`, verified in the same
/// pass that decompresses it. Any other version: from its read-only copies in
/// `.fmnist/versions/<dataset>/<id>/` (or the store, when that folder is gone), every file proven
/// against the catalog's record while it is decompressed.
struct DatasetLoader {
    let layout: WorkspaceLayout
    let registry: ManifestRegistry
    let manifest: Manifest
    /// A version's name or id prefix (``VersionSelection``); nil: the live version.
    var selector: String? = nil

    func load() throws(DatasetError) -> Dataset { try loadReporting().dataset }

    /// ``load()``, and which files came from kept payloads without a re-hash (the rest were proven
    /// while inflated).
    func loadReporting() throws(DatasetError) -> (dataset: Dataset, kept: Set<FileRole>) {
        let live = try record()
        let version = live.version, recorded = live.files
        guard live.isLive else { return (try loadStored(live), []) }
        let directory = layout.liveDirectory(dataset: manifest.name)
        let payloads = layout.payloadDirectory(dataset: manifest.name, versionID: version.id)
        // Kept payloads stand for the live folder only while it is exactly as proven: the live link
        // shows the version's folder and each `.gz` there still has its recorded fingerprint.
        // Otherwise the proving read of the live folder says what is wrong with it.
        let versionFolder = layout.versionDirectory(dataset: manifest.name, versionID: version.id)
        let liveUnchanged = FilePaths.real(directory.path) == FilePaths.real(versionFolder.path)
            && recorded.values.allSatisfy { file in
                live.containerFingerprints[file.role].map { FileFingerprint(path: versionFolder.appendingPathComponent(file.name).path) == $0 } ?? false
            }
        let index = KnownFileIndex(registry: registry)
        let roles = FileRole.allCases
        let outcomes = Outcomes(count: roles.count)
        DispatchQueue.concurrentPerform(iterations: roles.count) { i in
            let file = recorded[roles[i]]!
            if liveUnchanged, let fingerprint = live.payloadFingerprints[file.role],
                let kept = KeptPayloadReader.read(
                    at: payloads.appendingPathComponent(PayloadStore.payloadName(file.name)), recorded: file, fingerprint: fingerprint)
            {
                outcomes.set(i, .success(kept), kept: true)
                return
            }
            outcomes.set(i, Result { () throws(DatasetError) in
                try read(file, at: directory.appendingPathComponent(file.name), index: index)
            }, kept: false)
        }
        var loaded: [FileRole: KeptPayloadReader.Payload] = [:]
        for (role, outcome) in zip(roles, outcomes.values) { loaded[role] = try outcome!.get() }
        let kept = Set(zip(roles, outcomes.kept).filter(\.1).map(\.0))

        return (try dataset(version, loaded), kept)
    }

    /// A version that is not live, read from its own folder: each file proven while it is read.
    func loadStored(_ record: LiveRecord) throws(DatasetError) -> Dataset {
        let version = record.version
        let folder = layout.versionDirectory(dataset: manifest.name, versionID: version.id)
        let useFolder = FilePaths.lstat(folder.path).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
        let store = VersionStore(layout: layout)
        let index = KnownFileIndex(registry: registry)
        let roles = FileRole.allCases
        var urls: [FileRole: URL] = [:]
        for role in roles {
            let file = record.files[role]!
            if useFolder {
                urls[role] = folder.appendingPathComponent(file.name)
            } else {
                do { urls[role] = try store.url(containerSHA256: file.containerSHA256) } catch { throw DatasetError(operation: "store", error) }
            }
        }
        let outcomes = Outcomes(count: roles.count)
        let paths = urls
        DispatchQueue.concurrentPerform(iterations: roles.count) { i in
            let file = record.files[roles[i]]!
            outcomes.set(i, Result { () throws(DatasetError) in
                try read(file, at: paths[roles[i]]!, index: index, of: version)
            }, kept: false)
        }
        var loaded: [FileRole: KeptPayloadReader.Payload] = [:]
        for (role, outcome) in zip(roles, outcomes.values) { loaded[role] = try outcome!.get() }
        return try dataset(version, loaded)
    }

    /// Pairs the splits of the four loaded payloads into the ``Dataset`` of `version`.
    func dataset(_ version: CatalogVersion, _ loaded: [FileRole: KeptPayloadReader.Payload]) throws(DatasetError) -> Dataset {
        let train = try split("training", loaded[.trainImages]!, loaded[.trainLabels]!)
        let test = try split("test", loaded[.testImages]!, loaded[.testLabels]!)
        let statistics = manifest.statistics.map { TrainingStatistics(mean: $0.mean, std: $0.std) }
            ?? TrainingStatistics(pixels: train.images)
        return Dataset(
            name: DatasetName(manifest.name), title: manifest.title, classes: manifest.classes,
            version: DatasetVersion(full: version.id, short: version.shortID, name: version.known ? version.name : "unknown"),
            train: train, test: test, statistics: statistics)
    }

    /// What the catalog records of the version read.
    struct LiveRecord {
        let version: CatalogVersion
        /// Whether it is the dataset's live version (read through the live folder, kept payloads allowed).
        let isLive: Bool
        let files: [FileRole: CatalogFile]
        /// Fingerprints recorded when the version folder's `.gz` copies were last proven.
        let containerFingerprints: [FileRole: FileFingerprint]
        /// Fingerprints recorded when the kept payloads were last proven (none when never kept).
        let payloadFingerprints: [FileRole: FileFingerprint]
    }

    /// The version the selector names (``VersionSelection``; none: the live one), whether it is
    /// live, its four files by role, and the fingerprints recorded when its files were last proven.
    func record() throws(DatasetError) -> LiveRecord {
        do {
            let catalog = try Catalog.openReadOnly(layout)
            defer { catalog.close() }
            return try catalog.readTransaction {
                let version: CatalogVersion
                do {
                    version = try VersionSelection.version(of: manifest.name, selector: selector, catalog: catalog)
                } catch WorkspaceError.datasetMissing {
                    throw DatasetError.notFetched(dataset: manifest.name, root: layout.root.path)
                } catch WorkspaceError.versionNotFound(let dataset, let selector, let available) {
                    throw DatasetError.unknownVersion(dataset: dataset, version: selector, known: available)
                } catch WorkspaceError.ambiguousVersion(let dataset, let selector, let matches) {
                    throw DatasetError.ambiguousVersion(dataset: dataset, version: selector, matches: matches)
                }
                let isLive = try catalog.liveVersion(dataset: manifest.name)?.versionID == version.id
                let files = try catalog.files(versionID: version.id)
                let byRole = Dictionary(files.map { ($0.role, $0) }, uniquingKeysWith: { first, _ in first })
                guard byRole.count == FileRole.allCases.count else {
                    throw DatasetError.notFetched(dataset: manifest.name, root: layout.root.path)
                }
                let payloads = layout.payloadDirectory(dataset: manifest.name, versionID: version.id)
                let folder = layout.versionDirectory(dataset: manifest.name, versionID: version.id)
                var containers: [FileRole: FileFingerprint] = [:]
                var kept: [FileRole: FileFingerprint] = [:]
                for file in files {
                    let copy = layout.catalogKey(folder.appendingPathComponent(file.name))
                    containers[file.role] = try catalog.fingerprint(path: copy, payloadSHA256: file.payloadSHA256)
                    let payload = layout.catalogKey(payloads.appendingPathComponent(PayloadStore.payloadName(file.name)))
                    kept[file.role] = try catalog.fingerprint(path: payload, payloadSHA256: file.payloadSHA256)
                }
                return LiveRecord(
                    version: version, isLive: isLive, files: byRole, containerFingerprints: containers, payloadFingerprints: kept)
            }
        } catch {
            throw DatasetError(operation: "catalog", error)
        }
    }

    /// Reads one file and proves it is the recorded one of the live version (`stored`: of that
    /// version, not live); otherwise says what it is.
    func read(_ file: CatalogFile, at url: URL, index: KnownFileIndex, of stored: CatalogVersion? = nil) throws(DatasetError)
        -> KeptPayloadReader.Payload
    {
        let expected = "\(manifest.title)'s \(file.role.fileStem)" + (stored.map { " of version \($0.label)" } ?? "")
        let idx: LoadedIDX
        do {
            idx = try IDXLoader.load(url: url, classCount: manifest.classes.count, payloadSize: file.payloadSize, containerDigests: false)
        } catch let error as FileAccessError {
            throw .missingFile(path: url.path, expected: expected, problem: error.problem)
        } catch let error as IDXLoader.LoadError {
            throw .damaged(path: url.path, expected: expected, problem: error.problem)
        } catch {
            throw .damaged(path: url.path, expected: expected, problem: "\(error)")
        }
        let m = idx.measurement
        guard m.payloadSHA256 == file.payloadSHA256, m.payloadSize == file.payloadSize else {
            if let (known, _) = index.identify(m) {
                let same = known.dataset == manifest.name && known.role == file.role
                throw .wrongFile(
                    path: url.path, expected: expected,
                    found: same
                        ? "\(known) of version \(known.version), not " + (stored.map { "version \($0.label)" } ?? "the live version")
                        : known.description)
            }
            throw .damaged(
                path: url.path, expected: expected,
                problem: "valid IDX \(m.idxDims.map(String.init).joined(separator: "×")) but not the recorded version "
                    + "(payload SHA-256 \(m.payloadSHA256.prefix(12))…, expected \(file.payloadSHA256.prefix(12))…)")
        }
        return KeptPayloadReader.Payload(dims: idx.dims, elements: idx.elements)
    }

    func split(_ name: String, _ images: KeptPayloadReader.Payload, _ labels: KeptPayloadReader.Payload) throws(DatasetError) -> Split {
        guard images.dims.count == 3, labels.dims.count == 1, images.dims[0] == labels.dims[0] else {
            throw .mismatchedSplit(split: name, images: images.dims, labels: labels.dims)
        }
        return Split(
            count: images.dims[0], rows: images.dims[1], columns: images.dims[2], images: images.elements,
            labels: labels.elements, classCount: manifest.classes.count)
    }
}

/// Results written by concurrent workers, one slot each, and whether each came from a kept payload.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<KeptPayloadReader.Payload, DatasetError>?]
    private var keptSlots: [Bool]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
        keptSlots = Array(repeating: false, count: count)
    }

    func set(_ index: Int, _ value: Result<KeptPayloadReader.Payload, DatasetError>, kept: Bool) {
        lock.lock()
        slots[index] = value
        keptSlots[index] = kept
        lock.unlock()
    }

    var values: [Result<KeptPayloadReader.Payload, DatasetError>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }

    var kept: [Bool] {
        lock.lock()
        defer { lock.unlock() }
        return keptSlots
    }
}
