import Foundation

/// Path questions doctor asks without following links: which symlink a path goes through, and
/// one spelling of a link's own path (to recognise fmnist's registered links however reached).
public enum DoctorPaths {
    /// The first component of the absolute `path` (from `/` down, `path` itself included) that is
    /// a symbolic link, or nil when every component is a real folder or file (lstat, nothing followed).
    public static func firstSymlink(in path: String) -> String? {
        var prefix = ""
        for component in URL(fileURLWithPath: path).standardizedFileURL.pathComponents.dropFirst() {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT == S_IFLNK { return prefix }
        }
        return nil
    }

    /// What the symlink at `link` holds, as written (for messages), or "?".
    public static func linkText(_ link: String) -> String {
        WorkspaceBoundary.linkText(link) ?? "?"
    }

    /// `path` with its folder resolved and its last component kept: the same string for a link
    /// however the folders above it are spelled or linked, and the link itself left unresolved.
    public static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return FilePaths.real(url.deletingLastPathComponent().path) + "/" + url.lastPathComponent
    }
}
