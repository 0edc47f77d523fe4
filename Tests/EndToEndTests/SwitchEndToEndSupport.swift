import Foundation
import Testing

/// Helpers shared by the switch and import end-to-end tests.
enum DropIn {
    /// The loader from the Fashion-MNIST README (`utils/mnist_reader.py`), unchanged in spirit:
    /// gzip plus numpy `frombuffer` at offsets 8 and 16. Prints shapes and class histograms as JSON.
    static let loader = """
        import gzip, json, os, sys
        import numpy as np

        def load_mnist(path, kind='train'):
            labels_path = os.path.join(path, '%s-labels-idx1-ubyte.gz' % kind)
            images_path = os.path.join(path, '%s-images-idx3-ubyte.gz' % kind)
            with gzip.open(labels_path, 'rb') as lbpath:
                labels = np.frombuffer(lbpath.read(), dtype=np.uint8, offset=8)
            with gzip.open(images_path, 'rb') as imgpath:
                images = np.frombuffer(imgpath.read(), dtype=np.uint8, offset=16).reshape(len(labels), 784)
            return images, labels

        X_train, y_train = load_mnist(sys.argv[1], kind='train')
        X_test, y_test = load_mnist(sys.argv[1], kind='t10k')
        print(json.dumps({
            'train_shape': list(X_train.shape), 'test_shape': list(X_test.shape),
            'train_hist': np.bincount(y_train, minlength=10).tolist(),
            'test_hist': np.bincount(y_test, minlength=10).tolist(),
        }))
        """

    static let fashionTrain = Array(repeating: 6000, count: 10)
    static let fashionTest = Array(repeating: 1000, count: 10)
    static let mnistTrain = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    static let mnistTest = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    struct Loaded: Decodable, Equatable {
        let train_shape: [Int]
        let test_shape: [Int]
        let train_hist: [Int]
        let test_hist: [Int]
    }

    /// Runs the loader on `path` (e.g. `data/current`).
    static func load(_ path: URL) throws -> Loaded {
        let result = try python(loader, [path.path])
        guard result.status == 0 else { throw LoaderFailed(message: result.stderr) }
        return try JSONDecoder().decode(Loaded.self, from: Data(result.stdout.utf8))
    }

    struct LoaderFailed: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Runs a python3 script with arguments and captures its output.
    static func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// `PRAGMA integrity_check` of a catalog, through python's sqlite3 (independent of fmnist's wrapper).
    static func integrityCheck(_ catalog: URL) throws -> String {
        let result = try python(
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
            [catalog.path])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + result.stderr
    }

    /// A workspace `<tmp>/data` with both real datasets imported (not yet switched).
    static func workspaceWithBoth(_ label: String) throws -> (TemporaryDirectory, URL) {
        let base = try TemporaryDirectory(label)
        let root = base.path("data")
        for (folder, dataset) in [(RealData.fashion, "fashion"), (RealData.mnist, "mnist")] {
            let result = try FMNISTProcess.run(["import", folder.path, "--as", dataset, "--root", root.path])
            #expect(result.status == 0, "import \(dataset): \(result.stderr)")
        }
        return (base, root)
    }

    /// Runs several fmnist commands at once (one thread each) and returns their results in order.
    static func runConcurrently(_ commands: [[String]]) -> [FMNISTProcess.Result?] {
        let results = ResultBox(count: commands.count)
        let group = DispatchGroup()
        for (index, arguments) in commands.enumerated() {
            group.enter()
            let thread = Thread {
                results.set(index, try? FMNISTProcess.run(arguments, timeout: 240))
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.all()
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [FMNISTProcess.Result?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: FMNISTProcess.Result?) { lock.lock(); values[index] = value; lock.unlock() }
        func all() -> [FMNISTProcess.Result?] { lock.lock(); defer { lock.unlock() }; return values }
    }
}
