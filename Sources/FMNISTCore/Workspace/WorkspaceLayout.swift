import Foundation

/// Where everything lives inside a workspace root (default `./data`).
///
/// ```
/// data/
///   fashion/  mnist/            live folders: the active version of each dataset
///   current -> fashion          the drop-in link that `fmnist switch` flips
///   .fmnist/catalog.sqlite3     the catalog (WAL)
///   .fmnist/store/sha256/<hex>  every version's files, by container SHA-256, read-only
///   .fmnist/partial/<dataset>/  partial downloads, resumed with HTTP Range
///   .fmnist/tmp/                temporary files, same file system as the live folders
///   .fmnist/lock                advisory lock; holds the pid and command of the holder
///   .fmnist/config.json         optional workspace configuration (mirrors)
/// ```
public struct WorkspaceLayout: Sendable, Equatable {
    /// The workspace root (absolute, standardized).
    public let root: URL

    /// Resolves the root from an explicit `--root`, then `FMNIST_ROOT`, then `./data`.
    public static func resolve(root explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> WorkspaceLayout
    {
        let path = explicit ?? environment["FMNIST_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        return WorkspaceLayout(root: URL(fileURLWithPath: path))
    }

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// The private area, `.fmnist/`.
    public var privateDirectory: URL { root.appendingPathComponent(".fmnist", isDirectory: true) }
    public var catalogFile: URL { privateDirectory.appendingPathComponent("catalog.sqlite3") }
    public var storeDirectory: URL { privateDirectory.appendingPathComponent("store/sha256", isDirectory: true) }
    public var partialDirectory: URL { privateDirectory.appendingPathComponent("partial", isDirectory: true) }
    public var temporaryDirectory: URL { privateDirectory.appendingPathComponent("tmp", isDirectory: true) }
    public var lockFile: URL { privateDirectory.appendingPathComponent("lock") }
    public var configFile: URL { privateDirectory.appendingPathComponent("config.json") }
    /// The default drop-in link, `data/current`.
    public var currentLink: URL { root.appendingPathComponent("current") }

    /// The live folder of a dataset, e.g. `data/fashion`.
    public func liveDirectory(dataset: String) -> URL {
        root.appendingPathComponent(dataset, isDirectory: true)
    }

    /// The store path of a file with the given container SHA-256.
    public func storedFile(containerSHA256 hex: String) -> URL {
        storeDirectory.appendingPathComponent(hex)
    }

    /// The partial-download path of a file of a dataset.
    public func partialFile(dataset: String, name: String) -> URL {
        partialDirectory.appendingPathComponent(dataset, isDirectory: true).appendingPathComponent(name + ".part")
    }

    /// Creates the private directories if needed.
    public func createPrivateDirectories() throws {
        for directory in [privateDirectory, storeDirectory, partialDirectory, temporaryDirectory] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }
}
