import Foundation

/// Where a dataset's mirror list came from (highest precedence first).
public enum MirrorOrigin: String, Sendable, Codable {
    /// `--mirror URL` (repeatable).
    case commandLine = "command_line"
    /// The `FMNIST_MIRRORS` environment variable.
    case environment
    /// The workspace's `.fmnist/config.json`.
    case configFile = "config_file"
    /// The dataset's manifest.
    case manifest
}

/// The mirrors to try for one dataset, in order.
public struct MirrorList: Sendable, Equatable, Codable {
    public let dataset: String
    /// Mirror base URLs, redacted (``RedactedURL``); a file's URL is base + file name. The
    /// credentials they held are in the run's ``MirrorAccess``.
    public let mirrors: [String]
    public let origin: MirrorOrigin

    public init(dataset: String, mirrors: [String], origin: MirrorOrigin) {
        self.dataset = dataset
        self.mirrors = mirrors.map(RedactedURL.redact)
        self.origin = origin
    }
}

/// Decides which mirrors a fetch tries, per dataset, from the first source that names any:
/// `--mirror` > `FMNIST_MIRRORS` > `.fmnist/config.json` > the manifest.
///
/// `--mirror` and `FMNIST_MIRRORS` entries are `URL` or `DATASET=URL` (`FMNIST_MIRRORS` separates
/// entries by spaces or commas). A bare URL applies to the one dataset being fetched; when several
/// are, each entry must name its dataset, e.g. `--mirror fashion=http://… --mirror mnist=http://…`.
///
/// ```swift
/// let lists = try MirrorResolver.resolve(
///     for: [fashion], commandLine: ["http://127.0.0.1:8080/fashion-mnist/"], registry: registry)
/// lists["fashion"]!.origin   // .commandLine
/// ```
public enum MirrorResolver {
    /// One entry of `--mirror` or `FMNIST_MIRRORS`.
    struct Entry: Equatable {
        let dataset: String?
        let url: String
    }

    /// The mirror list of every dataset in `manifests`, by dataset name.
    public static func resolve(
        for manifests: [Manifest], commandLine: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        config: WorkspaceConfig = WorkspaceConfig(), registry: ManifestRegistry
    ) throws -> [String: MirrorList] {
        let fromFlags = try parse(commandLine, source: "--mirror", registry: registry)
        let environmentText = environment["FMNIST_MIRRORS"] ?? ""
        let fromEnvironment = try parse(split(environmentText), source: "FMNIST_MIRRORS", registry: registry)
        var result: [String: MirrorList] = [:]
        for manifest in manifests {
            if let urls = try select(fromFlags, for: manifest, among: manifests, source: "--mirror") {
                result[manifest.name] = MirrorList(dataset: manifest.name, mirrors: urls, origin: .commandLine)
            } else if let urls = try select(fromEnvironment, for: manifest, among: manifests, source: "FMNIST_MIRRORS") {
                result[manifest.name] = MirrorList(dataset: manifest.name, mirrors: urls, origin: .environment)
            } else if let urls = config.mirrors[manifest.name], !urls.isEmpty {
                result[manifest.name] = MirrorList(dataset: manifest.name, mirrors: urls, origin: .configFile)
            } else {
                result[manifest.name] = MirrorList(dataset: manifest.name, mirrors: manifest.mirrors, origin: .manifest)
            }
        }
        return result
    }

    /// The secrets of every mirror URL this run may use, from every source (so that a redacted URL
    /// from `fmnist.lock` finds the credentials of a configured mirror at the same place), the
    /// configured headers, and the netrc file (`NETRC`, else libcurl's `~/.netrc`).
    public static func access(
        for manifests: [Manifest], commandLine: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        config: WorkspaceConfig = WorkspaceConfig(), registry: ManifestRegistry
    ) throws -> MirrorAccess {
        var access = MirrorAccess()
        let fromFlags = try parse(commandLine, source: "--mirror", registry: registry)
        let fromEnvironment = try parse(split(environment["FMNIST_MIRRORS"] ?? ""), source: "FMNIST_MIRRORS", registry: registry)
        for entry in fromFlags + fromEnvironment { access.register(entry.url) }
        for name in config.mirrors.keys.sorted() { for url in config.mirrors[name]! { access.register(url) } }
        for manifest in manifests {
            for url in manifest.mirrors { access.register(url) }
            for version in manifest.versions { for artifact in version.artifacts ?? [] { access.register(artifact.url) } }
        }
        for prefix in config.headers.keys.sorted() { access.addHeaders(config.headers[prefix]!, for: prefix) }
        // libcurl opens the netrc file itself (and would block on a FIFO): a regular file or none.
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let netrc = environment["NETRC"].flatMap { $0.isEmpty ? nil : $0 }
        if let path = netrc ?? home.map({ $0 + "/.netrc" }), let kind = RegularFile.kind(at: path), kind != .regular {
            throw UsageError(
                "\(netrc != nil ? "NETRC" : "~/.netrc") \"\(path)\" \(kind.refusal)",
                hint: "point NETRC at a regular netrc file (machine HOST login USER password PASSWORD), or unset it")
        }
        access.netrcFile = netrc
        // The AWS configuration is read only when some mirror is an s3:// bucket.
        let all = fromFlags.map(\.url) + fromEnvironment.map(\.url) + config.mirrors.values.flatMap { $0 }
            + manifests.flatMap { $0.mirrors + $0.versions.flatMap { ($0.artifacts ?? []).map(\.url) } }
        if all.contains(where: S3Location.isS3) { access.s3 = try S3Access.resolve(environment: environment) }
        return access
    }

    /// Splits `FMNIST_MIRRORS` on spaces and commas.
    static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).map(String.init)
    }

    /// Parses `URL` / `DATASET=URL` entries, validating each URL.
    static func parse(_ items: [String], source: String, registry: ManifestRegistry) throws -> [Entry] {
        try items.map { item in
            var dataset: String? = nil
            var url = item
            if let equals = item.firstIndex(of: "="), !item[..<equals].contains(":") {
                let name = String(item[..<equals])
                guard let manifest = registry.manifests.first(where: { $0.answers(to: name) }) else {
                    throw UsageError(
                        "\(source) \"\(RedactedURL.redact(item))\": \"\(name)\" is not a known dataset",
                        hint: "write DATASET=URL with one of: \(registry.manifests.map(\.name).joined(separator: ", "))")
                }
                dataset = manifest.name
                url = String(item[item.index(after: equals)...])
            }
            if let problem = MirrorURL.problem(with: url) {
                throw UsageError("\(source) \"\(RedactedURL.redact(item))\": \(RedactedURL.redact(problem))", hint: "give a mirror base URL such as http://host/path/, s3://bucket/prefix/ or file:///dir/")
            }
            return Entry(dataset: dataset, url: url)
        }
    }

    /// The URLs of `entries` that apply to `manifest`, or nil when none do.
    static func select(_ entries: [Entry], for manifest: Manifest, among selected: [Manifest], source: String) throws -> [String]? {
        if entries.isEmpty { return nil }
        if selected.count > 1, let bare = entries.first(where: { $0.dataset == nil }) {
            throw UsageError(
                "\(source) \"\(RedactedURL.redact(bare.url))\" does not say which dataset it serves, and \(selected.count) datasets are being fetched",
                hint: "write DATASET=URL, e.g. \(selected.map { "\($0.name)=…" }.joined(separator: " "))")
        }
        let urls = entries.filter { $0.dataset == nil || $0.dataset == manifest.name }.map(\.url)
        return urls.isEmpty ? nil : urls
    }
}
