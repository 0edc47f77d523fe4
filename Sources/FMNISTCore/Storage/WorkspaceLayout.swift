import Foundation

/// Where everything lives inside a workspace root (default `./data`).
///
/// ```
/// data/
///   fashion -> .fmnist/versions/fashion/<id>   live folders: symlinks (ours) to the active
///   mnist   -> .fmnist/versions/mnist/<id>     version's directory, flipped as one unit
///   current -> fashion          the drop-in link that `fmnist switch` flips
///   .fmnist/catalog.sqlite3     the catalog (WAL; a rollback journal on a shared file system)
///   .fmnist/store/sha256/<hex>  every version's files, by container SHA-256, read-only
///   .fmnist/versions/<dataset>/<version-id>/   one read-only directory per version: copies of
///                               its four stored files (a write through a live path never
///                               reaches the store, which restores it)
///   .fmnist/partial/<dataset>/  partial downloads, resumed with HTTP Range
///   .fmnist/tmp/                temporary files, same file system as the live folders
///   .fmnist/lock                advisory lock; holds the pid and command of the holder
///   .fmnist/lease               the lock on a shared file system (WorkspaceLease): host, pid, command
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
    /// The per-version directories, `.fmnist/versions/`.
    public var versionsDirectory: URL { privateDirectory.appendingPathComponent("versions", isDirectory: true) }
    public var configFile: URL { privateDirectory.appendingPathComponent("config.json") }
    /// The default drop-in link, `data/current`.
    public var currentLink: URL { root.appendingPathComponent("current") }

    /// The live folder of a dataset, e.g. `data/fashion`.
    public func liveDirectory(dataset: String) -> URL {
        root.appendingPathComponent(dataset, isDirectory: true)
    }

    /// The directory holding one version's four files, `.fmnist/versions/<dataset>/<version-id>`.
    public func versionDirectory(dataset: String, versionID: String) -> URL {
        versionsDirectory.appendingPathComponent(dataset, isDirectory: true).appendingPathComponent(versionID, isDirectory: true)
    }

    /// The per-version folders of uncompressed payloads, `.fmnist/payload/` (torchvision links).
    public var payloadsDirectory: URL { privateDirectory.appendingPathComponent("payload", isDirectory: true) }

    /// One version's four uncompressed payloads, `.fmnist/payload/<dataset>/<version-id>`.
    public func payloadDirectory(dataset: String, versionID: String) -> URL {
        payloadsDirectory.appendingPathComponent(dataset, isDirectory: true).appendingPathComponent(versionID, isDirectory: true)
    }

    /// The key under which the catalog records what was proven of the file at `url`: its path
    /// relative to the root (so that moving the workspace keeps it), e.g.
    /// `.fmnist/payload/fashion/<id>/train-images-idx3-ubyte`.
    package func catalogKey(_ url: URL) -> String {
        let rootPath = root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(rootPath + "/") ? String(path.dropFirst(rootPath.count + 1)) : path
    }

    /// The text of the live symlink `data/<dataset>` when it shows `versionID`: relative, so that
    /// moving the workspace keeps it working.
    public static func liveLinkText(dataset: String, versionID: String) -> String {
        ".fmnist/versions/\(dataset)/\(versionID)"
    }

    /// The version id a live symlink text names, when the text is one fmnist writes for `dataset`.
    public static func versionID(inLiveLinkText text: String, dataset: String) -> String? {
        let prefix = ".fmnist/versions/\(dataset)/"
        guard text.hasPrefix(prefix) else { return nil }
        let id = String(text.dropFirst(prefix.count))
        guard id.count == 64, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return id
    }

    /// How the catalog registers the link at the absolute `path`: relative to the root when the two
    /// share a folder below `/` (`../MNIST_data` for `/proj/MNIST_data` beside `/proj/data`), so the
    /// registration survives moving that folder; absolute otherwise.
    public func linkRegistration(for path: String) -> String {
        let absolute = FilePaths.canonical(path)
        let from = URL(fileURLWithPath: FilePaths.lexicallyNormalized(root.path)).pathComponents
        let to = URL(fileURLWithPath: absolute).pathComponents
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        guard common > 1 else { return absolute }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }

    /// The absolute path of a link registration (see ``linkRegistration(for:)``).
    public func resolveLinkRegistration(_ registration: String) -> String {
        // Lexically: resolving symlinks here would follow the link itself.
        registration.hasPrefix("/") ? registration : FilePaths.lexicallyNormalized(root.path + "/" + registration)
    }

    /// The store path of a file with the given container SHA-256.
    public func storedFile(containerSHA256 hex: String) -> URL {
        storeDirectory.appendingPathComponent(hex)
    }

    /// The partial-download path of a file of a dataset.
    public func partialFile(dataset: String, name: String) -> URL {
        partialDirectory.appendingPathComponent(dataset, isDirectory: true).appendingPathComponent(name + ".part")
    }

    /// Creates the private directories if needed, refusing any that is a symlink fmnist did not
    /// make (``WorkspaceError/foreignSymlink(path:target:)``).
    public func createPrivateDirectories() throws {
        for directory in [privateDirectory, storeDirectory, partialDirectory, temporaryDirectory, versionsDirectory] {
            try WorkspaceBoundary(layout: self).ensureOwnedDirectory(directory)
        }
    }

    /// Whether `name` is a version id: 64 lowercase hex digits (a version folder's name).
    static func isVersionID(_ name: String) -> Bool {
        name.count == 64 && name.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
