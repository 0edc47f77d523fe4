import Foundation

/// `fmnist.lock`: the versions a project pins, one entry per dataset, meant to be committed with
/// the project. JSON with sorted keys, one field per line (diff-friendly), snake_case:
///
/// ```json
/// {
///   "datasets" : [
///     {
///       "dataset" : "fashion",
///       "files" : [ { "container" : { "md5" : "…", "sha256" : "…", "size" : 26421880 },
///                     "idx" : { "dims" : [60000, 28, 28], "type" : "u8" },
///                     "name" : "train-images-idx3-ubyte.gz",
///                     "payload" : { "sha256" : "…", "size" : 47040016 },
///                     "role" : "train-images" }, … ],
///       "known" : true,
///       "mirrors" : [ "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" ],
///       "name" : "2017-08-31",
///       "version_id" : "915659908dce…"
///     }
///   ],
///   "format" : "fmnist.lock",
///   "lock_version" : 1
/// }
/// ```
public struct ProjectLock: Sendable, Codable, Equatable {
    public static let formatName = "fmnist.lock"
    public static let currentVersion = 1
    /// The default file name, in the current folder.
    public static let defaultFileName = "fmnist.lock"
    /// The largest lock file read (a lock of a few datasets is a few KB).
    public static let maxBytes = 1 << 20

    /// The lock file of a command's `--locked` (`--file PATH`, else ``defaultFileName``); `--file`
    /// without `--locked` is a usage error. `command` is the command as typed, e.g. "verify".
    public static func lockFile(file: String?, locked: Bool, command: String) throws -> String {
        if let file, !locked { throw UsageError("--file names the lock file of --locked", hint: "e.g. fmnist \(command) --locked --file \(file)") }
        return file ?? defaultFileName
    }

    public let format: String
    public let lockVersion: Int
    /// One pinned version per dataset, sorted by dataset name.
    public let datasets: [PinnedVersion]

    public init(datasets: [PinnedVersion]) {
        self.format = Self.formatName
        self.lockVersion = Self.currentVersion
        self.datasets = datasets.sorted { $0.dataset < $1.dataset }
    }

    /// The pinned version of a dataset, if any.
    public func pinned(_ dataset: String) -> PinnedVersion? { datasets.first { $0.dataset == dataset } }

    /// The text written to disk (ends with a newline).
    public func text() throws -> String { try JSONOutput.encode(self) + "\n" }
}

/// One pinned dataset version.
public struct PinnedVersion: Sendable, Codable, Equatable {
    /// The dataset's manifest name, e.g. "fashion".
    public let dataset: String
    /// Full 64-hex version id (``VersionIdentity`` of the four payload digests).
    public let versionId: String
    /// The manifest's name for it, or "unknown".
    public let name: String
    /// Whether a manifest knew it when the lock was written.
    public let known: Bool
    /// The four files, in role order, as a manifest pins them.
    public let files: [ManifestFile]
    /// Mirror base URLs the files were fetched from (catalog provenance), most recent first;
    /// empty for an imported version (then `fetch --locked` uses the manifest's mirrors or `--mirror`).
    public let mirrors: [String]

    /// The pinned files as a manifest version, for a fetch that accepts exactly these.
    public var manifestVersion: ManifestVersion {
        ManifestVersion(name: name, description: "pinned by fmnist.lock", files: files)
    }

    public var shortID: String { String(versionId.prefix(12)) }
    /// e.g. "2017-08-31 (3f1a0c9be2d4)" or "UNKNOWN (3f1a0c9be2d4)".
    public var label: String { VersionIdentity(full: versionId).label(knownAs: known ? name : nil) }
}

/// A lock file that cannot be used: exit 2, naming the field.
public struct LockFileError: FMNISTError {
    public let path: String
    /// e.g. `datasets.fashion.files[1].payload.sha256`; empty for the file as a whole.
    public let field: String
    public let problem: String
    public let status: ExitStatus

    public init(path: String, field: String, problem: String, status: ExitStatus = .usage) {
        self.path = path
        self.field = field
        self.problem = problem
        self.status = status
    }

    public var exitStatus: ExitStatus { status }
    public var description: String {
        field.isEmpty ? "\(path): \(problem)" : "\(path): field \(field): \(problem)"
    }
    public var hint: String? {
        status == .missing
            ? "write one with `fmnist lock` in a workspace that holds the versions to pin, or pass --file PATH"
            : "fix the field, or write the file again with `fmnist lock`"
    }
}

extension ProjectLock {
    /// Reads and checks a lock file (a regular file of at most ``maxBytes``).
    public static func read(path: String, registry: ManifestRegistry) throws -> ProjectLock {
        let data: Data
        do {
            data = try RegularFile.read(path, limit: maxBytes)
        } catch {
            let missing = RegularFile.kind(at: path) == nil
            throw LockFileError(path: path, field: "", problem: missing ? "no such lock file" : error.problem, status: missing ? .missing : .usage)
        }
        return try parse(data, path: path, registry: registry)
    }

