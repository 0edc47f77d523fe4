import Foundation

/// Why an export could not be written. Each case says what happened and what to do next.
public enum ExportError: FMNISTError, Equatable {
    /// The layout name is not one fmnist writes; `known`: the names it does.
    case unknownLayout(String, known: [ExportLayout])
    /// An entry inside (or at) DEST is a symlink fmnist did not make; nothing is written through it.
    case foreignSymlink(path: String)
    /// An entry inside DEST is in the way (e.g. a file where a folder must be, a FIFO, a device).
    case obstructed(path: String, found: String)
    /// The file exists and `--force` was not given.
    /// `holding`: what is there, when fmnist can tell (e.g. "fmnist's png export of …").
    case exists(path: String, holding: String? = nil)
    /// A source file no longer matches the catalog's record of the live version.
    case sourceMismatch(path: String, problem: String)
    /// The dataset has no live version in the catalog (not fetched or imported).
    case notPresent(dataset: String)
    /// Nothing to export (no dataset present at all).
    case nothingPresent
    /// MNIST's keras cache needs the original mnist.npz (fmnist never makes one), and the live version has none stored.
    case kerasNeedsOriginalMNIST(dataset: String)
    /// A system call on DEST failed.
    case io(path: String, operation: String, errno: Int32)

    public var exitStatus: ExitStatus {
        switch self {
        case .unknownLayout: return .usage
        case .foreignSymlink, .obstructed, .exists, .io: return .workspace
        case .sourceMismatch: return .integrity
        case .notPresent, .nothingPresent, .kerasNeedsOriginalMNIST: return .missing
        }
    }

    public var description: String {
        switch self {
        case .unknownLayout(let name, let known):
            return "unknown export layout \"\(name)\" (known: \(known.map(\.rawValue).joined(separator: ", ")))"
        case .foreignSymlink(let path):
            return "\(path) is a symlink that fmnist did not make; refusing to write, rename or delete through it"
        case .obstructed(let path, let found):
            return "\(path) is in the way: found \(found)"
        case .exists(let path, let holding):
            return "\(path) already exists and differs from what export would write" + (holding.map { " (it holds \($0))" } ?? "")
        case .sourceMismatch(let path, let problem):
            return "\(path): \(problem); nothing was exported from it"
        case .notPresent(let dataset):
            return "\(dataset) has no verified version in this workspace"
        case .nothingPresent:
            return "no dataset is present in this workspace"
        case .kerasNeedsOriginalMNIST(let dataset):
            return "keras's \(dataset).load_data() needs the original mnist.npz (SHA-256 731c5ac6…, 11,490,434 bytes), "
                + "and this workspace holds none for the live \(dataset) version; a self-made mnist.npz fails keras's pin (keras deletes it), so fmnist never writes one"
        case .io(let path, let operation, let code):
            return "\(path): \(operation) failed (\(String(cString: strerror(code))))"
        }
    }

    public var hint: String? {
        switch self {
        case .unknownLayout: return "run `fmnist export --help` for the layouts"
        case .foreignSymlink: return "remove or replace the symlink yourself, or export into another DEST"
        case .obstructed: return "move it away, or export into another DEST"
        case .exists: return "pass --force to replace it, or export into another DEST"
        case .sourceMismatch: return "run `fmnist verify` to see what changed, then `fmnist fetch` to repair it"
        case .notPresent(let dataset): return "run `fmnist fetch \(dataset)` (or `fmnist import DIR --as \(dataset)`) first"
        case .nothingPresent: return "run `fmnist fetch all` (or `fmnist import DIR --as fashion`) first"
        case .kerasNeedsOriginalMNIST(let dataset):
            return "run `fmnist fetch \(dataset) --artifact keras` first (it fetches keras's published file, verified and cross-checked), "
                + "then export again; or use `fmnist export npz` / `torchvision` for \(dataset)"
        case .io: return "check DEST's permissions and free space"
        }
    }
}
