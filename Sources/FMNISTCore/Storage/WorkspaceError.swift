import Foundation

/// Why a workspace operation (lock, store, live folders, links, switch) could not be done.
public enum WorkspaceError: FMNISTError, Equatable {
    /// Another fmnist process held the workspace lock for longer than the timeout.
    case lockTimeout(holder: LockHolder?, waited: TimeInterval)
    /// The lock file could not be created or locked.
    case lockFailed(path: String, detail: String)
    /// A file-system call failed.
    case fileSystem(operation: String, path: String, detail: String)
    /// A link path exists and is a real directory or file: fmnist will not replace user data.
    case notALink(path: String, kind: String)
    /// A folder a framework link needs (`PATH`, `PATH/MNIST`, `PATH/datasets`) is a file: fmnist will not replace it.
    case notAFolder(path: String)
    /// A store file is absent (or has the wrong size) although the catalog records it.
    case storeFileMissing(path: String, dataset: String)
    /// The dataset has no version in this workspace.
    case datasetMissing(dataset: String)
    /// No recorded version of the dataset matches the selector.
    case versionNotFound(dataset: String, selector: String, available: [String])
    /// Several recorded versions match the selector.
    case ambiguousVersion(dataset: String, selector: String, matches: [String])
    /// The version's last check failed, or it was never checked.
    case unverified(dataset: String, version: String, reason: String)
    /// A full re-hash found stored bytes that differ from what the catalog recorded.
    case corruptStore(dataset: String, version: String, problems: [String])
    /// A path fmnist would write, rename or delete through is a symlink it did not make.
    case foreignSymlink(path: String, target: String)
    /// A live folder is a real folder holding files fmnist did not place (or cannot vouch for).
    case foreignLiveFolder(path: String, dataset: String, entries: [String])
    /// An output path (export DEST, `--out`, `--file`, `--link`) that leads into the workspace's
    /// own folders (see ``WorkspaceBoundary/checkOutput(_:option:registry:followFinalSymlink:)``).
    /// `resolved` is where the path really leads, when that differs from how it reads.
    case outputInsideWorkspace(option: String, path: String, resolved: String?, what: String, root: String, reserved: [String])
    /// The folder an output would go in does not exist, or is a file (`isFile`).
    case outputFolderMissing(option: String, path: String, folder: String, isFile: Bool)
    /// `ROOT/.fmnist` exists but is not a folder (a regular file, a FIFO …): nothing of the workspace can be used.
    case privateAreaNotAFolder(path: String, kind: String)
    /// `--root` names a folder holding no workspace (no `.fmnist`, no live folder, no `current`).
    case noWorkspace(root: String, exists: Bool)

    public var exitStatus: ExitStatus {
        switch self {
        case .lockTimeout, .lockFailed, .fileSystem, .notALink, .notAFolder, .foreignSymlink, .foreignLiveFolder, .privateAreaNotAFolder:
            return .workspace
        case .outputInsideWorkspace, .outputFolderMissing: return .usage
        case .storeFileMissing, .datasetMissing, .versionNotFound, .unverified, .noWorkspace: return .missing
        case .ambiguousVersion: return .usage
        case .corruptStore: return .integrity
        }
    }

