public import Foundation
internal import FMNISTCore

/// The outcome of ``Workspace/fetch(_:mirrors:offline:)`` for one dataset.
public struct FetchSummary: Sendable {
    public let dataset: DatasetName
    /// Whether the dataset is now present and verified (fetched now or already there).
    public let ok: Bool
    /// Whether it was already present, so nothing was transferred.
    public let alreadyPresent: Bool
    /// The version now in the live folder, when `ok`.
    public let version: DatasetVersion?
    /// One sentence: what happened, and on failure which mirrors were tried and why each was skipped.
    public let message: String
    /// Bytes downloaded for this dataset.
    public let bytesDownloaded: Int64
}

/// One file's line in a ``VerifySummary``.
public struct FileCheck: Sendable {
    /// The file name, e.g. `t10k-labels-idx1-ubyte.gz`.
    public let name: String
    public let path: String
    /// Whether the file is what the dataset expects (byte-identical, or the same data recompressed).
    public let ok: Bool
    /// "ok", or what is wrong.
    public let message: String
    /// What the bytes really are when recognised, e.g. "MNIST's t10k-labels".
    public let identifiedAs: String?
}

/// The outcome of ``Workspace/verify(_:)``: a re-hash of every byte of a dataset's live folder.
public struct VerifySummary: Sendable {
    public let dataset: DatasetName
    public let ok: Bool
    /// One sentence, e.g. "Fashion-MNIST 2017-08-31 (…): verified".
    public let verdict: String
    /// The version the four files make up, when all four are valid.
    public let version: DatasetVersion?
    public let files: [FileCheck]
}

/// The outcome of ``Workspace/switchTo(_:)``.
public struct SwitchSummary: Sendable {
    public let dataset: DatasetName
    public let version: DatasetVersion
    /// What the labels now mean, in label order.
    public let classes: [String]
    /// The dataset `data/current` pointed at before, if any.
    public let previous: DatasetName?
}

/// One dataset's line in a ``WorkspaceSummary``.
public struct DatasetState: Sendable {
    public let dataset: DatasetName
    public let title: String
    /// Whether the live folder holds all four files of its recorded version.
    public let present: Bool
    public let version: DatasetVersion?
    /// Whether `data/current` points at it.
    public let active: Bool
    /// The live folder.
    public let path: String
}

/// The outcome of ``Workspace/status()``.
public struct WorkspaceSummary: Sendable {
    public let datasets: [DatasetState]
    /// The dataset `data/current` points at, if any.
    public var active: DatasetName? { datasets.first { $0.active }?.dataset }
}

extension Workspace {
    /// Downloads `dataset` from its manifest's mirrors (or `mirrors`, base URLs ending in `/`),
    /// verifying every byte, then places it atomically and records it. Data already present and
    /// verified is not downloaded again. Mirror failures are reported in the result, not thrown.
    ///
    /// ```swift
    /// let result = try workspace.fetch(.fashion)
    /// guard result.ok else { fatalError(result.message) }
    /// ```
    public func fetch(_ dataset: DatasetName, mirrors: [String] = [], offline: Bool = false) throws(DatasetError)
        -> FetchSummary
    {
        try fetch(dataset, mirrors: mirrors, offline: offline, cancellation: nil)
    }

    /// ``fetch(_:mirrors:offline:)``, stopped (transfers within about a second, partial bytes
    /// kept for the next call) once `cancellation` is cancelled.
    func fetch(_ dataset: DatasetName, mirrors: [String], offline: Bool, cancellation: Cancellation?) throws(DatasetError)
        -> FetchSummary
    {
        let manifest = try manifest(dataset)
        var options = FetchOptions()
        options.selection = manifest.name
        options.mirrors = mirrors
        options.offline = offline
        options.cancellation = cancellation
        let report: FetchReport
        do {
            report = try FetchService(layout: layout, registry: registry, options: options).run()
        } catch {
            throw DatasetError(operation: "fetch \(manifest.name)", error)
        }
        guard let one = report.datasets.first(where: { $0.dataset == manifest.name }) else {
            throw .operationFailed(operation: "fetch \(manifest.name)", message: "the fetch reported nothing", hint: nil)
        }
        let version = one.versionID.map {
            DatasetVersion(full: $0, short: one.versionShortID ?? String($0.prefix(12)), name: one.versionName ?? "unknown")
        }
        let ok = one.status == .present || one.status == .fetched
        return FetchSummary(
            dataset: DatasetName(manifest.name), ok: ok, alreadyPresent: one.status == .present, version: ok ? version : nil,
            message: one.message + (one.remedy.map { "; " + $0.advice } ?? ""),
            bytesDownloaded: one.files.reduce(0) { $0 + $1.bytesDownloaded })
    }

