import Foundation

/// The optional workspace configuration file, `.fmnist/config.json`.
///
/// ```json
/// {
///   "mirrors": {
///     "fashion": ["http://mirror.example.org/fashion-mnist/", "file:///srv/datasets/fashion-mnist/"],
///     "mnist": ["https://mirror.example.org/mnist/"]
///   },
///   "headers": {
///     "https://mirror.example.org/": {"Authorization": "Bearer ${TEAM_TOKEN}"}
///   }
/// }
/// ```
///
/// `mirrors` maps a dataset name (or alias) to mirror base URLs in preference order; each file's
/// URL is the base plus the file name. They replace the manifest's mirrors for that dataset and
/// yield to `FMNIST_MIRRORS` and `--mirror`. `headers` maps an http(s) URL prefix to headers sent
/// with every request whose URL starts with it (whatever source named the mirror); `${NAME}` in a
/// value is the environment variable NAME, expanded in memory when the file is read (an unset one
/// is an error). A missing file is an empty configuration; a malformed one is a ``ConfigError``
/// naming the field (never a header's value).
public struct WorkspaceConfig: Sendable, Equatable {
    /// The keys the file may hold.
    public static let knownKeys: Set<String> = ["mirrors", "headers"]
    /// Headers fmnist sets itself, which the configuration may not replace.
    public static let reservedHeaders: Set<String> = ["host", "range", "if-range", "user-agent", "content-length", "transfer-encoding", "connection"]
    /// A configuration file larger than this is refused unread.
    public static let maxSize = 16 << 20

    /// Mirror base URLs per dataset (by the manifest's short name).
    public var mirrors: [String: [String]]
    /// Headers per URL prefix, values expanded (secrets: never printed).
    public var headers: [String: [MirrorHeader]]

    public init(mirrors: [String: [String]] = [:], headers: [String: [MirrorHeader]] = [:]) {
        self.mirrors = mirrors
        self.headers = headers
    }

    /// Reads `layout.configFile`; an absent file gives an empty configuration.
    public static func load(
        _ layout: WorkspaceLayout, registry: ManifestRegistry, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> WorkspaceConfig {
        let path = layout.configFile.path
        try WorkspaceBoundary(layout: layout).checkPrivateArea()  // a .fmnist file is the cause, not config.json
        let data: Data
        do {
            data = try RegularFile.read(path, limit: maxSize, exitStatus: .usage)
        } catch {
            if error.exitStatus == .missing { return WorkspaceConfig() }
            throw ConfigError(file: path, field: nil, problem: "cannot be read: \(error.problem)")
        }
        return try parse(data, file: path, registry: registry, environment: environment)
    }

    /// Parses configuration JSON; `file` names it in errors.
    public static func parse(
        _ data: Data, file: String, registry: ManifestRegistry, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> WorkspaceConfig {
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
        if let rawHeaders = top["headers"] {
            config.headers = try parseHeaders(rawHeaders, file: file, environment: environment)
        }
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
                    throw ConfigError(file: file, field: "\(field)[\(index)]", problem: RedactedURL.redact(problem))
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

extension WorkspaceConfig {
    /// `"headers": {"https://host/base/": {"Name": "value with ${VAR}"}}`, checked field by field.
    static func parseHeaders(_ raw: Any, file: String, environment: [String: String]) throws -> [String: [MirrorHeader]] {
        guard let table = raw as? [String: Any] else {
            throw ConfigError(
                file: file, field: "headers",
                problem: "must be an object mapping a mirror URL prefix to its headers, e.g. {\"https://host/base/\": {\"Authorization\": \"Bearer ${TOKEN}\"}}")
        }
        var result: [String: [MirrorHeader]] = [:]
        for prefix in table.keys.sorted() {
            let field = "headers.\(RedactedURL.redact(prefix))"
            if let problem = MirrorURL.problem(with: prefix) {
                throw ConfigError(file: file, field: field, problem: RedactedURL.redact(problem))
            }
            guard URL(string: prefix)?.scheme != nil, MirrorScheme(of: prefix)?.isHTTP == true else {
                throw ConfigError(file: file, field: field, problem: "must be an http:// or https:// URL prefix (headers are sent over HTTP only)")
            }
            if RedactedURL.splitUserInfo(prefix).user != nil || RedactedURL.redact(prefix) != prefix {
                throw ConfigError(file: file, field: field, problem: "must not carry credentials (user-info or a token in the query); put them in a header value")
            }
            guard let entries = table[prefix] as? [String: Any] else {
                throw ConfigError(file: file, field: field, problem: "must be an object mapping header names to string values")
            }
            if entries.isEmpty { throw ConfigError(file: file, field: field, problem: "must name at least one header") }
            var headers: [MirrorHeader] = []
            for name in entries.keys.sorted() {
                let headerField = "\(field).\(name)"
                let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                if name.isEmpty || name.unicodeScalars.contains(where: { !token.contains($0) }) {
                    throw ConfigError(file: file, field: headerField, problem: "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)")
                }
                if reservedHeaders.contains(name.lowercased()) {
                    throw ConfigError(file: file, field: headerField, problem: "is set by fmnist itself and cannot be configured")
                }
                guard let template = entries[name] as? String else {
                    throw ConfigError(file: file, field: headerField, problem: "must be a string")
                }
                let value = try expand(template, file: file, field: headerField, environment: environment)
                if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                    throw ConfigError(file: file, field: headerField, problem: "has a control character or line break in its value (after expansion)")
                }
                if value.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw ConfigError(file: file, field: headerField, problem: "has an empty value")
                }
                headers.append(MirrorHeader(name: name, value: value))
            }
            result[prefix] = headers
        }
        return result
    }

    /// `${NAME}` replaced by the environment variable NAME (`$$` is a `$`); an unset or empty one is an error.
    static func expand(_ template: String, file: String, field: String, environment: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                result += "$"
                rest = after.dropFirst()
                continue
            }
            guard after.hasPrefix("{"), let close = after.firstIndex(of: "}") else {
                throw ConfigError(file: file, field: field, problem: "has a \"$\" that does not start ${NAME} (write $$ for a dollar sign)")
            }
            let name = String(after[after.index(after: after.startIndex)..<close])
            let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" }
                && !(name.first!.isNumber)
            guard valid else {
                throw ConfigError(file: file, field: field, problem: "names \"${\(name)}\", not a valid environment variable name")
            }
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigError(
                    file: file, field: field,
                    problem: "uses ${\(name)}, but the environment variable \(name) is not set (or empty); set it, e.g. export \(name)=…")
            }
            result += value
            rest = after[after.index(after: close)...]
        }
        return result + rest
    }
}

/// A malformed workspace configuration file (exit status 2).
public struct ConfigError: FMNISTError, Equatable {
    /// The file's path.
    public let file: String
    /// The offending field, e.g. "mirrors.fashion[1]"; nil when the file as a whole is wrong.
    public let field: String?
    public let problem: String

    public var exitStatus: ExitStatus { .usage }
    public var description: String {
        if let field { return "\(file): field \"\(field)\" \(problem)" }
        return "\(file) \(problem)"
    }
    public var hint: String? {
        "fix or remove the file; its format is {\"mirrors\": {\"fashion\": [\"http://…/\"], \"mnist\": [\"…\"]}, "
            + "\"headers\": {\"https://host/base/\": {\"Authorization\": \"Bearer ${TOKEN}\"}}} (see docs/fetch.md)"
    }
}