    /// Decodes and validates lock text; every problem names its field.
    public static func parse(_ data: Data, path: String, registry: ManifestRegistry) throws -> ProjectLock {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let lock: ProjectLock
        do {
            lock = try decoder.decode(ProjectLock.self, from: data)
        } catch let error as DecodingError {
            throw LockFileError(path: path, field: Self.field(of: error), problem: Self.problem(of: error))
        }
        try lock.validate(path: path, registry: registry)
        return lock
    }

    func validate(path: String, registry: ManifestRegistry) throws {
        func fail(_ field: String, _ problem: String) -> LockFileError { LockFileError(path: path, field: field, problem: problem) }
        guard format == Self.formatName else { throw fail("format", "is \"\(format)\", expected \"\(Self.formatName)\"") }
        guard lockVersion == Self.currentVersion else {
            throw fail("lock_version", "is \(lockVersion); this fmnist reads version \(Self.currentVersion)")
        }
        guard !datasets.isEmpty else { throw fail("datasets", "pins no dataset") }
        for (position, pinned) in datasets.enumerated() {
            let dataset = pinned.dataset
            let base = "datasets[\(position)]"
            guard datasets.filter({ $0.dataset == dataset }).count == 1 else { throw fail("\(base).dataset", "\"\(dataset)\" is pinned twice") }
            guard let manifest = try? registry.manifest(named: dataset), manifest.name == dataset else {
                throw fail("\(base).dataset", "\"\(dataset)\" is not a known dataset (known: \(registry.manifests.map(\.name).joined(separator: ", ")))")
            }
            guard Self.isHex(pinned.versionId, count: 64) else { throw fail("\(base).version_id", "is not 64 lower-case hex digits") }
            guard !pinned.name.isEmpty, pinned.name.count <= 100 else { throw fail("\(base).name", "must be 1 to 100 characters") }
            guard pinned.files.map(\.role).sorted() == FileRole.allCases else {
                throw fail("\(base).files", "must list each of the four roles (\(FileRole.allCases.map(\.rawValue).joined(separator: ", "))) once")
            }
            for (index, file) in pinned.files.enumerated() {
                let field = "\(base).files[\(index)]"
                do { try VersionStore.checkName(file.name) } catch { throw fail("\(field).name", "\"\(file.name)\" is not a plain file name") }
                guard (1...Int64(1 << 32)).contains(file.container.size) else { throw fail("\(field).container.size", "must be 1 to 4 GiB") }
                guard Self.isHex(file.container.md5, count: 32) else { throw fail("\(field).container.md5", "is not 32 lower-case hex digits") }
                guard Self.isHex(file.container.sha256, count: 64) else { throw fail("\(field).container.sha256", "is not 64 lower-case hex digits") }
                guard Self.isHex(file.payload.sha256, count: 64) else { throw fail("\(field).payload.sha256", "is not 64 lower-case hex digits") }
                guard file.idx.type == "u8" else { throw fail("\(field).idx.type", "is \"\(file.idx.type)\"; only u8 is used") }
                guard file.idx.dims.count == (file.role.isImages ? 3 : 1), file.idx.dims.allSatisfy({ (1...10_000_000).contains($0) }) else {
                    throw fail("\(field).idx.dims", "\(file.idx.dims) is not the shape of \(file.role.isImages ? "images [N, rows, columns]" : "labels [N]")")
                }
                guard file.payload.size == file.idx.payloadSize, file.payload.size <= Int64(1 << 32) else {
                    throw fail("\(field).payload.size", "\(file.payload.size) is not the size of an IDX payload of \(file.idx.dims)")
                }
            }
            let identity = VersionIdentity(payloadDigests: Dictionary(uniqueKeysWithValues: pinned.files.map { ($0.role, $0.payload.sha256) }))
            guard identity.full == pinned.versionId else {
                throw fail("\(base).version_id", "does not match its files' payload digests (they make \(identity.short))")
            }
            for (index, mirror) in pinned.mirrors.enumerated() {
                guard let url = URL(string: mirror), url.scheme.flatMap({ MirrorScheme(rawValue: $0.lowercased()) }) != nil else {
                    throw fail("\(base).mirrors[\(index)]", "\"\(RedactedURL.redact(mirror))\" is not an http, https, s3 or file URL")
                }
            }
        }
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func field(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: path = []
        }
        return path.map { key in
            if let index = key.intValue { return "[\(index)]" }
            return "." + key.stringValue.snakeCased
        }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func problem(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound: return "is missing"
        case .typeMismatch(let type, _): return "has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): return "is null (expected \(type))"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "is not valid JSON (\(context.debugDescription))" : context.debugDescription
        @unknown default: return "cannot be read"
        }
    }
}

extension String {
    /// `versionId` → `version_id` (the lock's field names).
    var snakeCased: String {
        var result = ""
        for character in self {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension Manifest {
    /// This dataset with the pinned version first (so it is the one fetched) and the lock's
    /// mirrors instead of the manifest's (the manifest's when the lock names none).
    public func pinned(to version: PinnedVersion) -> Manifest {
        Manifest(
            schema: schema, name: name, title: title, aliases: aliases, license: license, homepage: homepage, classes: classes,
            mirrors: version.mirrors.isEmpty ? mirrors : version.mirrors, histogram: histogram, sanity: sanity, statistics: statistics,
            versions: [version.manifestVersion] + versions.filter { $0.identity.full != version.versionId }, frameworks: frameworks)
    }
}
