import Foundation

/// The optional workspace configuration file, `.fmnist/config.json`.
///
/// ```json
/// {
///   "mirrors": {
///     "fashion": ["http://mirror.example.org/fashion-mnist/", "file:///srv/datasets/fashion-mnist/"],
///     "mnist": ["https://mirror.example.org/mnist/"]
///   }
/// }
/// ```
///
/// `mirrors` maps a dataset name (or alias) to mirror base URLs in preference order; each file's
/// URL is the base plus the file name. They replace the manifest's mirrors for that dataset and
/// yield to `FMNIST_MIRRORS` and `--mirror`. A missing file is an empty configuration; a malformed
/// one is a ``ConfigError`` naming the field.
public struct WorkspaceConfig: Sendable, Equatable {
    /// The keys the file may hold.
    public static let knownKeys: Set<String> = ["mirrors"]
    /// A configuration file larger than this is refused unread.
    public static let maxSize = 16 << 20

    /// Mirror base URLs per dataset (by the manifest's short name).
    public var mirrors: [String: [String]]

    public init(mirrors: [String: [String]] = [:]) {
        self.mirrors = mirrors
    }

    /// Reads `layout.configFile`; an absent file gives an empty configuration.
    public static func load(_ layout: WorkspaceLayout, registry: ManifestRegistry) throws -> WorkspaceConfig {
        let path = layout.configFile.path
        try WorkspaceBoundary(layout: layout).checkPrivateArea()  // a .fmnist file is the cause, not config.json
        let data: Data
        do {
            data = try RegularFile.read(path, limit: maxSize, exitStatus: .usage)
        } catch {
            if error.exitStatus == .missing { return WorkspaceConfig() }
            throw ConfigError(file: path, field: nil, problem: "cannot be read: \(error.problem)")
        }
        return try parse(data, file: path, registry: registry)
    }

    /// Parses configuration JSON; `file` names it in errors.
    public static func parse(_ data: Data, file: String, registry: ManifestRegistry) throws -> WorkspaceConfig {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigError(file: file, field: nil, problem: "is not valid JSON (\(error.localizedDescription))")
        }
        guard let top = object as? [String: Any] else {
            throw ConfigError(file: file, field: nil, problem: "must be a JSON object such as {\"mirrors\": {…}}")
        }
        for key in top.keys.sorted() where !knownKeys.contains(key) {
            throw ConfigError(file: file, field: key, problem: "is not a known setting (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        var config = WorkspaceConfig()
        guard let rawMirrors = top["mirrors"] else { return config }
        guard let table = rawMirrors as? [String: Any] else {
            throw ConfigError(file: file, field: "mirrors", problem: "must be an object mapping a dataset to a list of URLs")
        }
        for key in table.keys.sorted() {
            let field = "mirrors.\(key)"
            guard let manifest = registry.manifests.first(where: { $0.answers(to: key) }) else {
                throw ConfigError(
                    file: file, field: field,
                    problem: "names no known dataset (known: \(registry.manifests.map(\.name).joined(separator: ", ")))")
            }
            guard let list = table[key] as? [Any] else {
                throw ConfigError(file: file, field: field, problem: "must be a list of URL strings")
            }
            if list.isEmpty { throw ConfigError(file: file, field: field, problem: "must list at least one mirror URL") }
            var urls: [String] = []
            for (index, item) in list.enumerated() {
                guard let url = item as? String else {
                    throw ConfigError(file: file, field: "\(field)[\(index)]", problem: "must be a string")
                }
                if let problem = MirrorURL.problem(with: url) {
                    throw ConfigError(file: file, field: "\(field)[\(index)]", problem: problem)
                }
                urls.append(url)
            }
            if config.mirrors[manifest.name] != nil {
                throw ConfigError(file: file, field: field, problem: "repeats dataset \"\(manifest.name)\" under another name")
            }
            config.mirrors[manifest.name] = urls
        }
        return config
    }
}

/// A malformed workspace configuration file (exit status 2).
public struct ConfigError: FMNISTError, Equatable {
    /// The file's path.
    public let file: String
    /// The offending field, e.g. "mirrors.fashion[1]"; nil when the file as a whole is wrong.
    public let field: String?
    public let problem: String

    public init(file: String, field: String?, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var exitStatus: ExitStatus { .usage }
    public var description: String {
        if let field { return "\(file): field \"\(field)\" \(problem)" }
        return "\(file) \(problem)"
    }
    public var hint: String? {
        "fix or remove the file; its format is {\"mirrors\": {\"fashion\": [\"http://…/\"], \"mnist\": [\"…\"]}} (see docs/fetch.md)"
    }
}
