import Foundation

/// What `fmnist publish` did (`--json`: this object).
public struct PublishResult: Sendable, Codable, Equatable {
    /// DEST, absolute.
    public let destination: String
    /// The index's path (`DEST/fmnist-mirror.json`).
    public let index: String
    /// What happened to the index (written last; kept when its bytes would not change).
    public let indexAction: PublishAction
    /// The versions this run published.
    public let versions: [PublishedVersion]
    /// Versions the index keeps from earlier publishes (their files still present).
    public let alsoIndexed: Int
    public let written: Int
    public let replaced: Int
    public let kept: Int
    /// Bytes written into DEST (files and index).
    public let bytesWritten: Int64
    /// Repairs and clean-ups done on the way (a damaged workspace copy restored, a killed publish's temporaries removed).
    public let notes: [String]
    public let seconds: Double
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32
}

/// One version in a ``PublishResult``.
public struct PublishedVersion: Sendable, Codable, Equatable {
    public let dataset: String
    public let versionId: String
    /// The manifest's name, or "unknown".
    public let name: String
    public let known: Bool
    /// The version's folder relative to DEST (a complete mirror base for it).
    public let path: String
    public let files: [PublishedFile]

    /// e.g. "2017-08-31 (3f1a0c9be2d4)" or "UNKNOWN (3f1a0c9be2d4)".
    public var label: String { VersionIdentity(full: versionId).label(knownAs: known ? name : nil) }
}

/// One file in a ``PublishedVersion``.
public struct PublishedFile: Sendable, Codable, Equatable {
    public let name: String
    public let size: Int64
    public let sha256: String
    public let action: PublishAction
}

/// Why `fmnist publish` wrote nothing more. Each case says what happened and what to do next.
public enum PublishError: FMNISTError, Equatable {
    /// DEST, or an entry inside it that publish would write through or over, is a symlink (exit 7).
    case symlink(path: String)
    /// Something that is not what publish writes is where it writes (exit 7).
    case obstructed(path: String, found: String)
    /// A system call on DEST failed (exit 7).
    case io(path: String, operation: String, errno: Int32)
    /// A workspace copy stopped being the proven one while it was copied (exit 3).
    case sourceMismatch(path: String, problem: String)
    /// The workspace holds no version to publish (exit 4).
    case nothingPresent

    /// The same problem as the export code publish shares (``ExportDirectory``, ``ProvenFiles``)
    /// reports it, in publish's words; nil for the export-only cases, which publish never meets.
    init?(_ error: ExportError) {
        switch error {
        case .foreignSymlink(let path): self = .symlink(path: path)
        case .obstructed(let path, let found): self = .obstructed(path: path, found: found)
        case .exists(let path, _): self = .obstructed(path: path, found: "an entry that appeared while publishing")
        case .io(let path, let operation, let code): self = .io(path: path, operation: operation, errno: code)
        case .sourceMismatch(let path, let problem): self = .sourceMismatch(path: path, problem: problem)
        case .notPresent, .nothingPresent, .kerasNeedsOriginalMNIST, .unknownLayout: return nil
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .symlink, .obstructed, .io: return .workspace
        case .sourceMismatch: return .integrity
        case .nothingPresent: return .missing
        }
    }

    public var description: String {
        switch self {
        case .symlink(let path):
            return "\(path) is a symlink; publish never writes, renames or deletes through one, so nothing more was written"
        case .obstructed(let path, let found): return "\(path) is in the way: found \(found); nothing more was written"
        case .io(let path, let operation, let code): return "\(path): \(operation) failed (\(String(cString: strerror(code))))"
        case .sourceMismatch(let path, let problem): return "\(path): \(problem); it was not published"
        case .nothingPresent: return "this workspace holds no version to publish"
        }
    }

    public var hint: String? {
        switch self {
        case .symlink:
            return "publish into a real folder: replace the symlink with the folder it points to, or give another DEST"
        case .obstructed: return "move it away, or publish into another DEST"
        case .io: return "check DEST's permissions and free space, then run publish again (what is already there is kept)"
        case .sourceMismatch: return "run `fmnist verify` to see what changed, then `fmnist fetch` to repair it"
        case .nothingPresent: return "run `fmnist fetch all` (or `fmnist import DIR --as fashion`) first"
        }
    }
}
