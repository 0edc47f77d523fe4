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

/// The judgement of keras's `datasets/mnist.npz` inside a keras cache (`fmnist verify KERAS_HOME`):
/// it passes only when it is keras's published file (a manifest's pinned artifact, its arrays
/// cross-checked against the version's payloads), since keras refuses and deletes any other file
/// there, even one holding the right arrays (``NPZFileReport/identify(url:registry:)`` says which).
package enum KerasNPZCheck {
    package static func check(_ url: URL, dataset: String, registry: ManifestRegistry) -> NPZEntry {
        if let problem = RegularFile.problem(at: url.path) {
            return NPZEntry(path: url.path, dataset: dataset, checked: true, message: problem, exitStatus: .integrity)
        }
        let report = NPZFileReport.identify(url: url, registry: registry)
        guard let published = report.publishedArtifact, report.exitStatus == .success else {
            // A readable npz that is not the pinned file: its report already says so when the manifest pins one.
            let why = report.exitStatus == .success && !report.message.contains("published") ? "not keras's published file, so keras refuses and deletes it: " : ""
            return NPZEntry(
                path: url.path, dataset: dataset, checked: true, message: why + report.message,
                exitStatus: report.exitStatus == .success ? .integrity : report.exitStatus)
        }
        let title = registry.manifests.first { $0.name == published.dataset }?.title ?? published.dataset
        return NPZEntry(
            path: url.path, dataset: dataset, checked: true, identifiedAs: "\(published.loader)'s \(published.name) (\(title) \(published.version))",
            versionName: published.version, message: report.message, exitStatus: .success)
    }
}
