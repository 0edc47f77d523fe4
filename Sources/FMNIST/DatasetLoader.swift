import Foundation
internal import FMNISTCore

/// Reads the live version of one dataset: which files the catalog records, then each file from
/// the live folder, verified in the same pass that decompresses it.
struct DatasetLoader {
    let layout: WorkspaceLayout
    let registry: ManifestRegistry
    let manifest: Manifest

    func load() throws(DatasetError) -> Dataset {
        let (version, recorded) = try liveVersion()
        let directory = layout.liveDirectory(dataset: manifest.name)
        let index = KnownFileIndex(registry: registry)
        let roles = FileRole.allCases
        let outcomes = Outcomes(count: roles.count)
        DispatchQueue.concurrentPerform(iterations: roles.count) { i in
            let file = recorded[roles[i]]!
            outcomes.set(i, Result { () throws(DatasetError) in
                try read(file, at: directory.appendingPathComponent(file.name), index: index)
            })
        }
        var loaded: [FileRole: LoadedIDX] = [:]
        for (role, outcome) in zip(roles, outcomes.values) { loaded[role] = try outcome!.get() }

        let train = try split("training", loaded[.trainImages]!, loaded[.trainLabels]!)
        let test = try split("test", loaded[.testImages]!, loaded[.testLabels]!)
        let statistics = manifest.statistics.map { TrainingStatistics(mean: $0.mean, std: $0.std) }
            ?? TrainingStatistics(pixels: train.images)
        return Dataset(
            name: DatasetName(manifest.name), title: manifest.title, classes: manifest.classes,
            version: DatasetVersion(full: version.id, short: version.shortID, name: version.known ? version.name : "unknown"),
            train: train, test: test, statistics: statistics)
    }

    /// The live version the catalog records and its four files by role.
    func liveVersion() throws(DatasetError) -> (CatalogVersion, [FileRole: CatalogFile]) {
        do {
            let catalog = try Catalog.openReadOnly(layout)
            defer { catalog.close() }
            return try catalog.readTransaction {
                guard let live = try catalog.liveVersion(dataset: manifest.name),
                    let version = try catalog.version(id: live.versionID)
                else { throw DatasetError.notFetched(dataset: manifest.name, root: layout.root.path) }
                let files = try catalog.files(versionID: version.id)
                let byRole = Dictionary(files.map { ($0.role, $0) }, uniquingKeysWith: { first, _ in first })
                guard byRole.count == FileRole.allCases.count else {
                    throw DatasetError.notFetched(dataset: manifest.name, root: layout.root.path)
                }
                return (version, byRole)
            }
        } catch {
            throw DatasetError(operation: "catalog", error)
        }
    }

    /// Reads one file and proves it is the recorded one; otherwise says what it is.
    func read(_ file: CatalogFile, at url: URL, index: KnownFileIndex) throws(DatasetError) -> LoadedIDX {
        let expected = "\(manifest.title)'s \(file.role.fileStem)"
        let idx: LoadedIDX
        do {
            idx = try IDXLoader.load(url: url, classCount: manifest.classes.count)
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
                    found: same ? "\(known) of version \(known.version), not the live version" : known.description)
            }
            throw .damaged(
                path: url.path, expected: expected,
                problem: "valid IDX \(m.idxDims.map(String.init).joined(separator: "×")) but not the recorded version "
                    + "(payload SHA-256 \(m.payloadSHA256.prefix(12))…, expected \(file.payloadSHA256.prefix(12))…)")
        }
        return idx
    }

    func split(_ name: String, _ images: LoadedIDX, _ labels: LoadedIDX) throws(DatasetError) -> Split {
        guard images.dims.count == 3, labels.dims.count == 1, images.dims[0] == labels.dims[0] else {
            throw .mismatchedSplit(split: name, images: images.dims, labels: labels.dims)
        }
        return Split(
            count: images.dims[0], rows: images.dims[1], columns: images.dims[2], images: images.elements,
            labels: labels.elements, classCount: manifest.classes.count)
    }
}

/// Results written by concurrent workers, one slot each.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<LoadedIDX, DatasetError>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<LoadedIDX, DatasetError>) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Result<LoadedIDX, DatasetError>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
