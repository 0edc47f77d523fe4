import Foundation

/// What `fmnist verify` says about keras's `datasets/mnist.npz` inside a keras cache.
public struct NPZEntry: Sendable, Codable {
    public let path: String
    /// The dataset keras reads from this file (`mnist`).
    public let dataset: String
    /// Whether the file's content was identified here (false: only its presence is reported).
    public let checked: Bool
    /// e.g. "keras's mnist.npz (MNIST lecun-1998)", once identified.
    public let identifiedAs: String?
    public let versionName: String?
    public let message: String
    /// The verdict on the file, or nil when it was not checked (it then does not change the exit status).
    public let exitStatus: ExitStatus?

    public init(
        path: String, dataset: String, checked: Bool, identifiedAs: String? = nil, versionName: String? = nil, message: String,
        exitStatus: ExitStatus?
    ) {
        self.path = path
        self.dataset = dataset
        self.checked = checked
        self.identifiedAs = identifiedAs
        self.versionName = versionName
        self.message = message
        self.exitStatus = exitStatus
    }
}

/// The npz seam of `fmnist verify KERAS_HOME`: the one call that judges keras's `mnist.npz`.
///
/// NPZ SEAM: the npz reader (`fmnist verify FILE.npz`) is built on another branch; wire it here
/// by replacing the body after the regular-file check with its identification (container SHA-256
/// against the manifest's pinned artifact, arrays against the IDX payloads) and returning
/// `checked: true` with its exit status. Until then this reports presence only, never a verdict
/// on the content.
package enum KerasNPZCheck {
    package static func check(_ url: URL, dataset: String, registry: ManifestRegistry) -> NPZEntry {
        if let problem = RegularFile.problem(at: url.path) {
            return NPZEntry(path: url.path, dataset: dataset, checked: true, message: problem, exitStatus: .integrity)
        }
        return NPZEntry(
            path: url.path, dataset: dataset, checked: false,
            message: "present; its content is not identified here: run `fmnist verify \(url.path)` (npz identification)",
            exitStatus: nil)
    }
}
