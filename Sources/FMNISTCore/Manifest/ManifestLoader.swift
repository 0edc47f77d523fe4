import Foundation

/// Parses and validates manifests. Every rule names the file and the field it rejects.
public enum ManifestLoader {
    /// A manifest file larger than this is refused unread (the built-in ones are a few KiB).
    public static let maxFileSize = 16 << 20

    /// Decodes and validates one manifest from JSON bytes; `source` names it in errors.
    public static func parse(_ data: Data, source: String) throws -> Manifest {
        let manifest: Manifest
        let tree = try? JSONSerialization.jsonObject(with: data)
        do {
            // Check the schema version first so that a future format gets the right message.
            if let object = tree as? [String: Any],
                let schema = object["schema"] as? Int, schema != Manifest.supportedSchema
            {
                throw ManifestError(
                    file: source, field: "schema",
                    problem: "unknown schema version \(schema); this fmnist understands version \(Manifest.supportedSchema)")
            }
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch let error as ManifestError {
            throw error
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, tree is [String: Any] {
                // Foundation reports a number that does not fit (e.g. 1e30 for a size) without its
                // path, as "not valid JSON"; the text is valid JSON, so say what is really wrong.
                throw ManifestError(
                    file: source, field: "",
                    problem: "is valid JSON but holds a value that fits no field (a number too large or not an integer)")
            }
            throw ManifestError(file: source, field: error.fieldPath, problem: error.problemText)
        } catch {
            throw ManifestError(file: source, field: "", problem: "not valid JSON (\(error.localizedDescription))")
        }
        try validate(manifest, source: source)
        return manifest
    }

    /// Loads a manifest file from disk.
    public static func load(file: URL) throws -> Manifest {
        let data: Data
        do {
            data = try RegularFile.read(file.path, limit: maxFileSize, exitStatus: .usage)
        } catch {
            throw ManifestError(file: file.path, field: "", problem: "cannot be read: \(error.problem)")
        }
        return try parse(data, source: file.path)
    }

    /// Loads every `*.json` in a directory, sorted by file name.
    public static func load(directory: URL) throws -> [Manifest] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw ManifestError(file: directory.path, field: "", problem: "manifest directory does not exist")
        }
        guard isDirectory.boolValue else {
            throw ManifestError(file: directory.path, field: "", problem: "is a file; --manifests and FMNIST_MANIFESTS name directories of *.json")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try load(file: directory.appendingPathComponent($0)) }
    }

    // MARK: - Validation rules

    static func validate(_ m: Manifest, source: String) throws {
        func fail(_ field: String, _ problem: String) -> ManifestError {
            ManifestError(file: source, field: field, problem: problem)
        }
        try checkIdentifier(m.name, field: "name", fail: fail)
        for (index, alias) in m.aliases.enumerated() {
            try checkIdentifier(alias, field: "aliases[\(index)]", fail: fail)
        }
        // The name is also the live folder `<root>/<name>`: it must not be the drop-in link
        // (`current`, which would place files through the link into another dataset's folder)
        // nor a word commands reserve (`all`).
        for (field, value) in [("name", m.name)] + m.aliases.enumerated().map({ ("aliases[\($0.offset)]", $0.element) })
        where reservedNames.contains(value.lowercased()) {
            throw fail(field, "\"\(value)\" is reserved (\(reservedNames.sorted().joined(separator: ", ")) are words fmnist commands use)")
        }
        if m.title.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("title", "must not be empty") }
        if m.classes.count < 2 { throw fail("classes", "needs at least 2 class names, found \(m.classes.count)") }
        if m.classes.count > 256 { throw fail("classes", "at most 256 classes fit in a u8 label") }
        for (index, name) in m.classes.enumerated() where name.isEmpty {
            throw fail("classes[\(index)]", "class name must not be empty")
        }
        if m.mirrors.isEmpty { throw fail("mirrors", "needs at least one mirror URL") }
        for (index, mirror) in m.mirrors.enumerated() {
            if let problem = MirrorURL.problem(with: mirror) { throw fail("mirrors[\(index)]", problem) }
        }
        for (split, counts) in [("train", m.histogram.train), ("test", m.histogram.test)] {
            if counts.count != m.classes.count {
                throw fail("histogram.\(split)", "has \(counts.count) entries but there are \(m.classes.count) classes")
            }
            if let bad = counts.firstIndex(where: { $0 < 0 }) {
                throw fail("histogram.\(split)[\(bad)]", "must not be negative")
            }
        }
        let band = m.sanity
        guard band.minAccuracy >= 0, band.maxAccuracy <= 1, band.minAccuracy <= band.maxAccuracy else {
            throw fail("sanity", "needs 0 ≤ min_accuracy ≤ max_accuracy ≤ 1, found \(band.minAccuracy)…\(band.maxAccuracy)")
        }
        if let stats = m.statistics, !(stats.mean > 0 && stats.mean < 1 && stats.std > 0 && stats.std <= 1) {
            throw fail("statistics", "needs 0 < mean < 1 and 0 < std ≤ 1 (pixels scaled to 0…1), found mean \(stats.mean), std \(stats.std)")
        }
        if m.versions.isEmpty { throw fail("versions", "needs at least one version") }
        var versionNames = Set<String>()
        for (vIndex, version) in m.versions.enumerated() {
            let vField = "versions[\(vIndex)]"
            if version.name.isEmpty { throw fail("\(vField).name", "must not be empty") }
            if !versionNames.insert(version.name).inserted {
                throw fail("\(vField).name", "duplicate version name \"\(version.name)\"")
            }
            var roles = Set<FileRole>()
            var names = Set<String>()
            for (fIndex, file) in version.files.enumerated() {
                let f = "\(vField).files[\(fIndex)]"
                if !roles.insert(file.role).inserted { throw fail("\(f).role", "duplicate role \"\(file.role.rawValue)\"") }
                if let problem = FileNameRule.problem(with: file.name) { throw fail("\(f).name", problem) }
                if !names.insert(file.name).inserted { throw fail("\(f).name", "duplicate file name \"\(file.name)\"") }
                if file.container.size < 0 { throw fail("\(f).container.size", "must not be negative (\(file.container.size))") }
                if file.payload.size < 0 { throw fail("\(f).payload.size", "must not be negative (\(file.payload.size))") }
                try checkHex(file.container.md5, length: 32, field: "\(f).container.md5", fail: fail)
                try checkHex(file.container.sha256, length: 64, field: "\(f).container.sha256", fail: fail)
                try checkHex(file.payload.sha256, length: 64, field: "\(f).payload.sha256", fail: fail)
                if file.idx.type != "u8" { throw fail("\(f).idx.type", "unsupported IDX type \"\(file.idx.type)\" (only u8)") }
                let expectedRank = file.role.isImages ? 3 : 1
                if file.idx.dims.count != expectedRank {
                    throw fail("\(f).idx.dims", "\(file.role.rawValue) needs \(expectedRank) dimension(s), found \(file.idx.dims.count)")
                }
                if let bad = file.idx.dims.firstIndex(where: { $0 <= 0 }) {
                    throw fail("\(f).idx.dims[\(bad)]", "must be positive")
                }
                if file.idx.elementCount == nil {
                    throw fail("\(f).idx.dims", "\(file.idx.dims) multiply out to more bytes than any file can hold")
                }
                // An IDX header holds each dimension in 4 bytes; and an image wider than the bound
                // would make the CSV header (one column per pixel) and every row unbounded.
                if let bad = file.idx.dims.firstIndex(where: { $0 > Int(UInt32.max) }) {
                    throw fail("\(f).idx.dims[\(bad)]", "\(file.idx.dims[bad]) does not fit in an IDX header's 32-bit dimension")
                }
                if file.role.isImages, file.idx.dims[1] * file.idx.dims[2] > maxImagePixels {
                    throw fail("\(f).idx.dims", "images of \(file.idx.dims[1])×\(file.idx.dims[2]) pixels are more than the \(maxImagePixels) an image may have")
                }
                if file.idx.payloadSize != file.payload.size {
                    throw fail("\(f).payload.size", "is \(file.payload.size) but idx.dims \(file.idx.dims) imply \(file.idx.payloadSize) bytes")
                }
            }
            for role in FileRole.allCases where !roles.contains(role) {
                throw fail("\(vField).files", "missing role \"\(role.rawValue)\"")
            }
            let trainCount = version.file(.trainImages).idx.dims[0]
            if version.file(.trainLabels).idx.dims[0] != trainCount {
                throw fail("\(vField).files", "train-images and train-labels counts differ")
            }
            if version.file(.testLabels).idx.dims[0] != version.file(.testImages).idx.dims[0] {
                throw fail("\(vField).files", "test-images and test-labels counts differ")
            }
            try validateArtifacts(version, field: vField, fail: fail)
        }
        if let frameworks = m.frameworks { try validateFrameworks(frameworks, classes: m.classes, fail: fail) }
    }

    /// The rules for the optional `frameworks` names: each a folder or file-name stem a loader
    /// reads (1–64 letters, digits, '-' or '_', so never a path), `keras_reads` one of
    /// ``ManifestFrameworks/kerasForms``, and `hf_classes` one non-empty label per class.
    static func validateFrameworks(_ frameworks: ManifestFrameworks, classes: [String], fail: (String, String) -> ManifestError) throws {
        let names = [("torchvision", frameworks.torchvision), ("kaggle", frameworks.kaggle), ("tfds", frameworks.tfds), ("keras", frameworks.keras)]
        for (field, value) in names {
            if let value { try checkIdentifier(value, field: "frameworks.\(field)", fail: fail) }
        }
        if let form = frameworks.kerasReads, !ManifestFrameworks.kerasForms.contains(form) {
            throw fail("frameworks.keras_reads", "\"\(form)\" is not a form keras reads (\(ManifestFrameworks.kerasForms.joined(separator: ", ")))")
        }
        if let labels = frameworks.hfClasses {
            if labels.count != classes.count {
                throw fail("frameworks.hf_classes", "has \(labels.count) labels but there are \(classes.count) classes")
            }
            for (index, label) in labels.enumerated() where label.isEmpty {
                throw fail("frameworks.hf_classes[\(index)]", "class label must not be empty")
            }
        }
    }

    /// The rules for a version's optional `artifacts`: a plain file name, a known loader (one
    /// artifact each), a mirror-style URL, a positive size, a SHA-256, and arrays with names an
    /// `.npz` entry may have, each mapped to a different role.
    static func validateArtifacts(_ version: ManifestVersion, field vField: String, fail: (String, String) -> ManifestError) throws {
        guard let artifacts = version.artifacts else { return }
        var names = Set(version.files.map(\.name))
        var loaders = Set<String>()
        for (aIndex, artifact) in artifacts.enumerated() {
            let a = "\(vField).artifacts[\(aIndex)]"
            if let problem = FileNameRule.problem(with: artifact.name) { throw fail("\(a).name", problem) }
            if !names.insert(artifact.name).inserted { throw fail("\(a).name", "duplicate file name \"\(artifact.name)\"") }
            if !ManifestArtifact.knownLoaders.contains(artifact.loader) {
                throw fail("\(a).loader", "unknown loader \"\(artifact.loader)\" (known: \(ManifestArtifact.knownLoaders.sorted().joined(separator: ", ")))")
            }
            if !loaders.insert(artifact.loader).inserted {
                throw fail("\(a).loader", "a second artifact for loader \"\(artifact.loader)\" (one per loader and version)")
            }
            if let problem = MirrorURL.problem(with: artifact.url) { throw fail("\(a).url", problem) }
            if artifact.size <= 0 { throw fail("\(a).size", "must be positive (\(artifact.size))") }
            if artifact.size > maxArtifactSize {
                throw fail("\(a).size", "\(artifact.size) bytes is more than the \(maxArtifactSize) an artifact may have")
            }
            try checkHex(artifact.sha256, length: 64, field: "\(a).sha256", fail: fail)
            if artifact.arrays.isEmpty { throw fail("\(a).arrays", "needs at least one array mapped to a role") }
            var roles = Set<FileRole>()
            for (name, role) in artifact.arrays.sorted(by: { $0.key < $1.key }) {
                if name.isEmpty || name.utf8.count > 64 || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                    throw fail("\(a).arrays.\(name)", "array name \"\(name)\" must be 1–64 ASCII letters, digits or '_'")
                }
                if !roles.insert(role).inserted {
                    throw fail("\(a).arrays.\(name)", "role \"\(role.rawValue)\" is mapped to two arrays")
                }
            }
        }
    }

    /// The most pixels one image may have (rows × columns; MNIST-format images have 784).
    public static let maxImagePixels = 1 << 20

    /// The largest artifact a manifest may pin (keras's mnist.npz is 11 MB).
    public static let maxArtifactSize: Int64 = 1 << 30

    /// Names no dataset may take: `current` is the drop-in link, `all` selects every dataset.
    public static let reservedNames: Set<String> = ["current", "all"]

    static func checkIdentifier(_ value: String, field: String, fail: (String, String) -> ManifestError) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        if value.isEmpty || value.count > 64 || !value.lowercased().allSatisfy({ allowed.contains($0) }) {
            throw fail(field, "\"\(value)\" must be 1–64 letters, digits, '-' or '_'")
        }
    }

    static func checkHex(_ value: String, length: Int, field: String, fail: (String, String) -> ManifestError) throws {
        let hex = Set("0123456789abcdef")
        if value.count != length {
            throw fail(field, "must be \(length) hex digits, found \(value.count) characters")
        }
        if !value.allSatisfy({ hex.contains($0) }) {
            throw fail(field, "must be lower-case hex, found \"\(value)\"")
        }
    }
}

