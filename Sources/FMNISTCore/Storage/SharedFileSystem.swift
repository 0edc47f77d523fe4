import CFileSystem
import Foundation

/// Whether a workspace lives on a file system that other machines may write at the same time
/// (NFS, SMB/CIFS, CephFS, Lustre, GPFS, a FUSE mount such as sshfs, …), judged by `statfs(2)`.
///
/// There `flock(2)` and SQLite's WAL do not hold across hosts, so the workspace lock becomes a
/// lease file (``WorkspaceLease``), partial downloads get per-process names, placed files are
/// re-read before they count as verified, and the catalog uses a rollback journal.
///
/// `FMNIST_SHARED_FS=1` forces the shared-file-system rules (for a file system this list misses);
/// `FMNIST_SHARED_FS=0` forces the local-disk rules.
///
/// ```swift
/// let kind = SharedFileSystem.detect(path: layout.root.path)
/// if kind.isShared { print("\(layout.root.path) is on \(kind.name): taking a lease lock") }
/// ```
public struct SharedFileSystem: Sendable, Equatable {
    /// The environment variable that overrides detection: `1` shared, `0` local.
    public static let overrideVariable = "FMNIST_SHARED_FS"

    /// A short name of the file system ("nfs", "fuse", "ext4", …; "unknown" when statfs failed).
    public let name: String
    /// Whether the shared-file-system rules apply.
    public let isShared: Bool
    /// Whether `FMNIST_SHARED_FS` decided it.
    public let isOverridden: Bool

    public init(name: String, isShared: Bool, isOverridden: Bool = false) {
        self.name = name
        self.isShared = isShared
        self.isOverridden = isOverridden
    }

    /// File systems (Linux `statfs` `f_type` magic numbers) that several hosts may mount at once.
    static let sharedMagics: [UInt64: String] = [
        0x6969: "nfs",
        0x517B: "smb",
        0xFF53_4D42: "cifs",
        0xFE53_4D42: "smb2",
        0x00C3_6400: "ceph",
        0x0BD0_0BD0: "lustre",
        0x4750_4653: "gpfs",
        0x6573_5546: "fuse",
        0x0102_1997: "9p",
        0x5346_414F: "afs",
        0x6B41_4653: "afs",
        0x7375_7245: "coda",
        0x564C: "ncp",
        0x7461_636F: "ocfs2",
        0x0116_1970: "gfs2",
        0x1983_0326: "beegfs",
        0xAAD7_AAEA: "panfs",
        0x2003_0528: "orangefs",
        0x786F_4256: "vboxsf",
    ]

    /// Common local file systems, named for messages.
    static let localMagics: [UInt64: String] = [
        0xEF53: "ext4", 0x5846_5342: "xfs", 0x9123_683E: "btrfs", 0x0102_1994: "tmpfs",
        0x794C_7630: "overlay", 0x2FC1_2FC1: "zfs", 0xF2F5_2010: "f2fs", 0x4D44: "vfat",
    ]

    /// Classifies a Linux `f_type` magic number.
    ///
    /// ```swift
    /// SharedFileSystem.classify(magic: 0x6969).isShared   // true (NFS)
    /// SharedFileSystem.classify(magic: 0xEF53).isShared   // false (ext4)
    /// ```
    public static func classify(magic: UInt64) -> SharedFileSystem {
        if let name = sharedMagics[magic] { return SharedFileSystem(name: name, isShared: true) }
        return SharedFileSystem(name: localMagics[magic] ?? String(format: "0x%llx", magic), isShared: false)
    }

    /// Classifies a file-system type name as macOS reports it (`f_fstypename`).
    public static func classify(typeName: String) -> SharedFileSystem {
        let shared = ["nfs", "smbfs", "afpfs", "webdav", "cifs", "macfuse", "osxfuse", "fusefs"]
        let lowered = typeName.lowercased()
        return SharedFileSystem(name: lowered, isShared: shared.contains(lowered) || lowered.hasPrefix("fuse"))
    }

    /// Reads `FMNIST_SHARED_FS`: true for 1/yes/true/on, false for 0/no/false/off, nil otherwise.
    public static func override(in environment: [String: String]) -> Bool? {
        switch environment[overrideVariable]?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "yes", "true", "on": return true
        case "0", "no", "false", "off": return false
        default: return nil
        }
    }

    /// The file system holding `path`, or (when `path` does not exist yet) its nearest existing
    /// ancestor, with `FMNIST_SHARED_FS` applied.
    public static func detect(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SharedFileSystem {
        let measured = measure(existingAncestor(of: path))
        if let forced = override(in: environment) {
            return SharedFileSystem(name: measured.name, isShared: forced, isOverridden: true)
        }
        return measured
    }

    static func existingAncestor(of path: String) -> String {
        var current = URL(fileURLWithPath: path).standardizedFileURL
        while current.path != "/" && access(current.path, F_OK) != 0 { current.deleteLastPathComponent() }
        return current.path
    }

    /// statfs(2) through the CFileSystem shim.
    static func measure(_ path: String) -> SharedFileSystem {
        #if os(Linux)
            var magic: UInt64 = 0
            guard fmnist_statfs_magic(path, &magic) == 0 else { return SharedFileSystem(name: "unknown", isShared: false) }
            return classify(magic: magic)
        #else
            var buffer = [CChar](repeating: 0, count: 64)
            guard fmnist_statfs_name(path, &buffer, UInt(buffer.count)) == 0 else {
                return SharedFileSystem(name: "unknown", isShared: false)
            }
            return classify(typeName: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        #endif
    }
}

extension WorkspaceLayout {
    /// The file system of the workspace's private area (see ``SharedFileSystem``).
    public var fileSystem: SharedFileSystem { SharedFileSystem.detect(path: privateDirectory.path) }
}