    public var description: String {
        switch self {
        case .lockTimeout(let holder, let waited):
            return "the workspace lock is still held by \(holder?.description ?? "another fmnist process") after waiting \(Int(waited)) s"
        case .lockFailed(let path, let detail):
            return "cannot lock the workspace (\(path)): \(detail)"
        case .fileSystem(let operation, let path, let detail):
            return "\(operation) \(path) failed: \(detail)"
        case .notALink(let path, let kind):
            return "\(path) exists and is a \(kind), not a symbolic link; fmnist will not replace it"
        case .notAFolder(let path):
            return "\(path) is a file where a framework link needs a folder; fmnist will not replace it"
        case .storeFileMissing(let path, let dataset):
            return "the stored file \(path) of \(dataset) is missing or has the wrong size"
        case .datasetMissing(let dataset):
            return "\(dataset) is not in this workspace"
        case .versionNotFound(let dataset, let selector, let available):
            return "no version \"\(selector)\" of \(dataset) in this workspace"
                + (available.isEmpty ? "" : " (have: \(available.joined(separator: ", ")))")
        case .ambiguousVersion(let dataset, let selector, let matches):
            return "\"\(selector)\" matches several versions of \(dataset): \(matches.joined(separator: ", "))"
        case .unverified(let dataset, let version, let reason):
            return "\(dataset) \(version) is not verified: \(reason)"
        case .corruptStore(let dataset, let version, let problems):
            return "\(dataset) \(version) failed the full re-hash: " + problems.joined(separator: "; ")
        case .foreignSymlink(let path, let target):
            return "\(path) is a symbolic link to \(target) that fmnist did not make; refusing to write, rename or delete through it"
        case .foreignLiveFolder(let path, let dataset, let entries):
            return "\(path) is a real folder holding files fmnist did not place for \(dataset): "
                + entries.prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", …" : "")
        case .outputInsideWorkspace(let option, let path, let resolved, let what, _, _):
            return "\(option) \(path) is \(what)" + (resolved.map { " (it leads to \($0))" } ?? "")
                + "; fmnist never writes inside the workspace's own folders, which hold verified versions only "
                + "(remove and gc delete anything else there): an output must be outside the workspace"
        case .outputFolderMissing(let option, let path, let folder, let isFile):
            return isFile
                ? "\(option) \(path): \(folder) is a file, not a folder"
                : "\(option) \(path): its folder \(folder) does not exist (fmnist does not create it)"
        case .privateAreaNotAFolder(let path, let kind):
            return "\(path) is a \(kind), not a folder: fmnist keeps the workspace's catalog, store and versions in that folder, "
                + "so this workspace cannot be used"
        case .noWorkspace(let root, let exists):
            return "no workspace at \(root)" + (exists ? " (the folder holds no .fmnist/, no dataset folder and no current link)" : " (the folder does not exist)")
        }
    }

    /// The command line's advice: the remedy's ``Remedy/commandLine``, or, for an output path in
    /// the wrong place (no remedy as data), what to choose instead.
    public var hint: String? {
        switch self {
        case .outputInsideWorkspace(let option, _, _, _, let root, let reserved):
            return "choose a \(option) outside \(root) (e.g. a folder beside it), or in a new folder inside it whose name is none of: "
                + reserved.joined(separator: ", ")
        case .outputFolderMissing(let option, _, let folder, let isFile):
            return isFile
                ? "choose a \(option) in a folder (\(folder) is a file: move it aside, or write elsewhere)"
                : "create it first (mkdir -p \(folder)), or choose a \(option) in an existing folder"
        default:
            return remedy?.commandLine
        }
    }

    public var remedy: Remedy? {
        switch self {
        case .lockTimeout: return .raiseLockTimeout
        case .lockFailed, .fileSystem: return .checkWorkspace
        case .notALink(let path, _), .notAFolder(let path): return .moveAside(path: path, place: .linkPlace)
        case .foreignSymlink(let path, _): return .moveAside(path: path, place: .foreignLink)
        case .privateAreaNotAFolder(let path, _): return .moveAside(path: path, place: .privateArea)
        case .foreignLiveFolder(let path, let dataset, _): return .moveAside(path: path, place: .liveFolder(dataset: dataset))
        case .storeFileMissing(_, let dataset), .datasetMissing(let dataset): return .fetch(dataset: dataset)
        case .corruptStore(let dataset, _, _): return .refetch(dataset: dataset)
        case .versionNotFound(let dataset, _, let available): return .chooseVersion(dataset: dataset, known: available)
        case .ambiguousVersion(let dataset, _, let matches): return .giveMoreDigits(dataset: dataset, matches: matches)
        case .unverified(let dataset, _, _): return .repair(dataset: dataset)
        case .outputInsideWorkspace, .outputFolderMissing: return nil
        case .noWorkspace: return .checkRoot
        }
    }

    /// A file-system error from the current `errno`.
    static func posix(_ operation: String, _ path: String, errno code: Int32 = errno) -> WorkspaceError {
        .fileSystem(operation: operation, path: path, detail: String(cString: strerror(code)))
    }
}