/// The rule for file names in manifests: a single plain path component.
public enum FileNameRule {
    /// Why `name` is not acceptable as a file name, or nil.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "file name must not be empty" }
        if name.contains("\0") { return "file name must not contain NUL" }
        if name.contains("/") || name.contains("\\") { return "file name \"\(name)\" must not contain a path separator" }
        if name == "." || name == ".." || name.contains("..") { return "file name \"\(name)\" must not contain \"..\"" }
        if name.hasPrefix(".") { return "file name \"\(name)\" must not start with '.'" }
        if name.utf8.count > 200 { return "file name is too long" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "file name must not contain control characters"
        }
        return nil
    }
}

/// Rules for mirror base URLs.
public enum MirrorURL {
    /// Why `text` is not an acceptable mirror base URL, or nil.
    public static func problem(with text: String) -> String? {
        if text.contains("\0") || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == " " }) {
            return "mirror URL must not contain spaces or control characters"
        }
        if S3Location.isS3(text) { return S3Location.problem(with: text) }
        guard let url = URL(string: text), let name = url.scheme?.lowercased() else {
            return "\"\(text)\" is not a URL (expected http://, https://, s3:// or file://)"
        }
        guard let scheme = MirrorScheme(rawValue: name) else {
            return "unsupported URL scheme \"\(name)\" in \"\(text)\" (only \(MirrorScheme.spelled))"
        }
        if scheme.isLocal {
            if let host = url.host, !host.isEmpty, host != "localhost" {
                return "file:// URL must not name a host (\"\(host)\")"
            }
            if !url.path.hasPrefix("/") { return "file:// URL must be absolute" }
        } else if (url.host ?? "").isEmpty {
            return "\"\(text)\" has no host"
        }
        if url.user != nil || url.password != nil, scheme.isLocal {
            return "file:// URL must not carry credentials"
        }
        return nil
    }

    /// The URL of a file under a mirror base (adds the `/` if the base lacks it).
    public static func join(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }
}

extension DecodingError {
    var fieldPath: String {
        let path: [CodingKey]
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        @unknown default: path = []
        }
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : "." + key.stringValue }
        }
        return text
    }

    var problemText: String {
        switch self {
        case .typeMismatch(let type, _): return "has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): return "is null (expected \(type))"
        case .keyNotFound: return "is missing"
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty { return "not valid JSON" }
            return "has an invalid value (\(c.debugDescription))"
        @unknown default: return "is invalid"
        }
    }
}
