import Foundation
import TestSupport
import Testing

/// Runs the built `fmnist` executable and captures its output and exit status.
///
/// The binary is found through `FMNIST_BIN` (CI points it at a release build), else next to
/// the test bundle in the build directory (`.build/<triple>/<config>/fmnist`).
struct FMNISTProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Parses stdout as a JSON object.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return object
        }
    }

    /// The path of the `fmnist` executable under test.
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["FMNIST_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // The test bundle lives in the build products directory beside the executable.
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("fmnist")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/fmnist")
        return fallback
    }()

    /// Runs `fmnist` with `arguments`, extra environment and an optional working directory.
    ///
    /// Without `currentDirectory` the process runs in a fresh, empty scratch folder (removed
    /// afterwards), never in the test runner's directory (the repository): fmnist reads `./data`
    /// by default (`doctor` scans it as a loader cache), and the user's `./data` must not change
    /// what a test sees.
    @discardableResult
    static func run(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        timeout: TimeInterval = 300
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "FMNIST_ROOT")
        env.removeValue(forKey: "FMNIST_MIRRORS")
        env.removeValue(forKey: "FMNIST_MANIFESTS")
        // As an installed fmnist: its folder first on PATH, so that the output names commands
        // `fmnist …` (it names the invoked path when PATH would not find it; a test may set PATH).
        env["PATH"] = executable.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let scratch = currentDirectory == nil ? try TemporaryDirectory("fmnist-cwd") : nil
        process.currentDirectoryURL = currentDirectory ?? scratch?.url
        defer { withExtendedLifetime(scratch) {} }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes concurrently so a chatty process never blocks on a full pipe.
        let outData = LockedData()
        let errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            // SIGKILL: the test runner's children may inherit a blocked SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            Issue.record("fmnist \(arguments.joined(separator: " ")) timed out after \(timeout)s")
        }
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self))
    }
}

/// Thread-safe holder for pipe output.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Where the real MNIST / Fashion-MNIST files are: `FMNIST_DATA_DIR`, in one of two layouts.
///
/// - the shared layout (`../shared/data`): `fashion-mnist/` and `mnist/`, each with the four `.gz`
///   files, and optionally `fashion-mnist-2017-08-26/` with the superseded release's two label files;
/// - a workspace root (`data/` after `fmnist fetch all`): `fashion/` and `mnist/`.
///
/// Tests that need the files carry the ``Trait/realData`` trait (or ``Trait/realDataWithOldLabels``),
/// so that without them the test runner itself reports them as skipped. When `FMNIST_DATA_DIR` is
/// set but holds neither layout, `RealDataLayoutTests` fails with a message saying what is needed.
enum RealData {
    /// The folders found under a data directory.
    struct Located: Equatable {
        enum Layout: String { case shared, workspace }
        let layout: Layout
        let fashion: URL
        let mnist: URL
        /// `fashion-mnist-2017-08-26/` (shared layout only), when it holds both label files.
        let oldFashionLabels: URL?
    }

    static let names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

    /// `FMNIST_DATA_DIR`, when set and not empty.
    static let setting: String? = {
        guard let path = ProcessInfo.processInfo.environment["FMNIST_DATA_DIR"], !path.isEmpty else { return nil }
        return path
    }()

    /// The layout `FMNIST_DATA_DIR` holds, or nil (unset, or neither layout: see ``problem``).
    static let located: Located? = setting.flatMap { try? locate($0).get() }

    /// Why a set `FMNIST_DATA_DIR` cannot be used, or nil.
    static let problem: String? = setting.flatMap { path in
        if case .failure(let failure) = locate(path) { return failure.message }
        return nil
    }

    struct LayoutProblem: Error, Equatable { let message: String }

    /// Finds either layout under `path` (symlinked folders are followed).
    static func locate(_ path: String) -> Result<Located, LayoutProblem> {
        let root = URL(fileURLWithPath: path)
        func complete(_ folder: String, _ files: [String] = names) -> URL? {
            let url = root.appendingPathComponent(folder).resolvingSymlinksInPath()
            for name in files {
                guard let type = try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).resolvingSymlinksInPath().path)[.type] as? FileAttributeType,
                    type == .typeRegular
                else { return nil }
            }
            return url
        }
        if let fashion = complete("fashion-mnist"), let mnist = complete("mnist") {
            let old = complete("fashion-mnist-2017-08-26", ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
            return .success(Located(layout: .shared, fashion: fashion, mnist: mnist, oldFashionLabels: old))
        }
        if let fashion = complete("fashion"), let mnist = complete("mnist") {
            return .success(Located(layout: .workspace, fashion: fashion, mnist: mnist, oldFashionLabels: nil))
        }
        return .failure(LayoutProblem(message: """
            FMNIST_DATA_DIR=\(path) holds neither layout the real-data tests read: either the shared layout \
            (fashion-mnist/ and mnist/, each with \(names.joined(separator: ", ")); optionally \
            fashion-mnist-2017-08-26/ with the two old label files), or a workspace root (fashion/ and mnist/ with the \
            same four files, e.g. ./data after `fmnist fetch all`). Point FMNIST_DATA_DIR at one, or unset it to skip them.
            """))
    }

    /// Copies the files of a real-data folder into a new, writable folder `destination` (files
    /// 0644, folder 0755). `FileManager.copyItem` of the folder itself keeps the source's modes,
    /// and the shared data is read-only (0555 folders, 0444 files): as a user other than root
    /// nothing can be written into such a copy, nor can it be deleted.
    static func writableCopy(of folder: URL, to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let source = folder.appendingPathComponent(name).resolvingSymlinksInPath()
            guard (try? source.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let target = destination.appendingPathComponent(name)
            try Data(contentsOf: source).write(to: target)
            chmod(target.path, 0o644)
        }
    }

    /// Copies one real file to `target` as a writable (0644) file of the user running the tests,
    /// as a download or `cp` leaves it: the shared real files may be read-only (0444), and
    /// `FileManager.copyItem` keeps that mode, which stops a user other than root from changing
    /// the copy later in the test.
    static func copyFile(at source: URL, to target: URL) throws {
        try Data(contentsOf: source.resolvingSymlinksInPath()).write(to: target)
        chmod(target.path, 0o644)
    }

    static var available: Bool { located != nil }
    static var hasOldFashionLabels: Bool { located?.oldFashionLabels != nil }
    static var fashion: URL { located!.fashion }
    static var mnist: URL { located!.mnist }
    /// The folder of the 2017-08-26 label files (only with ``hasOldFashionLabels``).
    static var oldFashionLabels: URL { located!.oldFashionLabels! }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only with the real files (`FMNIST_DATA_DIR`); otherwise the runner reports it
    /// as skipped, with this comment (which `.ci/run` looks for).
    static var realData: Self {
        .enabled(if: RealData.available, "needs FMNIST_DATA_DIR: the real files in the shared layout (fashion-mnist/, mnist/) or a workspace root (fashion/, mnist/)")
    }

    /// Runs the test only with the real files and the superseded 2017-08-26 Fashion-MNIST labels.
    static var realDataWithOldLabels: Self {
        .enabled(if: RealData.hasOldFashionLabels, "needs FMNIST_DATA_DIR in the shared layout with fashion-mnist-2017-08-26/ (the old labels)")
    }
}

/// A fresh temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    init(_ label: String = "fmnist-e2e") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    /// Read-only version folders included (`chmod -R u+w` first, as a user who is not root must).
    deinit { ScratchFolder.remove(url) }
    func path(_ component: String) -> URL { url.appendingPathComponent(component) }
}
