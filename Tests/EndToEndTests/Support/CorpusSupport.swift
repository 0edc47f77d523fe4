import FMNISTCore
import Foundation
import TestSupport
import Testing

/// The four file names of an MNIST-format dataset, by role.
enum DatasetFiles {
    static let trainImages = "train-images-idx3-ubyte.gz"
    static let trainLabels = "train-labels-idx1-ubyte.gz"
    static let testImages = "t10k-images-idx3-ubyte.gz"
    static let testLabels = "t10k-labels-idx1-ubyte.gz"
    static let all = [trainImages, trainLabels, testImages, testLabels]
}

/// Generates IDX payloads and gzip containers, valid and broken, for the bad-input corpus
/// (the builders are TestSupport's `SyntheticIDX`, shared by every test target).
enum SyntheticFiles {
    static func bigEndian(_ value: UInt32) -> [UInt8] { SyntheticIDX.bigEndian(value) }

    /// IDX3 images: magic 0x00000803, dims, pixels.
    static func images(count: Int, rows: Int = 28, columns: Int = 28, seed: Int = 7) -> [UInt8] {
        SyntheticIDX.images(count: count, rows: rows, columns: columns, seed: seed)
    }

    /// IDX1 labels: magic 0x00000801, count, values.
    static func labels(_ values: [UInt8]) -> [UInt8] { SyntheticIDX.labels(values) }

    static func gzip(_ payload: [UInt8]) -> [UInt8] { SyntheticIDX.gzip(payload) }

    /// Writes four valid (but unknown) Fashion-named files: `train` and `test` samples.
    static func writeValidFolder(_ directory: URL, train: Int = 20, test: Int = 10, seed: Int = 7) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files: [(String, [UInt8])] = [
            (DatasetFiles.trainImages, images(count: train, seed: seed)),
            (DatasetFiles.trainLabels, labels((0..<train).map { UInt8(($0 + seed) % 10) })),
            (DatasetFiles.testImages, images(count: test, seed: seed + 1)),
            (DatasetFiles.testLabels, labels((0..<test).map { UInt8(($0 + seed) % 10) })),
        ]
        for (name, payload) in files { try Data(gzip(payload)).write(to: directory.appendingPathComponent(name)) }
    }
}

/// One row of the corpus table.
struct CorpusRow {
    let name: String
    let expected: Int32
    let observed: Int32
    let ok: Bool
}

/// Collects a group's rows and prints them as a compact table for CI logs.
final class CorpusTable {
    let group: String
    private(set) var rows: [CorpusRow] = []
    init(_ group: String) { self.group = group }

    func add(_ name: String, expected: Int32, observed: Int32, ok: Bool) {
        rows.append(CorpusRow(name: name, expected: expected, observed: observed, ok: ok))
    }

    func print() {
        let width = max(4, rows.map(\.name.count).max() ?? 0)
        var lines = ["bad-input corpus — \(group): \(rows.count) cases, \(rows.filter(\.ok).count) as expected"]
        lines.append("  " + "case".padding(toLength: width, withPad: " ", startingAt: 0) + "  expected  observed")
        for row in rows {
            lines.append(
                "  " + row.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  \(String(row.expected).padding(toLength: 8, withPad: " ", startingAt: 0))  \(row.observed)\(row.ok ? "" : "  ✗")")
        }
        Swift.print(lines.joined(separator: "\n"))
    }
}

/// A workspace populated before the corpus runs against it, and proof that nothing in it changed.
///
/// With `FMNIST_DATA_DIR` it holds the real Fashion-MNIST (`fmnist import … --as fashion`);
/// without it, four small synthetic files imported with `--accept-unknown`.
final class PopulatedWorkspace {
    let base: TemporaryDirectory
    let root: URL
    /// A folder holding four valid Fashion-named files (real or synthetic) that import accepts.
    let validSource: URL
    /// Extra import flags the valid source needs (`--accept-unknown` for synthetic files).
    let importFlags: [String]
    private var fullSnapshot: [String: String] = [:]
    private var quickSnapshot: [String: String] = [:]
    private var catalogSnapshot = ""

    init(_ label: String, base existing: TemporaryDirectory? = nil, root explicitRoot: URL? = nil, forceSynthetic: Bool = false) throws {
        base = try existing ?? TemporaryDirectory(label)
        root = explicitRoot ?? base.path("data")
        if RealData.available && !forceSynthetic {
            validSource = RealData.fashion
            importFlags = []
        } else {
            validSource = base.path("synthetic-fashion")
            try SyntheticFiles.writeValidFolder(validSource)
            importFlags = ["--accept-unknown"]
        }
        let result = try FMNISTProcess.run(["import", validSource.path, "--as", "fashion", "--root", root.path] + importFlags)
        #expect(result.status == 0, "populating the workspace failed: \(result.stderr)")
        try remember()
    }

    /// Records the state to compare against.
    func remember() throws {
        fullSnapshot = try Self.snapshot(root, hashing: true)
        quickSnapshot = try Self.snapshot(root, hashing: false)
        catalogSnapshot = try Self.catalogState(root)
    }

