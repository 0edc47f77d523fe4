/// A manifest (or manifest directory) that cannot be used. Names the file and the field.
public struct ManifestError: FMNISTError, Equatable {
    /// The file the problem is in (path, or `builtin:NAME` for manifests compiled into fmnist).
    public let file: String
    /// A JSON path to the offending field, e.g. `versions[0].files[2].container.md5`; empty for the whole file.
    public let field: String
    /// What is wrong with it.
    public let problem: String

    public var exitStatus: ExitStatus { .usage }
    public var remedy: Remedy? { .fixManifest }
    public var description: String {
        field.isEmpty ? "manifest \(file): \(problem)" : "manifest \(file): field \(field): \(problem)"
    }
}
