import FMNISTCore
import Foundation
import TestSupport
import Testing

/// The bad-input corpus (issue 6, item 4), run against the real binary.
///
/// Every case asserts the documented exit status, a message that names what is wrong, that
/// nothing crashed, and that a workspace populated beforehand (the real Fashion-MNIST when
/// `FMNIST_DATA_DIR` is set, synthetic files otherwise) is unchanged: same paths, same bytes,
/// same catalog rows, `PRAGMA integrity_check` ok. Each group prints a table of its cases.
@Suite(.serialized) struct BadInputCorpusTests {
    // MARK: - Manifests

    /// The Fashion-MNIST manifest of the project, as a JSON tree to break one rule at a time.
    static func manifestTree() throws -> Any {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("manifests/fashion-mnist.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// Marks a field to delete.
    struct Remove {}

    /// Sets (or removes) the value at a dotted path such as `versions.0.files.1.name`.
    static func setting(_ node: Any, _ path: ArraySlice<Substring>, _ value: Any) -> Any {
        guard let first = path.first else { return value }
        if let index = Int(first), var array = node as? [Any] {
            if path.count == 1 && value is Remove {
                array.remove(at: index)
            } else if index == array.count {
                array.append(setting(NSNull(), path.dropFirst(), value))
            } else {
                array[index] = setting(array[index], path.dropFirst(), value)
            }
            return array
        }
        var object = node as? [String: Any] ?? [:]
        let key = String(first)
        if path.count == 1 && value is Remove { object.removeValue(forKey: key) } else { object[key] = setting(object[key] as Any, path.dropFirst(), value) }
        return object
    }

    static func mutated(_ edits: [(String, Any)]) throws -> Data {
        var tree = try manifestTree()
        for (path, value) in edits { tree = setting(tree, path.split(separator: ".")[...], value) }
        return try JSONSerialization.data(withJSONObject: tree)
    }

    static func file(_ index: Int, _ field: String) -> String { "versions.0.files.\(index).\(field)" }

    /// One case per manifest validation rule: (name, edits or raw text, words the message must hold).
    static func manifestRuleCases() throws -> [(String, Data, [String])] {
        let hex64 = String(repeating: "a", count: 64)
        let firstVersion = ((try manifestTree() as? [String: Any])?["versions"] as? [Any])?.first ?? [String: Any]()
        let versionCount = ((try manifestTree() as? [String: Any])?["versions"] as? [Any])?.count ?? 1
        var cases: [(String, Data, [String])] = [
            ("not JSON", Data("{ \"schema\": 1, ".utf8), ["not valid JSON"]),
            ("empty file", Data(), ["not valid JSON"]),
            ("top level is an array", Data("[1, 2]".utf8), ["wrong type|not valid JSON"]),
            ("deeply nested JSON", Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8), ["JSON"]),
        ]
        let edits: [(String, [(String, Any)], [String])] = [
            ("unknown schema version", [("schema", 2)], ["schema", "unknown schema version 2"]),
            ("missing field", [("classes", Remove())], ["classes", "missing"]),
            ("wrong type", [("classes", "T-shirt")], ["classes", "wrong type"]),
            ("null value", [("title", NSNull())], ["title", "null"]),
            ("bad name", [("name", "Fashion MNIST!")], ["field name", "letters, digits"]),
            ("name too long", [("name", String(repeating: "f", count: 65))], ["field name"]),
            ("bad alias", [("aliases", ["ok", "no way"])], ["aliases[1]"]),
            ("reserved name current", [("name", "current")], ["field name", "reserved"]),
            ("reserved alias all", [("aliases", ["all"])], ["aliases[0]", "reserved"]),
            ("alias taken by another dataset", [("aliases", ["mnist"])], ["field aliases", "already a name or alias"]),
            ("empty title", [("title", "  ")], ["title", "must not be empty"]),
            ("one class", [("classes", ["only"]), ("histogram.train", [1]), ("histogram.test", [1])], ["classes", "at least 2"]),
            ("257 classes", [("classes", (0..<257).map { "c\($0)" })], ["classes", "at most 256"]),
            ("empty class name", [("classes.3", "")], ["classes[3]", "must not be empty"]),
            ("no mirrors", [("mirrors", [String]())], ["mirrors", "at least one"]),
            ("histogram length", [("histogram.train", [1, 2, 3])], ["histogram.train", "3 entries"]),
            ("negative histogram", [("histogram.test.0", -1)], ["histogram.test[0]", "negative"]),
            ("sanity band inverted", [("sanity.min_accuracy", 0.9), ("sanity.max_accuracy", 0.5)], ["sanity"]),
            ("sanity band above 1", [("sanity.max_accuracy", 1.5)], ["sanity"]),
            ("no versions", [("versions", [Any]())], ["versions", "at least one version"]),
            ("empty version name", [("versions.0.name", "")], ["versions[0].name", "must not be empty"]),
            ("duplicate version name", [("versions.\(versionCount)", firstVersion)], ["versions[\(versionCount)].name", "duplicate"]),
            ("unknown role", [(file(0, "role"), "validation-images")], ["role"]),
            ("duplicate role", [(file(1, "role"), "train-images")], ["files[1].role", "duplicate role"]),
            ("missing role", [("versions.0.files.3", Remove())], ["versions[0].files", "missing role"]),
            ("duplicate file name", [(file(1, "name"), "train-images-idx3-ubyte.gz")], ["files[1].name", "duplicate file name"]),
            ("negative container size", [(file(0, "container.size"), -5)], ["container.size", "negative"]),
            ("negative payload size", [(file(0, "payload.size"), -5)], ["payload.size", "negative"]),
            ("short md5", [(file(0, "container.md5"), "abc")], ["container.md5", "32 hex digits"]),
            ("upper-case sha256", [(file(0, "container.sha256"), hex64.uppercased())], ["container.sha256", "lower-case hex"]),
            ("non-hex payload sha256", [(file(2, "payload.sha256"), String(repeating: "z", count: 64))], ["payload.sha256", "hex"]),
            ("IDX type i32", [(file(0, "idx.type"), "i32")], ["idx.type", "only u8"]),
            ("IDX rank", [(file(0, "idx.dims"), [60000, 784])], ["idx.dims", "3 dimension"]),
            ("IDX zero dimension", [(file(0, "idx.dims"), [60000, 0, 28])], ["idx.dims[1]", "positive"]),
            ("IDX huge dimensions", [(file(0, "idx.dims"), [Int.max, 2, 2])], ["idx.dims", "more bytes than any file"]),
            ("payload size disagrees with dims", [(file(0, "payload.size"), 47_040_017)], ["payload.size", "imply"]),
            ("train counts differ", [(file(1, "idx.dims"), [59999]), (file(1, "payload.size"), 60007)], ["train-images and train-labels counts differ"]),
            ("test counts differ", [(file(3, "idx.dims"), [9999]), (file(3, "payload.size"), 10007)], ["test-images and test-labels counts differ"]),
            ("number too large for Int64", [(file(0, "container.size"), 1e30)], ["number too large"]),
        ]
        for (name, edit, words) in edits { cases.append((name, try mutated(edit), words)) }
        return cases
    }

    @Test func malformedManifestsAreRefusedOnePerRule() throws {
        let workspace = try PopulatedWorkspace("corpus-manifest")
        let table = CorpusTable("malformed manifests (--manifests DIR, one per rule)")
        let directory = workspace.base.path("manifests")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, data, words) in try Self.manifestRuleCases() {
            let path = directory.appendingPathComponent("fashion-mnist.json")
            try data.write(to: path)
            try corpusCase(
                table, "manifest: \(name)",
                ["import", workspace.validSource.path, "--as", "fashion", "--root", workspace.root.path, "--manifests", directory.path] + workspace.importFlags,
                expect: 2, message: [name == "alias taken by another dataset" ? "manifest" : path.path] + words, workspace: workspace)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("fashion-mnist.json"))
        // The directory itself: missing, a file, a *.json that is a directory; FMNIST_MANIFESTS too.
        let args = ["verify", "fashion", "--root", workspace.root.path]
        try corpusCase(table, "manifest dir: does not exist", args + ["--manifests", workspace.base.path("nope").path],
                       expect: 2, message: ["does not exist"], workspace: workspace)
        let plain = workspace.base.path("plain-file")
        try Data("x".utf8).write(to: plain)
        try corpusCase(table, "manifest dir: is a file", args + ["--manifests", plain.path], expect: 2, message: ["is a file"], workspace: workspace)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("dir.json"), withIntermediateDirectories: true)
        try corpusCase(table, "manifest dir: x.json is a directory", args + ["--manifests", directory.path],
                       expect: 2, message: ["dir.json", "cannot be read"], workspace: workspace)
        try corpusCase(table, "FMNIST_MANIFESTS: bad directory", args, expect: 2, message: ["dir.json"], workspace: workspace,
                       environment: ["FMNIST_MANIFESTS": directory.path])
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the manifest cases"))
    }

    // MARK: - Hostile names and URLs

    @Test func hostileFileNamesAndURLsInManifestsAreRefused() throws {
        let workspace = try PopulatedWorkspace("corpus-hostile")
        let table = CorpusTable("hostile file names and URLs in manifests")
        let directory = workspace.base.path("manifests")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names: [(String, String, String)] = [
            ("../ escape", "../../escaped.gz", "\"..\"|path separator"),
            ("absolute path", "/tmp/fmnist-escaped.gz", "path separator"),
            ("NUL byte", "train\u{0}.gz", "NUL"),
            ("subdirectory", "sub/train.gz", "path separator"),
            ("backslash", "..\\escaped.gz", "path separator"),
            ("dot-dot", "..", "\"..\""),
            ("hidden name", ".fmnist", "start with '.'"),
            ("control character", "train\u{1B}[2J.gz", "control characters"),
            ("empty name", "", "must not be empty"),
            ("very long name", String(repeating: "a", count: 300) + ".gz", "too long"),
        ]
        for (name, value, word) in names {
            try Self.mutated([(Self.file(0, "name"), value)]).write(to: directory.appendingPathComponent("fashion-mnist.json"))
            try corpusCase(
                table, "file name: \(name)",
                ["import", workspace.validSource.path, "--as", "fashion", "--root", workspace.root.path, "--manifests", directory.path] + workspace.importFlags,
                expect: 2, message: ["files[0].name", word], workspace: workspace)
        }
        let urls: [(String, String, String)] = [
            ("ftp://", "ftp://ftp.example.org/fashion/", "unsupported URL scheme \"ftp\""),
            ("file://host/", "file://evil.example.org/share/", "must not name a host"),
            ("javascript:", "javascript:alert(1)", "unsupported URL scheme \"javascript\""),
            ("data:", "data:text/html,<h1>hi</h1>", "unsupported URL scheme|not a URL"),
            ("no scheme", "example.org/fashion/", "not a URL"),
            ("http without host", "http:///fashion/", "no host"),
            ("NUL in URL", "http://example.org/\u{0}/", "control characters"),
            ("space in URL", "http://example.org/a b/", "spaces"),
            ("file:// with credentials", "file://user:pw@/srv/", "host|credentials"),
            ("gopher://", "gopher://example.org/", "unsupported URL scheme"),
        ]
        for (name, value, word) in urls {
            try Self.mutated([("mirrors.1", value)]).write(to: directory.appendingPathComponent("fashion-mnist.json"))
            try corpusCase(
                table, "mirror URL: \(name)", ["verify", "fashion", "--root", workspace.root.path, "--manifests", directory.path],
                expect: 2, message: ["mirrors[1]", word], workspace: workspace)
        }
        // Hostile URLs straight from the command line and the environment, for fetch.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("fashion-mnist.json"))
        try corpusCase(table, "fetch --mirror ftp://", ["fetch", "fashion", "--root", workspace.root.path, "--mirror", "ftp://example.org/f/"],
                       expect: 2, message: ["ftp"], workspace: workspace, timeout: 60)
        try corpusCase(table, "fetch --mirror javascript:", ["fetch", "fashion", "--root", workspace.root.path, "--mirror", "javascript:alert(1)"],
                       expect: 2, message: ["javascript"], workspace: workspace, timeout: 60)
        try corpusCase(table, "FMNIST_MIRRORS file://host/", ["fetch", "fashion", "--root", workspace.root.path],
                       expect: 2, message: ["host"], workspace: workspace, environment: ["FMNIST_MIRRORS": "file://evil.example.org/x/"], timeout: 60)
        table.print()
        #expect(!FileManager.default.fileExists(atPath: workspace.base.path("escaped.gz").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/fmnist-escaped.gz"))
        #expect(try workspace.unchanged(deep: true, "after the hostile-name cases"))
    }

    // MARK: - Workspace config file

    @Test func malformedConfigFilesAreRefused() throws {
        let workspace = try PopulatedWorkspace("corpus-config")
        let table = CorpusTable("malformed .fmnist/config.json (fetch fashion --offline)")
        let config = workspace.root.appendingPathComponent(".fmnist/config.json")
        let cases: [(String, String, [String])] = [
            ("not JSON", "mirrors: fashion", ["not valid JSON"]),
            ("empty file", "", ["not valid JSON"]),
            ("truncated JSON", #"{"mirrors": {"fashion": ["http://a/""#, ["not valid JSON"]),
            ("top level is a list", #"["http://a/"]"#, ["must be a JSON object"]),
            ("top level is a string", #""http://a/""#, ["must be a JSON object|not valid JSON"]),
            ("unknown key", #"{"mirors": {}}"#, ["\"mirors\"", "not a known setting"]),
            ("mirrors is a list", #"{"mirrors": ["http://a/"]}"#, ["\"mirrors\"", "must be an object"]),
            ("unknown dataset", #"{"mirrors": {"cifar": ["http://a/"]}}"#, ["mirrors.cifar", "names no known dataset"]),
            ("URL list is a string", #"{"mirrors": {"fashion": "http://a/"}}"#, ["mirrors.fashion", "list of URL strings"]),
            ("empty URL list", #"{"mirrors": {"fashion": []}}"#, ["mirrors.fashion", "at least one"]),
            ("URL is a number", #"{"mirrors": {"fashion": [42]}}"#, ["mirrors.fashion[0]", "must be a string"]),
            ("URL is null", #"{"mirrors": {"fashion": [null]}}"#, ["mirrors.fashion[0]", "must be a string"]),
            ("ftp:// URL", #"{"mirrors": {"fashion": ["ftp://example.org/f/"]}}"#, ["mirrors.fashion[0]", "ftp"]),
            ("file://host/ URL", #"{"mirrors": {"fashion": ["file://evil.example.org/f/"]}}"#, ["mirrors.fashion[0]", "host"]),
            ("javascript: URL", #"{"mirrors": {"fashion": ["javascript:alert(1)"]}}"#, ["mirrors.fashion[0]", "javascript"]),
            ("NUL in URL", #"{"mirrors": {"fashion": ["http://a/\u0000/"]}}"#, ["mirrors.fashion[0]", "control characters"]),
            ("dataset twice under an alias", #"{"mirrors": {"fashion": ["http://a/"], "fashion-mnist": ["http://b/"]}}"#, ["repeats dataset"]),
            ("deeply nested", "{\"mirrors\": " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}", ["not valid JSON|must be an object"]),
            ("1 MB URL", #"{"mirrors": {"fashion": ["http://"# + String(repeating: "a", count: 1 << 20) + #"/ /"]}}"#, ["mirrors.fashion[0]"]),
        ]
        for (name, text, words) in cases {
            try Data(text.utf8).write(to: config)
            try corpusCase(table, "config: \(name)", ["fetch", "fashion", "--offline", "--root", workspace.root.path],
                           expect: 2, message: ["config.json"] + words, workspace: nil, timeout: 60)
            try FileManager.default.removeItem(at: config)
            #expect(try workspace.unchanged("config: \(name)"))
        }
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try corpusCase(table, "config: is a directory", ["fetch", "fashion", "--offline", "--root", workspace.root.path],
                       expect: 2, message: ["config.json", "cannot be read"], workspace: nil, timeout: 60)
        try FileManager.default.removeItem(at: config)
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the config cases"))
    }

    // MARK: - Malformed IDX and gzip files

    /// Broken files, generated: (name, role file name it poses as, bytes, words of the message).
    static func malformedFiles() -> [(String, String, [UInt8], String)] {
        let images = SyntheticFiles.images(count: 20)
        let labels = SyntheticFiles.labels((0..<20).map { UInt8($0 % 10) })
        let gz = SyntheticFiles.gzip(images)
        var crcFlipped = gz
        crcFlipped[crcFlipped.count - 8] ^= 0xFF
        var lengthFlipped = gz
        lengthFlipped[lengthFlipped.count - 1] ^= 0x01
        var dataFlipped = gz
        dataFlipped[gz.count / 2] ^= 0x55
        var wrongMagic = images
        wrongMagic[3] = 0x04
        var notU8 = images
        notU8[2] = 0x0D
        var zeroDim = images
        zeroDim.replaceSubrange(8..<12, with: SyntheticFiles.bigEndian(0))
        let hugeDims: [UInt8] = [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12) + [UInt8](repeating: 1, count: 64)
        var label10 = (0..<20).map { UInt8($0 % 10) }
        label10[7] = 10
        var label255 = label10
        label255[7] = 255
        // A bomb: a valid IDX header for 60000 images, then 64 MiB of zeros in 8 gzip members (~64 KiB).
        var bombHead = SyntheticFiles.images(count: 60000, rows: 28, columns: 28)
        bombHead.removeLast(bombHead.count - 16)
        let zeros = SyntheticFiles.gzip([UInt8](repeating: 0, count: 8 << 20))
        let bomb = SyntheticFiles.gzip(bombHead + [UInt8](repeating: 0, count: 8 << 20)) + Array([[UInt8]](repeating: zeros, count: 7).joined())
        let html = Array("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n".utf8)
        let ti = DatasetFiles.trainImages, tl = DatasetFiles.trainLabels
        return [
            ("wrong IDX magic", ti, SyntheticFiles.gzip(wrongMagic), "wrong IDX magic"),
            ("IDX element type not u8", ti, SyntheticFiles.gzip(notU8), "not unsigned byte"),
            ("IDX zero dimension", ti, SyntheticFiles.gzip(zeroDim), "dimension is zero"),
            ("IDX huge dimensions", ti, SyntheticFiles.gzip(hugeDims), "more bytes than any file"),
            ("IDX header cut short", ti, SyntheticFiles.gzip(Array(images.prefix(10))), "cut short"),
            ("IDX payload truncated", ti, SyntheticFiles.gzip(Array(images.dropLast(100))), "truncated"),
            ("IDX extra bytes", ti, SyntheticFiles.gzip(images + [1, 2, 3]), "extra byte"),
            ("uncompressed IDX", ti, images, "uncompressed IDX"),
            ("truncated gzip", ti, Array(gz.prefix(gz.count / 2)), "truncated gzip"),
            ("gzip cut in its trailer", ti, Array(gz.dropLast(3)), "truncated gzip"),
            ("trailing garbage", ti, gz + Array("garbage".utf8), "trailing garbage"),
            ("CRC flipped", ti, crcFlipped, "CRC"),
            ("length trailer flipped", ti, lengthFlipped, "CRC"),
            ("deflate byte flipped", ti, dataFlipped, "corrupt gzip|CRC|IDX"),
            ("gzip bomb (64 MiB from 64 KiB)", ti, bomb, "gzip bomb"),
            ("label 10", tl, SyntheticFiles.gzip(SyntheticFiles.labels(label10)), "label 10 at index 7"),
            ("label 255", tl, SyntheticFiles.gzip(SyntheticFiles.labels(label255)), "label 255 at index 7"),
            ("HTML error page", ti, html, "HTML page"),
            ("zip archive", ti, [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 40), "zip archive"),
            ("single 0x1f byte", ti, [0x1F], "truncated gzip"),
            ("labels posing as images", ti, SyntheticFiles.gzip(labels), "matches no known|labels where images|expected IDX3"),
            ("empty file", tl, [], "empty"),
        ]
    }

    @Test func malformedIDXAndGzipFilesAreNamed() throws {
        let workspace = try PopulatedWorkspace("corpus-files")
        let table = CorpusTable("malformed IDX/gzip files (verify FILE, verify DIR, import DIR)")
        var index = 0
        for (name, role, bytes, word) in Self.malformedFiles() {
            index += 1
            let folder = workspace.base.path("bad-\(index)")
            try SyntheticFiles.writeValidFolder(folder)
            let path = folder.appendingPathComponent(role)
            try Data(bytes).write(to: path)
            try corpusCase(table, "verify FILE: \(name)", ["verify", path.path, "--root", workspace.root.path],
                           expect: 3, message: [word], workspace: workspace)
            try corpusCase(table, "verify DIR: \(name)", ["verify", folder.path, "--as", "fashion", "--root", workspace.root.path],
                           expect: 3, message: [role, word], workspace: workspace)
            try corpusCase(table, "import DIR: \(name)", ["import", folder.path, "--as", "fashion", "--root", workspace.root.path, "--accept-unknown"],
                           expect: 3, message: ["refusing to import", role, word], workspace: workspace)
            try FileManager.default.removeItem(at: folder)
        }
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the malformed-file cases"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.root.appendingPathComponent(".fmnist/tmp").path).isEmpty)
    }

    // MARK: - Huge sparse file, directories where files belong

    @Test func hugeSparseFileIsRejectedWithBoundedWork() throws {
        let workspace = try PopulatedWorkspace("corpus-sparse")
        let table = CorpusTable("huge sparse file posing as images (20 GiB, no disk used)")
        let size: UInt64 = 20 << 30
        for (label, head) in [("zeros", [UInt8]()), ("gzip then zeros", Array(SyntheticFiles.gzip(SyntheticFiles.images(count: 200)).prefix(40_000)))] {
            let folder = workspace.base.path("sparse-\(label.replacingOccurrences(of: " ", with: "-"))")
            try SyntheticFiles.writeValidFolder(folder)
            let path = folder.appendingPathComponent(DatasetFiles.trainImages)
            try Data(head).write(to: path)
            let handle = try FileHandle(forWritingTo: path)
            try handle.truncate(atOffset: size)
            try handle.close()
            let word = head.isEmpty ? "not a gzip file" : "trailing garbage|corrupt gzip|truncated|bad IDX|IDX payload"
            try corpusCase(table, "verify FILE: sparse 20 GiB, \(label)", ["verify", path.path, "--root", workspace.root.path],
                           expect: 3, message: [word], workspace: workspace, maxSeconds: 30)
            try corpusCase(table, "verify DIR: sparse 20 GiB, \(label)", ["verify", folder.path, "--as", "fashion", "--root", workspace.root.path],
                           expect: 3, message: [DatasetFiles.trainImages], workspace: workspace, maxSeconds: 30)
            try corpusCase(table, "import DIR: sparse 20 GiB, \(label)", ["import", folder.path, "--as", "fashion", "--root", workspace.root.path],
                           expect: 3, message: [DatasetFiles.trainImages, "refusing to copy"], workspace: workspace, maxSeconds: 10)
            try FileManager.default.removeItem(at: folder)
        }
        table.print()
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.root.appendingPathComponent(".fmnist/tmp").path).isEmpty)
        #expect(try workspace.unchanged(deep: true, "after the sparse-file cases"))
    }

    @Test func directoriesWhereFilesBelongAreRefused() throws {
        let workspace = try PopulatedWorkspace("corpus-dirs")
        let table = CorpusTable("a directory (or file) where the other is expected")
        let folder = workspace.base.path("dir-as-file")
        try SyntheticFiles.writeValidFolder(folder)
        let imagePath = folder.appendingPathComponent(DatasetFiles.trainImages)
        try FileManager.default.removeItem(at: imagePath)
        try FileManager.default.createDirectory(at: imagePath, withIntermediateDirectories: true)
        let root = workspace.root.path
        try corpusCase(table, "verify DIR: train-images is a directory", ["verify", folder.path, "--as", "fashion", "--root", root],
                       expect: 3, message: [DatasetFiles.trainImages, "is a directory"], workspace: workspace)
        try corpusCase(table, "import DIR: train-images is a directory", ["import", folder.path, "--as", "fashion", "--root", root],
                       expect: 3, message: [DatasetFiles.trainImages, "is a directory"], workspace: workspace)
        try corpusCase(table, "import: source is a file", ["import", workspace.validSource.appendingPathComponent(DatasetFiles.trainLabels).path, "--as", "fashion", "--root", root],
                       expect: 2, message: ["is not a folder"], workspace: workspace)
        // A user's own folder and file where a link is asked for are never replaced.
        let userFolder = workspace.base.path("MNIST_data")
        try FileManager.default.createDirectory(at: userFolder, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: userFolder.appendingPathComponent("notes.txt"))
        try corpusCase(table, "switch --link at a real directory", ["switch", "fashion", "--link", userFolder.path, "--root", root],
                       expect: 7, message: ["not a symbolic link"], workspace: nil)
        let userFile = workspace.base.path("MNIST_file")
        try Data("mine".utf8).write(to: userFile)
        try corpusCase(table, "switch --link at a regular file", ["switch", "fashion", "--link", userFile.path, "--root", root],
                       expect: 7, message: ["not a symbolic link"], workspace: nil)
        #expect(try String(contentsOf: userFolder.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
        #expect(try String(contentsOf: userFile, encoding: .utf8) == "mine")
        // The workspace root is a file; the catalog is a directory.
        try corpusCase(table, "import --root at a regular file", ["import", workspace.validSource.path, "--as", "fashion", "--root", userFile.path] + workspace.importFlags,
                       expect: 7, message: ["cannot"], workspace: nil)
        #expect(try String(contentsOf: userFile, encoding: .utf8) == "mine")
        let odd = workspace.base.path("odd-root")
        try FileManager.default.createDirectory(at: odd.appendingPathComponent(".fmnist/catalog.sqlite3"), withIntermediateDirectories: true)
        try corpusCase(table, "catalog is a directory: status", ["status", "--root", odd.path], expect: 7, message: ["catalog"], workspace: nil)
        try corpusCase(table, "catalog is a directory: import", ["import", workspace.validSource.path, "--as", "fashion", "--root", odd.path] + workspace.importFlags,
                       expect: 7, message: ["catalog"], workspace: nil)
        #expect(!FileManager.default.fileExists(atPath: odd.appendingPathComponent("fashion").path))
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the directory cases"))
    }

    // MARK: - Read-only workspace, full disk

    @Test func readOnlyWorkspaceIsRefusedAndUntouched() throws {
        let workspace = try PopulatedWorkspace("corpus-readonly")
        let table = CorpusTable("read-only workspace")
        let root = workspace.root.path
        let q = Privileged.quote(root)
        var how = ""
        var undo = ""
        var modes: [(String, mode_t)] = []
        if getuid() != 0 {
            // chmod -R a-w, undone by putting back each entry's own mode (`chmod -R u+w` would leave
            // the 0555 version folders 0755: a change the deep comparison rightly reports).
            modes = Self.modes(under: root)
            for (path, mode) in modes { chmod(path, mode & ~0o222) }
            how = "chmod -R a-w"
        } else if Privileged.sh("mount --bind \(q) \(q) && mount -o remount,ro,bind \(q)").status == 0 {
            how = "read-only bind mount"; undo = "umount \(q)"
        } else if Privileged.sh("chattr -R +i \(q)").status == 0 {
            how = "chattr -R +i"; undo = "chattr -R -i \(q)"
        }
        guard !how.isEmpty else {
            try Test.cancel("read-only workspace: running as root without mount or chattr permission; root bypasses permission bits")
        }
        func restore() {
            if undo.isEmpty { for (path, mode) in modes.reversed() { chmod(path, mode) } } else { Privileged.sh(undo) }
        }
        defer { restore() }
        #expect(FileManager.default.isWritableFile(atPath: root) == false || how != "read-only bind mount")
        let mnistish = workspace.base.path("other-version")
        try SyntheticFiles.writeValidFolder(mnistish, seed: 3)
        try corpusCase(table, "import (\(how))", ["import", mnistish.path, "--as", "fashion", "--accept-unknown", "--root", root],
                       expect: 7, message: ["read-only|permission|cannot"], workspace: nil)
        try corpusCase(table, "import same version again (\(how))", ["import", workspace.validSource.path, "--as", "fashion", "--root", root] + workspace.importFlags,
                       expect: 7, message: ["read-only|permission|cannot"], workspace: nil)
        try corpusCase(table, "switch fashion (\(how))", ["switch", "fashion", "--root", root],
                       expect: 7, message: ["read-only|permission|cannot"], workspace: nil)
        if workspace.importFlags.isEmpty {
            // Nothing to write: fetching what is all here and verified succeeds (it was exit 7).
            try corpusCase(table, "fetch fashion, all present (\(how))", ["fetch", "fashion", "--offline", "--root", root],
                           expect: 0, message: ["already present and verified"], workspace: nil)
        }
        // Readers keep working: on read-only media the catalog is opened as immutable.
        try corpusCase(table, "verify fashion (\(how))", ["verify", "fashion", "--root", root],
                       expect: 0, message: ["verified"], workspace: nil)
        try corpusCase(table, "status (\(how))", ["status", "--root", root], expect: 0, message: ["fashion"], workspace: nil)
        restore()
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the read-only cases"))
    }

    /// Every folder and regular file at or under `path` with its permission bits (symbolic links
    /// are neither followed nor listed: chmod would change their targets).
    static func modes(under path: String) -> [(String, mode_t)] {
        var info = stat()
        guard lstat(path, &info) == 0 else { return [] }
        let type = info.st_mode & S_IFMT
        guard type == S_IFDIR || type == S_IFREG else { return [] }
        var result = [(path, info.st_mode & 0o7777)]
        if type == S_IFDIR {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                result += modes(under: path + "/" + name)
            }
        }
        return result
    }

    @Test func fullDiskIsRefusedAndLosesNothing() throws {
        let base = try TemporaryDirectory("corpus-full")
        let mountPoint = base.path("disk")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let q = Privileged.quote(mountPoint.path)
        let mounted = getuid() == 0 && Privileged.sh("mount -t tmpfs -o size=1m fmnist-full \(q)").status == 0
        defer { if mounted { Privileged.sh("umount \(q)") } }
        let table = CorpusTable(mounted ? "full disk (1 MiB tmpfs)" : "full disk (simulated: ulimit -f, writes fail with EFBIG)")
        let root = mountPoint.appendingPathComponent("data")
        // Small synthetic files so that the populated workspace fits on the small disk.
        let workspace = try PopulatedWorkspace("corpus-full", base: base, root: root, forceSynthetic: true)
        // A new version whose train-images is ~300 KiB of gzip even compressed (random pixels): more
        // than what is left on the filled tmpfs, and more than the simulated disk's 32 KiB file cap
        // (SyntheticFiles' patterned pixels compress to a few KiB, which fits under the cap: such an
        // import succeeds, rightly, and proves nothing about a full disk).
        let bigger = base.path("bigger-version")
        try SyntheticFiles.writeValidFolder(bigger, train: 400, test: 200, seed: 5)
        var random = SeededRandom(seed: 5)
        let noise = [0, 0, 0x08, 0x03] + [400, 28, 28].flatMap { SyntheticFiles.bigEndian(UInt32($0)) } + (0..<(400 * 784)).map { _ in random.byte() }
        try Data(SyntheticFiles.gzip(noise)).write(to: bigger.appendingPathComponent(DatasetFiles.trainImages))
        #expect(try FileManager.default.attributesOfItem(atPath: bigger.appendingPathComponent(DatasetFiles.trainImages).path)[.size] as? Int ?? 0 > 300_000)
        let filler = mountPoint.appendingPathComponent("filler")
        let environment: [String: String] = [:]
        var prefix: [String] = []
        if mounted {
            // Fill what is left, leaving no room for anything new.
            Privileged.sh("dd if=/dev/zero of=\(Privileged.quote(filler.path)) bs=4k 2>/dev/null; sync")
        } else {
            // Simulate: run fmnist through a shell that caps the file size it may write (SIGXFSZ ignored).
            prefix = ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\"", FMNISTProcess.executable.path]
            print("NOTE: full disk simulated with ulimit -f (mount -t tmpfs not permitted here)")
        }
        func run(_ name: String, _ args: [String], expect: Int32, message: [String]) throws {
            if prefix.isEmpty {
                try corpusCase(table, name, args, expect: expect, message: message, workspace: nil)
            } else {
                let result = try Self.runWrapped(prefix + args, environment: environment)
                #expect(result.status == expect, "\(name): \(result.status)\n\(result.output)")
                #expect(message.allSatisfy { result.output.lowercased().range(of: $0, options: .regularExpression) != nil },
                        "\(name): the output names none of \(message):\n\(result.output)")
                table.add(name, expected: expect, observed: result.status, ok: result.status == expect)
            }
            if mounted { try? FileManager.default.removeItem(at: filler) }
            #expect(try workspace.unchanged(name))
            if mounted { Privileged.sh("dd if=/dev/zero of=\(Privileged.quote(filler.path)) bs=4k 2>/dev/null; sync") }
        }
        try run("import a new version", ["import", bigger.path, "--as", "fashion", "--accept-unknown", "--root", root.path],
                expect: 7, message: ["no space left|file too large|disk i/o error|is full"])
        if mounted {
            // A full disk fails the catalog write of a switch too. A cap on the size of each file
            // cannot: a switch to a version already here writes a link and a few catalog pages,
            // all under the cap (it exits 0, rightly), so the simulation has no switch case.
            try run("switch fashion", ["switch", "fashion", "--root", root.path], expect: 7, message: ["no space left|file too large|full|cannot"])
        }
        if mounted { try? FileManager.default.removeItem(at: filler) }
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the full-disk cases"))
    }

    /// Runs a command line directly (for the simulated full disk), capturing combined output.
    static func runWrapped(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    // MARK: - Unknown dataset names, bad flags

    @Test func unknownDatasetsAndBadFlagsAreUsageErrors() throws {
        let workspace = try PopulatedWorkspace("corpus-flags")
        let table = CorpusTable("unknown dataset names and bad flags")
        let root = ["--root", workspace.root.path]
        let source = workspace.validSource.path
        let cases: [(String, [String], Int32, [String])] = [
            ("verify nosuch", ["verify", "nosuch"] + root, 2, ["neither a dataset"]),
            ("import --as nosuch", ["import", source, "--as", "nosuch"] + root, 2, ["unknown dataset \"nosuch\"", "known datasets"]),
            ("import --as ../evil", ["import", source, "--as", "../evil"] + root, 2, ["unknown dataset"]),
            ("import --as current", ["import", source, "--as", "current"] + root, 2, ["unknown dataset"]),
            ("import without --as", ["import", source] + root, 2, ["--as"]),
            ("switch nosuch", ["switch", "nosuch"] + root, 2, ["unknown dataset"]),
            ("switch ../../etc", ["switch", "../../etc"] + root, 2, ["unknown dataset"]),
            ("switch to an absent version", ["switch", "fashion@ffffffffffff"] + root, 4, ["no version \"ffffffffffff\""]),
            ("fetch nosuch", ["fetch", "nosuch", "--offline"] + root, 2, ["unknown dataset"]),
            ("smoke-train --dataset nosuch", ["smoke-train", "--dataset", "nosuch"] + root, 2, ["unknown dataset"]),
            ("smoke-train --epochs abc", ["smoke-train", "--epochs", "abc"] + root, 2, ["abc"]),
            ("preview nosuch", ["preview", "nosuch", "--out", workspace.base.path("x.png").path] + root, 2, ["unknown dataset"]),
            ("versions nosuch", ["versions", "nosuch"] + root, 2, ["unknown dataset"]),
            ("log --limit xyz", ["log", "--limit", "xyz"] + root, 2, ["xyz"]),
            ("import --lock-timeout soon", ["import", source, "--as", "fashion", "--lock-timeout", "soon"] + root, 2, ["soon"]),
            ("unknown flag", ["verify", "--bogus"] + root, 2, ["--bogus"]),
            ("unknown subcommand", ["frobnicate"] + root, 2, ["unknown|unexpected"]),
            ("--root without a value", ["verify", "--root"], 2, ["--root"]),
        ]
        for (name, args, status, words) in cases {
            try corpusCase(table, name, args, expect: status, message: words, workspace: workspace, timeout: 60)
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.base.path("x.png").path))
        table.print()
        #expect(try workspace.unchanged(deep: true, "after the flag cases"))
    }
}
