import Foundation

/// What `lstat(2)` says of a file at the moment its content was proven: device, inode, size, and
/// modification and change times to the nanosecond. Any write to the file (through any path, a
/// hard link included), a chmod, or replacing it changes at least one of them, so an unchanged
/// fingerprint lets a fast check trust a file without re-hashing it; a changed one forces a re-hash.
///
/// ```swift
/// let before = FileFingerprint(path: url.path)
/// // … later …
/// if FileFingerprint(path: url.path) != before { /* re-hash before trusting */ }
/// ```
package struct FileFingerprint: Sendable, Hashable, Codable {
    package let device: UInt64
    package let inode: UInt64
    package let size: Int64
    package let modifiedNanoseconds: Int64
    package let changedNanoseconds: Int64

    package init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
    }

    /// The fingerprint of the regular file at `path` (not following a final symlink), or nil when
    /// it is missing or not a regular file.
    package init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// The fingerprint of the open regular file `descriptor`, or nil when it is not one.
    package init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }

    private init?(_ info: stat) {
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }
}
