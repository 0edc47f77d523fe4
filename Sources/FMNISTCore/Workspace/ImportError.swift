/// Why `fmnist import` refused a folder. Nothing was changed in the workspace.
public struct ImportError: FMNISTError {
    /// What kind of refusal.
    public enum Reason: String, Sendable, Codable {
        /// Some of the four files are absent from the folder.
        case missing
        /// Some files are corrupt, or are another dataset's or another role's bytes.
        case integrity
        /// The files are valid but match no known version (pass `--accept-unknown`).
        case unknownContent = "unknown_content"
    }

    public let reason: Reason
    public let directory: String
    public let dataset: String
    /// One line per offending file: "train-images-idx3-ubyte.gz: this is MNIST's train-images, not …".
    public let problems: [String]

    public var exitStatus: ExitStatus {
        switch reason {
        case .missing: return .missing
        case .integrity: return .integrity
        case .unknownContent: return .unknownContent
        }
    }

    public var description: String {
        let head: String
        switch reason {
        case .missing: head = "\(directory) does not hold all four files of \(dataset)"
        case .integrity: head = "refusing to import \(directory) as \(dataset): it fails verification"
        case .unknownContent: head = "refusing to import \(directory) as \(dataset): it matches no known version"
        }
        return ([head] + problems.map { "  \($0)" }).joined(separator: "\n")
    }

    public var hint: String? {
        switch reason {
        case .missing: return "the folder needs train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz"
        case .integrity: return "check that the folder holds \(dataset) (see: fmnist verify \(directory)), or choose --as for the dataset it really is"
        case .unknownContent: return "if you trust these files, pass --accept-unknown: they are then recorded and listed as unknown"
        }
    }
}
