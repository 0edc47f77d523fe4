/// Why `remove` or `gc` refused.
public enum LifecycleError: FMNISTError {
    /// The version is the dataset's live one; `--force` removes it anyway.
    case liveVersion(dataset: String, label: String)
    /// `remove` needs DATASET@VERSION.
    case versionRequired(spec: String)
    /// Something that is not fmnist's own sits where a version directory or store file should be.
    case notOwned(path: String, kind: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .liveVersion, .versionRequired: return .usage
        case .notOwned: return .workspace
        }
    }

    public var description: String {
        switch self {
        case .liveVersion(let dataset, let label):
            return "\(dataset) \(label) is the live version of \(dataset) (data/\(dataset) shows it); nothing removed"
        case .versionRequired(let spec):
            return "\"\(spec)\" names no version: remove takes DATASET@VERSION"
        case .notOwned(let path, let kind):
            return "\(path) is a \(kind) fmnist did not make; left alone"
        }
    }

    public var hint: String? {
        switch self {
        case .liveVersion(let dataset, _):
            return "switch to another version first (fmnist versions \(dataset); fmnist switch \(dataset)@ID), or pass --force to leave \(dataset) without a live version"
        case .versionRequired(let spec):
            return "e.g. fmnist remove \(spec)@<id-prefix> (see: fmnist versions \(spec))"
        case .notOwned:
            return "move it out of the workspace's private area by hand"
        }
    }
}
