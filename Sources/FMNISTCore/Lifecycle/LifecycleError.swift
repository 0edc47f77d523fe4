/// Why `remove` or `gc` refused.
public enum LifecycleError: FMNISTError {
    /// The version is the dataset's live one; `--force` removes it anyway.
    case liveVersion(dataset: String, label: String)
    /// `remove` needs DATASET@VERSION.
    case versionRequired(spec: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .liveVersion, .versionRequired: return .usage
        }
    }

    public var description: String {
        switch self {
        case .liveVersion(let dataset, let label):
            return "\(dataset) \(label) is the live version of \(dataset) (data/\(dataset) shows it); nothing removed"
        case .versionRequired(let spec):
            return "\"\(spec)\" names no version: remove takes DATASET@VERSION"
        }
    }

    public var hint: String? {
        switch self {
        case .liveVersion(let dataset, _):
            return "switch to another version first (fmnist versions \(dataset); fmnist switch \(dataset)@ID), or pass --force to leave \(dataset) without a live version"
        case .versionRequired(let spec):
            return "e.g. fmnist remove \(spec)@<id-prefix> (see: fmnist versions \(spec))"
        }
    }
}
