public import Foundation
internal import FMNISTCore

/// A workspace on disk (what `fmnist --root` names, default `./data`) and the manifests in
/// effect: the front door for loading verified data and for fetch, verify, switch and status.
///
/// ```swift
/// import FMNIST
///
/// let workspace = try Workspace(root: "data")
/// let fashion = try workspace.load(.fashion)          // verified while it reads
/// print(fashion.train.count, fashion.test.count)      // 60000 10000
/// ```
public struct Workspace: Sendable {
    /// The workspace root.
    public let root: URL
    /// Folders of extra manifests (`*.json`) in effect besides the built-in ones.
    public let manifestDirectories: [URL]

    let layout: WorkspaceLayout
    let registry: ManifestRegistry

    /// Opens the workspace at `root` with the built-in manifests plus those in `manifests`
    /// (folders of `*.json`, which add datasets or replace built-ins by name). Nothing is read
    /// or created on disk until a method needs it.
    ///
    /// ```swift
    /// let workspace = try Workspace(root: URL(fileURLWithPath: "/data/mnist-work"))
    /// ```
    public init(root: URL, manifests: [URL] = []) throws(DatasetError) {
        self.root = root.standardizedFileURL
        manifestDirectories = manifests
        layout = WorkspaceLayout(root: root)
        do {
            registry = try ManifestRegistry.load(extraDirectories: manifests.map(\.path), environment: [:])
        } catch {
            throw DatasetError(operation: "manifests", error)
        }
    }

    /// Opens the workspace at the path `root` (relative paths start in the current directory).
    ///
    /// ```swift
    /// let workspace = try Workspace(root: "data", manifests: ["my-manifests"])
    /// ```
    public init(root: String = "data", manifests: [String] = []) throws(DatasetError) {
        try self.init(root: URL(fileURLWithPath: root), manifests: manifests.map { URL(fileURLWithPath: $0) })
    }

    /// Every dataset the manifests in effect describe, built-ins first.
    ///
    /// ```swift
    /// workspace.datasets   // [fashion, mnist]
    /// ```
    public var datasets: [DatasetName] { registry.manifests.map { DatasetName($0.name) } }

    /// The class names of `dataset` in label order, from its manifest (nothing is read from disk).
    ///
    /// ```swift
    /// try workspace.classes(of: .mnist)   // ["0", "1", …, "9"]
    /// ```
    public func classes(of dataset: DatasetName) throws(DatasetError) -> [String] {
        try manifest(dataset).classes
    }

    /// Loads both splits of the version of `dataset` the catalog records as live, reading its
    /// live folder and checking every file against the recorded payload digest while it reads.
    /// Never returns damaged data: a missing, corrupt or different file throws, naming the file
    /// and what it really is (e.g. "MNIST's t10k-labels").
    ///
    /// ```swift
    /// let mnist = try workspace.load(.mnist)
    /// let pixels = mnist.train.image(0)             // 784 bytes
    /// let label = mnist.classes[Int(mnist.train.labels[0])]
    /// ```
    public func load(_ dataset: DatasetName) throws(DatasetError) -> Dataset {
        try DatasetLoader(layout: layout, registry: registry, manifest: manifest(dataset)).load()
    }

    /// ``load(_:)`` off the calling task's thread (decompressing and hashing takes about a second).
    ///
    /// ```swift
    /// let fashion = try await workspace.load(.fashion)
    /// ```
    public func load(_ dataset: DatasetName) async throws(DatasetError) -> Dataset {
        try await offload { () throws(DatasetError) in try self.load(dataset) }
    }

    /// Loads both splits of any stored version of `dataset`, live or not. `version` is what
    /// follows `DATASET@` on fmnist's command line: a version's name (`"2017-08-31"`), a prefix of
    /// 4 or more hex digits of its id (`"915659908dce"`), or `"current"` for the live version
    /// (the same as ``load(_:)``, with its fast path). A version that is not live is read from
    /// its read-only copy in the workspace's store, every file proven against the catalog's record
    /// while it is decompressed: a tampered copy throws, naming the file.
    ///
    /// Throws ``DatasetError/unknownVersion(dataset:version:known:)`` (listing the stored
    /// versions) when no stored version answers to `version`, and
    /// ``DatasetError/ambiguousVersion(dataset:version:matches:)`` when several do.
    ///
    /// ```swift
    /// let superseded = try workspace.load(.fashion, version: "2017-08-26")   // the first labels
    /// let current = try workspace.load(.fashion, version: "current")
    /// let changed = zip(superseded.train.labels, current.train.labels).filter { $0 != $1 }.count
    /// ```
    public func load(_ dataset: DatasetName, version: String) throws(DatasetError) -> Dataset {
        let live = version.lowercased() == "live" || VersionSelection.namesLive(version)
        return try DatasetLoader(layout: layout, registry: registry, manifest: manifest(dataset), selector: live ? nil : version).load()
    }

    /// ``load(_:version:)`` off the calling task's thread.
    ///
    /// ```swift
    /// let first = try await workspace.load(.fashion, version: "2017-08-26")
    /// ```
    public func load(_ dataset: DatasetName, version: String) async throws(DatasetError) -> Dataset {
        try await offload { () throws(DatasetError) in try self.load(dataset, version: version) }
    }

    /// The manifest answering to `name` (its name or an alias).
    func manifest(_ name: DatasetName) throws(DatasetError) -> Manifest {
        guard let found = registry.manifests.first(where: { $0.answers(to: name.rawValue) }) else {
            throw .unknownDataset(name.rawValue, known: registry.manifests.map(\.name))
        }
        return found
    }
}

/// Runs blocking work (file and network I/O that takes seconds) on a thread of its own and resumes
/// the caller with its result. Not on Dispatch's shared pool: a program whose pool threads are all
/// blocked would delay the work's start — and the moment a cancelled fetch notices it — by as long.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws(DatasetError) -> T) async throws(DatasetError) -> T {
    let result: Result<T, DatasetError> = await withCheckedContinuation { continuation in
        let thread = Thread {
            do throws(DatasetError) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        thread.name = "FMNIST.offload"
        thread.stackSize = 8 << 20
        thread.start()
    }
    return try result.get()
}

extension DatasetError {
    /// Wraps an error of the library under the front door, keeping its words; what to do next is
    /// its ``Remedy`` said as a call of this API (``Remedy/advice``), never the command-line hint.
    init(operation: String, _ error: any Error) {
        if let error = error as? DatasetError {
            self = error
        } else if let error = error as? IDXLoader.LoadError {
            // Its problem alone: the command line's advice beside it is not this API's.
            self = .operationFailed(operation: operation, message: "\(error.path): \(error.problem)", hint: error.remedy?.advice)
        } else if let error = error as? any FMNISTError {
            self = .operationFailed(operation: operation, message: error.description, hint: error.remedy?.advice)
        } else {
            self = .operationFailed(operation: operation, message: "\(error)", hint: nil)
        }
    }
}
