import Foundation

/// Where the common loaders keep their caches on this machine, from the environment.
///
/// - keras: `$KERAS_HOME/datasets`, else `~/.keras/datasets`;
/// - TFDS: `$TFDS_DATA_DIR/downloads`, else `~/tensorflow_datasets/downloads` (holds `manual/`);
/// - swift-models: `~/.cache/swift-models/datasets`;
/// - torchvision: a root at `./data` (and any PATH given).
public enum DoctorLocations {
    /// The default folders, whether or not they exist.
    public static func defaults(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> [URL] {
        func setting(_ key: String) -> URL? { environment[key].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } }
        let home = setting("HOME") ?? FileManager.default.homeDirectoryForCurrentUser
        return [
            (setting("KERAS_HOME") ?? home.appendingPathComponent(".keras")).appendingPathComponent("datasets"),
            (setting("TFDS_DATA_DIR") ?? home.appendingPathComponent("tensorflow_datasets")).appendingPathComponent("downloads"),
            home.appendingPathComponent(".cache/swift-models/datasets"),
            currentDirectory.appendingPathComponent("data"),
        ].map(\.standardizedFileURL)
    }
}
