import Foundation
import Testing

/// `fmnist import` and the read-only listings, run as a user would.
@Suite(.serialized) struct ImportEndToEndTests {
    @Test(.realData) func importRecordsAKnownVersionAndIsIdempotent() throws {
        let base = try TemporaryDirectory("import")
        let root = base.path("data")
        let first = try FMNISTProcess.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let json = try first.json()
        let version = try #require(json["version"] as? [String: Any])
        #expect(version["name"] as? String == "2017-08-31")
        #expect(version["known"] as? Bool == true)
        #expect((version["short_id"] as? String)?.count == 12)
        #expect(json["already_stored"] as? Bool == false)
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            #expect(try Data(contentsOf: root.appendingPathComponent("fashion/\(name)")) == Data(contentsOf: RealData.fashion.appendingPathComponent(name)))
        }
        let again = try FMNISTProcess.run(["import", RealData.fashion.path, "--as", "fashion-mnist", "--root", root.path, "--json"])
        #expect(again.status == 0)
        #expect(try again.json()["already_stored"] as? Bool == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/store/sha256").path).count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/tmp").path).isEmpty)
        let status = try FMNISTProcess.run(["status", "--root", root.path])
        #expect(status.status == 0)
        #expect(status.stderr.contains("fashion  present  2017-08-31"))
        #expect(status.stderr.contains("mnist    absent   (run: fmnist fetch mnist)"))
        let log = try FMNISTProcess.run(["log", "--root", root.path, "--limit", "1", "--json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(events.count == 1)
        #expect((events[0]["event"] as? [String: Any])?["kind"] as? String == "import")
    }

    @Test(.realData) func importRefusesTheOtherDatasetsFiles() throws {
        let base = try TemporaryDirectory("import-wrong")
        let root = base.path("data")
        let result = try FMNISTProcess.run(["import", RealData.mnist.path, "--as", "fashion", "--root", root.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("this is MNIST's train-images"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("fashion").path))
        let log = try FMNISTProcess.run(["log", "--root", root.path, "--json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let event = try #require(events.first?["event"] as? [String: Any])
        #expect(event["kind"] as? String == "import")
        #expect(event["result"] as? String == "failed")
        let versions = try FMNISTProcess.run(["versions", "--root", root.path, "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [Any])?.isEmpty == true)
    }

    @Test(.realDataWithOldLabels) func unknownContentIsRefusedUnlessAcceptedThenFlaggedEverywhere() throws {
        let base = try TemporaryDirectory("import-unknown")
        let root = base.path("data")
        let folder = base.path("old-fashion")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        for name in ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try RealData.copyFile(at: RealData.oldFashionLabels.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let refused = try FMNISTProcess.run(["import", folder.path, "--as", "fashion", "--root", root.path])
        #expect(refused.status == 8)
        #expect(refused.stderr.contains("matches no known version"))
        #expect(refused.stderr.contains("--accept-unknown"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("fashion").path))

        let accepted = try FMNISTProcess.run(["import", folder.path, "--as", "fashion", "--accept-unknown", "--root", root.path, "--json"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let version = try #require(try accepted.json()["version"] as? [String: Any])
        #expect(version["known"] as? Bool == false)
        #expect(version["name"] as? String == "unknown")
        #expect((version["label"] as? String)?.hasPrefix("UNKNOWN (") == true)
        #expect(accepted.stderr.contains("recorded as UNKNOWN"))

        let status = try FMNISTProcess.run(["status", "--root", root.path])
        #expect(status.stderr.contains("UNKNOWN"))
        let versions = try FMNISTProcess.run(["versions", "--root", root.path])
        #expect(versions.stderr.contains("UNKNOWN"))
        let log = try FMNISTProcess.run(["log", "--root", root.path])
        #expect(log.stderr.contains("UNKNOWN ("))
        // Accepted unknown content now verifies as such.
        #expect(try FMNISTProcess.run(["switch", "fashion", "--deep", "--root", root.path]).status == 0)
    }

    @Test func importOfAFolderWithoutTheFilesSaysWhichAreMissing() throws {
        let base = try TemporaryDirectory("import-missing")
        let empty = base.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try FMNISTProcess.run(["import", empty.path, "--as", "mnist", "--root", base.path("data").path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("train-images-idx3-ubyte.gz: missing"))
        // The hint lists every layout import reads, in the order it tries them (from the one registry).
        let everyLayout = "give a folder of the four .gz files, a folder of the four uncompressed IDX payloads, a torchvision root, "
            + "a keras cache, a TFDS manual dir, a folder of Kaggle-format CSVs, an .npz of the four arrays, an export png folder "
            + "or an export hf (Parquet) folder"
        #expect(result.stderr.contains(everyLayout), "\(result.stderr)")
        let notAFolder = try FMNISTProcess.run(["import", base.path("nope").path, "--as", "mnist", "--root", base.path("data").path])
        #expect(notAFolder.status == 2)
    }

    @Test(.realData) func aTruncatedFileIsRefusedAndNamed() throws {
        let base = try TemporaryDirectory("import-truncated")
        let folder = base.path("mnist")
        try RealData.writableCopy(of: RealData.mnist, to: folder)
        let victim = folder.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        let bytes = try Data(contentsOf: victim)
        try bytes.prefix(bytes.count / 2).write(to: victim)
        let result = try FMNISTProcess.run(["import", folder.path, "--as", "mnist", "--root", base.path("data").path, "--json"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("t10k-images-idx3-ubyte.gz"))
        #expect(result.stderr.contains("truncated"))
        #expect(try result.json()["exit_code"] as? Int == 3)
    }

    /// A --root with no workspace is said to be one (exit 4), not shown as an empty workspace; an
    /// empty workspace (its .fmnist/ made, nothing recorded yet) is shown as such. Neither is written.
    @Test func readOnlyCommandsSayNoWorkspaceOrShowAnEmptyOneAndCreateNothing() throws {
        let base = try TemporaryDirectory("empty-ws")
        let root = base.path("data")
        let commands = [["status"], ["versions"], ["versions", "mnist"], ["log", "--limit", "5"], ["switch"]]
        for command in commands {
            let result = try FMNISTProcess.run(command + ["--root", root.path, "--json"])
            #expect(result.status == 4, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("no workspace at \(root.path)"), "\(command): \(result.stderr)")
            #expect(try result.json()["exit_code"] as? Int == 4, "\(command) prints the error as JSON")
        }
        #expect(!FileManager.default.fileExists(atPath: root.path))
        #expect(try FMNISTProcess.run(["versions", "cifar", "--root", root.path]).status == 2)
        let privateArea = root.appendingPathComponent(".fmnist")
        try FileManager.default.createDirectory(at: privateArea, withIntermediateDirectories: true)
        for command in commands {
            let result = try FMNISTProcess.run(command + ["--root", root.path, "--json"])
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil, "\(command) prints JSON")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [".fmnist"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: privateArea.path).isEmpty)
    }

    @Test func aCorruptCatalogIsReportedAndNeverOverwritten() throws {
        let base = try TemporaryDirectory("corrupt-catalog")
        let root = base.path("data")
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        try FileManager.default.createDirectory(at: catalog.deletingLastPathComponent(), withIntermediateDirectories: true)
        let garbage = Data("<html>not a database</html>".utf8)
        try garbage.write(to: catalog)
        for command in [["status"], ["versions"], ["log"], ["switch", "fashion"]] {
            let result = try FMNISTProcess.run(command + ["--root", root.path])
            #expect(result.status == 7, "\(command)")
            #expect(result.stderr.contains("corrupt or not an SQLite database"))
            #expect(result.stderr.contains("mv \(catalog.path)"))
        }
        #expect(try Data(contentsOf: catalog) == garbage)
    }

    @Test func aCatalogFromANewerFmnistIsRefused() throws {
        let base = try TemporaryDirectory("newer-catalog")
        let root = base.path("data")
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        try FileManager.default.createDirectory(at: catalog.deletingLastPathComponent(), withIntermediateDirectories: true)
        let made = try DropIn.python(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE future(x)'); c.execute('PRAGMA user_version = 42'); c.commit()",
            [catalog.path])
        #expect(made.status == 0)
        let result = try FMNISTProcess.run(["status", "--root", root.path, "--json"])
        #expect(result.status == 7)
        #expect(result.stderr.contains("schema version 42"))
        #expect(try result.json()["exit_code"] as? Int == 7)
    }
}
