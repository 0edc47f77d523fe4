import Foundation

/// Atomically points a drop-in link (`data/current`, or any `--link PATH`) at a dataset's live
/// folder: a new symlink is made under a temporary name beside the link, then renamed over it,
/// so a reader always sees either the old or the new target.
///
/// Links inside the workspace root get relative targets (`current -> fashion`); links outside get
/// absolute ones. A path that exists and is a real directory or file is refused, never replaced.
///
/// ```swift
/// let switcher = LinkSwitcher(layout: layout)
/// try switcher.flip(link: layout.currentLink, to: layout.liveDirectory(dataset: "fashion"))
/// ```
public struct LinkSwitcher: Sendable {
    public let layout: WorkspaceLayout

    public init(layout: WorkspaceLayout) {
        self.layout = layout
    }

    /// Points `link` at `target` atomically; returns the text written into the symlink.
    @discardableResult
    public func flip(link: URL, to target: URL) throws -> String {
        let linkPath = link.standardizedFileURL.path
        var info = stat()
        if lstat(linkPath, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK {
            throw WorkspaceError.notALink(path: linkPath, kind: (info.st_mode & S_IFMT) == S_IFDIR ? "directory" : "regular file")
        }
        let text = targetText(link: link, target: target)
        let parent = (linkPath as NSString).deletingLastPathComponent
        let name = (linkPath as NSString).lastPathComponent
        let temporary = (parent as NSString).appendingPathComponent(".\(name).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        if symlink(text, temporary) != 0 { throw WorkspaceError.posix("create symlink", temporary) }
        if rename(temporary, linkPath) != 0 {
            let error = WorkspaceError.posix("rename symlink over", linkPath)
            unlink(temporary)
            throw error
        }
        return text
    }

    /// The text a symlink at `link` should hold to reach `target`: relative when both lie inside
    /// the workspace root, absolute otherwise.
    public func targetText(link: URL, target: URL) -> String {
        let root = layout.root.standardizedFileURL.pathComponents
        let from = link.standardizedFileURL.deletingLastPathComponent().pathComponents
        let to = target.standardizedFileURL.pathComponents
        guard from.starts(with: root), to.starts(with: root) else { return target.standardizedFileURL.path }
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        let parts = ups + to[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Where `link` points, resolved to an absolute standardized path; nil when it is not a symlink.
    public func destination(of link: URL) -> URL? {
        let path = link.standardizedFileURL.path
        guard let text = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
        if text.hasPrefix("/") { return URL(fileURLWithPath: text).standardizedFileURL }
        return link.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(text).standardizedFileURL
    }

    /// The dataset whose live folder `link` points at, if any.
    public func dataset(of link: URL, among datasets: [String]) -> String? {
        guard let destination = destination(of: link) else { return nil }
        return datasets.first { layout.liveDirectory(dataset: $0).standardizedFileURL.path == destination.path }
    }
}