    /// Whether nothing changed since `remember()`; `deep` re-hashes every byte.
    func unchanged(deep: Bool = false, _ context: String) throws -> Bool {
        let files = deep ? try Self.snapshot(root, hashing: true) : try Self.snapshot(root, hashing: false)
        let expected = deep ? fullSnapshot : quickSnapshot
        let catalog = try Self.catalogState(root)
        var same = true
        if files != expected {
            let changed = Set(files.keys).union(expected.keys).filter { files[$0] != expected[$0] }.sorted()
            Issue.record("\(context): workspace changed: \(changed.prefix(8))")
            same = false
        }
        if catalog != catalogSnapshot {
            Issue.record("\(context): catalog changed or damaged:\n\(catalog)\n--- was ---\n\(catalogSnapshot)")
            same = false
        }
        return same
    }

    /// Every path under `root` (hidden ones included) with its type and, for files, either its
    /// SHA-256 (`hashing`) or its size, inode, mtime and ctime. The lock file and the catalog
    /// files are left out: the catalog is compared by content (``catalogState(_:)``).
    static func snapshot(_ root: URL, hashing: Bool) throws -> [String: String] {
        var result: [String: String] = [:]
        var regular: [String] = []
        let prefix = root.path + "/"
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [:] }
        while let relative = enumerator.nextObject() as? String {
            if relative == ".fmnist/lock" || relative.hasPrefix(".fmnist/catalog.sqlite3") { continue }
            var info = stat()
            guard lstat(prefix + relative, &info) == 0 else { continue }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            switch info.st_mode & S_IFMT {
            case S_IFDIR: result[relative] = "dir \(mode)"
            case S_IFLNK:
                result[relative] = "link -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: prefix + relative)) ?? "?")
            case S_IFREG:
                if hashing {
                    regular.append(relative)
                } else {
                    result[relative] = "file \(mode) \(info.st_size) ino \(info.st_ino) m \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) c \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
                }
            default: result[relative] = "other"
            }
        }
        if !regular.isEmpty {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sha256sum", "--"] + regular
            process.currentDirectoryURL = root
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2 else { continue }
                result[String(parts[1].drop { $0 == " " || $0 == "*" })] = "file sha256 \(parts[0])"
            }
        }
        return result
    }

    /// `PRAGMA integrity_check` plus every table but `events` (which legitimately records refusals),
    /// through python's sqlite3, independent of fmnist's own wrapper.
    static func catalogState(_ root: URL) throws -> String {
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            out = ['integrity_check: ' + c.execute('PRAGMA integrity_check').fetchone()[0]]
            for (t,) in c.execute("select name from sqlite_master where type='table' and name not like 'sqlite_%' and name != 'events' order by name").fetchall():
                out.append(t + ': ' + repr(sorted(repr(r) for r in c.execute('select * from ' + t).fetchall())))
            print('\\n'.join(out))
            """
        let result = try DropIn.python(script, [catalog.path])
        return result.stdout + result.stderr
    }
}

/// Runs one corpus case: the command's exit status, its message, no crash, nothing changed.
@discardableResult
func corpusCase(
    _ table: CorpusTable, _ name: String, _ arguments: [String], expect: Int32, message: [String],
    workspace: PopulatedWorkspace?, environment: [String: String] = [:], timeout: TimeInterval = 120,
    maxSeconds: Double? = nil
) throws -> FMNISTProcess.Result {
    let start = Date()
    let result = try FMNISTProcess.run(arguments, environment: environment, timeout: timeout)
    let seconds = Date().timeIntervalSince(start)
    var ok = result.status == expect
    #expect(result.status == expect, "\(name): exit \(result.status), expected \(expect)\n\(result.stderr.prefix(2000))")
    let output = (result.stderr + result.stdout).lowercased()
    // A message is a list of alternatives separated by "|"; each entry must match one of them.
    for needle in message where !needle.split(separator: "|").contains(where: { output.contains($0.lowercased()) }) {
        Issue.record("\(name): message lacks \"\(needle)\":\n\(result.stderr.prefix(2000))")
        ok = false
    }
    for crash in ["fatal error", "swift runtime failure", "backtrac", "illegal instruction", "segmentation"] where output.contains(crash) {
        Issue.record("\(name): crashed:\n\(result.stderr.prefix(3000))")
        ok = false
    }
    if let maxSeconds, seconds > maxSeconds {
        Issue.record("\(name): took \(String(format: "%.1f", seconds)) s, more than \(maxSeconds) s")
        ok = false
    }
    if let workspace, try !workspace.unchanged(name) { ok = false }
    table.add(name, expected: expect, observed: result.status, ok: ok)
    return result
}

/// Mounting and attribute helpers for the read-only and full-disk cases (root only; each says
/// whether it worked so the caller can fall back).
enum Privileged {
    @discardableResult
    static func sh(_ command: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        do { try process.run() } catch { return (127, "\(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func quote(_ path: String) -> String { "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
