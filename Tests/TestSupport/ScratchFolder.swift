import Foundation

/// A fresh temporary folder, removed (read-only store files and version folders included) when released.
///
/// ```swift
/// let scratch = try ScratchFolder("load")
/// let root = scratch.url.appendingPathComponent("data")
/// ```
public final class ScratchFolder {
    public let url: URL

    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { Self.remove(url) }

    /// Removes the tree at `url` the way `chmod -R u+w URL && rm -rf URL` would, so that it goes for a
    /// user who is not root too: fmnist makes version folders 0555, and only root may delete inside
    /// a folder without write permission. Symbolic links are never followed (neither for `chmod`,
    /// which would change the link's target, nor to walk into), so a link to data outside the tree
    /// (the shared real files, a user's folder) is left as it is. Returns whether the tree is gone.
    @discardableResult
    public static func remove(_ url: URL) -> Bool {
        makeWritable(url.path)
        try? FileManager.default.removeItem(at: url)
        var info = stat()
        return lstat(url.path, &info) != 0
    }

    /// Adds u+rwx to every folder at or under `path` (not through symbolic links).
    private static func makeWritable(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        if info.st_mode & 0o700 != 0o700 { chmod(path, (info.st_mode & 0o7777) | 0o700) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names { makeWritable(path + "/" + name) }
    }
}
