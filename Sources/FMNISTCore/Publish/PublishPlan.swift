import Foundation

/// What `fmnist publish` does with one file of the tree.
public enum PublishAction: String, Sendable, Codable, Equatable {
    /// Absent: written (a temporary, synced, renamed into place).
    case write
    /// Already the right bytes (size and SHA-256): left as it is, not even its time changes.
    case keep
    /// A regular file with other bytes (an older index, a damaged or truncated copy): replaced atomically.
    case replace
}

/// What is at a name in the tree before publishing, found without following symlinks.
public enum FoundEntry: Sendable, Equatable {
    case absent
    /// A regular file of this size.
    case regular(size: Int64)
    case symlink
    case folder
    /// A FIFO, socket or device.
    case other
}

/// The plan of a publish, decided before anything is written: per version its folder, per file
/// what happens to it. Made from the versions to publish and what the tree holds, so that a symlink
/// or an obstruction anywhere fmnist would write is refused before the first byte is written.
///
/// ```swift
/// let plan = try PublishPlan(versions: [version]) { folder, file in
///     (.regular(size: 26421880), { "3aede38d…" })   // what DEST holds at folder + file.name
/// }
/// plan.steps.map(\.action)       // [.keep, …]
/// ```
public struct PublishPlan: Sendable, Equatable {
    /// One file of one version.
    public struct Step: Sendable, Equatable {
        public let version: MirrorIndexVersion
        public let file: ManifestFile
        public let action: PublishAction
        /// The file's path relative to the tree's root, e.g. `fashion/9156…/train-images-idx3-ubyte.gz`.
        public var path: String { version.path + file.name }
    }

    public let versions: [MirrorIndexVersion]
    public let steps: [Step]

    /// `probe(folder, file)` says what the tree holds at `folder + file.name` and gives a way to
    /// hash it (called only when its size is the pinned one). A symlink, folder or special file there
    /// throws (``PublishPlan/Refusal``); so does the probe itself (a symlink on the folder's way).
    public init(
        versions: [MirrorIndexVersion],
        probe: (_ folder: String, _ file: ManifestFile) throws -> (FoundEntry, () throws -> String)
    ) throws {
        var seen = Set<String>()
        self.versions = versions.filter { seen.insert($0.path).inserted }
        var steps: [Step] = []
        for version in self.versions {
            for file in version.files {
                let (found, digest) = try probe(version.path, file)
                steps.append(Step(version: version, file: file, action: try Self.action(for: file, found: found, at: version.path + file.name, digest: digest)))
            }
        }
        self.steps = steps
    }

    /// The one decision: absent → write; the pinned size and SHA-256 → keep; another regular file →
    /// replace; a symlink, folder or special file → refused.
    public static func action(for file: ManifestFile, found: FoundEntry, at path: String, digest: () throws -> String) throws -> PublishAction {
        switch found {
        case .absent: return .write
        case .regular(let size) where size != file.container.size: return .replace
        case .regular: return try digest() == file.container.sha256 ? .keep : .replace
        case .symlink: throw Refusal(path: path, found: .symlink)
        case .folder: throw Refusal(path: path, found: .folder)
        case .other: throw Refusal(path: path, found: .other)
        }
    }

    /// Files the plan writes or replaces.
    public var changes: [Step] { steps.filter { $0.action != .keep } }

    /// A name in the tree that publish will not write through or over (its path relative to DEST).
    public struct Refusal: Error, Equatable {
        public let path: String
        public let found: FoundEntry
    }
}