    /// ``fetch(_:mirrors:offline:)`` off the calling task's thread. Cancelling the task stops the
    /// fetch within about a second: transfers end, verified partial bytes are kept for the next
    /// call, nothing half-written is placed, and the summary says it was interrupted (`ok` false).
    ///
    /// ```swift
    /// let result = try await workspace.fetch(.mnist)
    /// ```
    public func fetch(_ dataset: DatasetName, mirrors: [String] = [], offline: Bool = false) async throws(DatasetError)
        -> FetchSummary
    {
        let cancellation = Cancellation()
        let outcome: Result<FetchSummary, DatasetError> = await withTaskCancellationHandler {
            do throws(DatasetError) {
                return .success(try await offload { () throws(DatasetError) in
                    try self.fetch(dataset, mirrors: mirrors, offline: offline, cancellation: cancellation)
                })
            } catch {
                return .failure(error)
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try outcome.get()
    }

    /// Imports `folder` into the workspace as `dataset`, verifying it (what `fmnist import PATH
    /// --as DATASET` does): a folder of the four `.gz` files, a torchvision root, a keras cache, a
    /// TFDS manual dir or a Kaggle-format CSV export. Throws when it is not a known version,
    /// unless `acceptUnknown` (valid data no manifest knows is then recorded as an unknown version).
    ///
    /// ```swift
    /// let version = try workspace.importFolder(URL(fileURLWithPath: "/media/usb/fashion"), as: .fashion)
    /// let own = try workspace.importFolder(URL(fileURLWithPath: "relabelled"), as: .fashion, acceptUnknown: true)
    /// ```
    @discardableResult
    public func importFolder(_ folder: URL, as dataset: DatasetName, acceptUnknown: Bool = false) throws(DatasetError) -> DatasetVersion {
        let manifest = try manifest(dataset)
        do {
            let result = try DatasetImporter(layout: layout, registry: registry)
                .importDirectory(folder, as: manifest.name, acceptUnknown: acceptUnknown)
            return DatasetVersion(result.version)
        } catch {
            throw DatasetError(operation: "import \(folder.path)", error)
        }
    }

    /// Re-hashes every byte of `dataset`'s live folder against the manifests and records the
    /// result in the catalog. Problems are in the result; only an unusable workspace throws.
    ///
    /// ```swift
    /// let check = try workspace.verify(.fashion)
    /// for file in check.files where !file.ok { print(file.name, file.message) }
    /// ```
    public func verify(_ dataset: DatasetName) throws(DatasetError) -> VerifySummary {
        let manifest = try manifest(dataset)
        let outcome: VerifyService.Outcome
        do {
            outcome = try VerifyService(layout: layout, registry: registry).run(target: manifest.name)
        } catch {
            throw DatasetError(operation: "verify \(manifest.name)", error)
        }
        guard case .datasets(let result) = outcome, let report = result.datasets.first else {
            throw .operationFailed(operation: "verify \(manifest.name)", message: "the verify reported nothing", hint: nil)
        }
        let version = report.versionID.map {
            DatasetVersion(full: $0, short: report.versionShortID ?? String($0.prefix(12)), name: report.versionName ?? "unknown")
        }
        return VerifySummary(
            dataset: DatasetName(manifest.name), ok: report.isValid, verdict: report.verdict, version: version,
            files: report.files.map {
                FileCheck(name: $0.name, path: $0.path, ok: $0.status.isValid, message: $0.message, identifiedAs: $0.identifiedAs)
            })
    }

    /// ``verify(_:)`` off the calling task's thread.
    ///
    /// ```swift
    /// let check = try await workspace.verify(.mnist)
    /// ```
    public func verify(_ dataset: DatasetName) async throws(DatasetError) -> VerifySummary {
        try await offload { () throws(DatasetError) in try self.verify(dataset) }
    }

    /// Points `data/current` (and every registered link) at `dataset`, atomically, and only to
    /// a verified version; never downloads.
    ///
    /// ```swift
    /// let switched = try workspace.switchTo(.mnist)
    /// print(switched.classes)   // ["0", "1", …]
    /// ```
    @discardableResult
    public func switchTo(_ dataset: DatasetName) throws(DatasetError) -> SwitchSummary {
        let manifest = try manifest(dataset)
        do {
            let result = try DatasetSwitcher(layout: layout, registry: registry).switchTo(SwitchTarget(dataset: manifest.name))
            return SwitchSummary(
                dataset: DatasetName(result.dataset), version: DatasetVersion(result.version),
                classes: result.classes.map(\.name), previous: result.previousDataset.map { DatasetName($0) })
        } catch {
            throw DatasetError(operation: "switch \(manifest.name)", error)
        }
    }

    /// What is here: per dataset whether it is present, which version, and which is active.
    ///
    /// ```swift
    /// for state in try workspace.status().datasets { print(state.title, state.present) }
    /// ```
    public func status() throws(DatasetError) -> WorkspaceSummary {
        do {
            let status = try WorkspaceInspector(layout: layout, registry: registry).status()
            return WorkspaceSummary(datasets: status.datasets.map {
                DatasetState(
                    dataset: DatasetName($0.dataset), title: $0.title, present: $0.present,
                    version: $0.version.map(DatasetVersion.init), active: $0.active, path: $0.path)
            })
        } catch {
            throw DatasetError(operation: "status", error)
        }
    }
}

extension DatasetVersion {
    init(_ summary: VersionSummary) {
        self.init(full: summary.id, short: summary.shortID, name: summary.known ? summary.name : "unknown")
    }
}
