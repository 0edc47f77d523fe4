import Foundation
import Testing

/// `fmnist smoke-train` on real data: passes on the real datasets, fails with a clear
/// interpretation on shuffled labels and on MNIST posing as Fashion-MNIST.
@Suite(.serialized) struct SmokeTrainEndToEndTests {
    /// A workspace with `fashion/` and `mnist/` folders holding copies of the real files.
    func workspace() throws -> TemporaryDirectory {
        let workspace = try TemporaryDirectory("smoke")
        for (folder, source) in [("fashion", RealData.fashion), ("mnist", RealData.mnist)] {
            let target = workspace.path(folder)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
                try RealData.copyFile(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
            }
        }
        return workspace
    }

    @Test(.realData, arguments: ["fashion", "mnist"])
    func realDataPassesTheSanityBand(dataset: String) throws {
        let ws = try workspace()
        let result = try FMNISTProcess.run(["smoke-train", "--dataset", dataset, "--root", ws.url.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(verdict["passed"] as? Bool == true)
        let report = try #require(json["report"] as? [String: Any])
        let accuracy = try #require(report["test_accuracy"] as? Double)
        #expect(accuracy > (dataset == "fashion" ? 0.8 : 0.95))
        let confusion = try #require(report["confusion"] as? [[Int]])
        #expect(confusion.count == 10 && confusion.joined().reduce(0, +) == 10000)
        #expect(json["recorded"] as? Bool == true)
        #expect(result.stderr.contains("confusion matrix"))
        #expect(result.stderr.contains(dataset == "fashion" ? "Ankle boot" : "9"))
        // The run is in the catalog, against the version id.
        let log = try FMNISTProcess.run(["log", "--root", ws.url.path, "--json"])
        #expect(log.stdout.contains("smoke-train"))
        #expect(log.stdout.contains(json["version_id"] as! String))
    }

    @Test(.realData) func shuffledLabelsFailAtChanceLevel() throws {
        let ws = try workspace()
        let labels = ws.path("fashion/train-labels-idx1-ubyte.gz").path
        // Shuffle the training labels (header kept), so images and labels no longer match.
        let shuffle = Process()
        shuffle.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        shuffle.arguments = ["python3", "-c", """
            import gzip, random, sys
            data = gzip.open(sys.argv[1]).read()
            labels = bytearray(data[8:]); random.Random(1).shuffle(labels)
            gzip.open(sys.argv[1], 'wb').write(data[:8] + bytes(labels))
            """, labels]
        try shuffle.run()
        shuffle.waitUntilExit()
        #expect(shuffle.terminationStatus == 0)
        let result = try FMNISTProcess.run(["smoke-train", "--dataset", "fashion", "--root", ws.url.path])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr.contains("chance level"))
    }

    @Test(.realData) func mnistInTheFashionFolderIsCalledOut() throws {
        let ws = try workspace()
        try FileManager.default.removeItem(at: ws.path("fashion"))
        try FileManager.default.copyItem(at: ws.path("mnist"), to: ws.path("fashion"))
        let result = try FMNISTProcess.run(["smoke-train", "--dataset", "fashion", "--root", ws.url.path])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr.contains("probably MNIST"))
    }

    @Test(.realData) func tinyRunsAreNotBlamedOnTheData() throws {
        let ws = try workspace()
        let result = try FMNISTProcess.run(["smoke-train", "--dataset", "mnist", "--root", ws.url.path, "--limit", "200"])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr.contains("rerun without --limit"))
    }

    /// A learning rate far too large drives the loss to NaN: the run is reported as diverged
    /// (exit 6, `null` figures and `"outcome": "diverged"` in JSON), never as an internal error,
    /// and it is recorded. Synthetic data, so it runs without FMNIST_DATA_DIR.
    @Test func aDivergingRunIsReportedWithNullFiguresAndExit6() throws {
        let ws = try TemporaryDirectory("smoke-diverge")
        try SyntheticFiles.writeValidFolder(ws.path("synthetic"))
        let root = ws.path("data").path
        let imported = try FMNISTProcess.run(["import", ws.path("synthetic").path, "--as", "fashion", "--accept-unknown", "--root", root])
        #expect(imported.status == 0, "\(imported.stderr)")
        let result = try FMNISTProcess.run([
            "smoke-train", "--dataset", "fashion", "--lr", "100", "--batch", "4", "--epochs", "3", "--limit", "20", "--root", root, "--json",
        ])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr.contains("FAIL: the training diverged (learning rate 100.0)"))
        #expect(result.stderr.contains("loss NaN (diverged)"))
        #expect(!result.stderr.contains("Error:"))
        let json = try result.json()
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(verdict["outcome"] as? String == "diverged")
        #expect(verdict["passed"] as? Bool == false)
        #expect(json["exit_status"] as? Int == 6)
        let report = try #require(json["report"] as? [String: Any])
        #expect(report["test_loss"] is NSNull)
        let epochs = try #require(report["epochs"] as? [[String: Any]])
        #expect(epochs.count == 3 && epochs.allSatisfy { $0["train_loss"] is NSNull })
        #expect(json["recorded"] as? Bool == true)
        // The catalog holds the run, and log --json still parses, with a null loss.
        let log = try FMNISTProcess.run(["log", "--root", root, "--json"])
        #expect(log.status == 0, "\(log.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let details = try #require((entries.first?["event"] as? [String: Any])?["details"] as? [String: Any])
        #expect(details["loss"] is NSNull)
        #expect((details["verdict"] as? String)?.contains("diverged") == true)
    }

    /// Off the calibrated optimiser settings (another --lr, --batch or --optimizer) the verdict is
    /// "inconclusive": exit 0, said plainly, `verdict.outcome` "inconclusive" in JSON, recorded and
    /// shown as such by `versions`; the same data at the calibrated settings is judged (and, being
    /// tiny synthetic data, fails: exit 6). Synthetic data, so it runs without FMNIST_DATA_DIR.
    @Test func offTheCalibratedSettingsTheVerdictIsInconclusiveAndExitsZero() throws {
        let ws = try TemporaryDirectory("smoke-inconclusive")
        try SyntheticFiles.writeValidFolder(ws.path("synthetic"))
        let root = ws.path("data").path
        let imported = try FMNISTProcess.run(["import", ws.path("synthetic").path, "--as", "fashion", "--accept-unknown", "--root", root])
        #expect(imported.status == 0, "\(imported.stderr)")
        for flags in [["--lr", "0.001"], ["--batch", "1024"], ["--optimizer", "adam"]] {
            let result = try FMNISTProcess.run(["smoke-train", "fashion", "--threads", "1", "--root", root, "--json"] + flags)
            #expect(result.status == 0, "\(flags): \(result.stderr)")
            let json = try result.json()
            let verdict = try #require(json["verdict"] as? [String: Any])
            #expect(verdict["outcome"] as? String == "inconclusive", "\(flags)")
            #expect(verdict["passed"] as? Bool == false)
            #expect(json["exit_status"] as? Int == 0)
            #expect(result.stderr.contains("inconclusive: accuracy"), "\(result.stderr)")
            #expect(result.stderr.contains(flags.joined(separator: " ")), "\(flags): \(result.stderr)")
            #expect(!result.stderr.contains("damaged") && !result.stderr.contains("FAIL"), "\(result.stderr)")
        }
        let versions = try FMNISTProcess.run(["versions", "fashion", "--root", root])
        #expect(versions.stderr.contains("smoke-train inconclusive"), "\(versions.stderr)")
        // The calibrated settings judge the same data (tiny, so not learnable: it fails).
        let judged = try FMNISTProcess.run(["smoke-train", "fashion", "--threads", "1", "--root", root, "--json"])
        #expect(judged.status == 6, "\(judged.stderr)")
        #expect((try judged.json()["verdict"] as? [String: Any])?["outcome"] as? String != "inconclusive")
    }

    /// `smoke-train DATASET@VERSION` (the CLI's spelling everywhere) and `--dataset-version`
    /// pick a stored version; `--version` is the tool's version again, not an option that clashes.
    @Test func aVersionIsNamedAsDatasetAtVersionAndVersionIsTheToolsVersion() throws {
        let ws = try TemporaryDirectory("smoke-version")
        try SyntheticFiles.writeValidFolder(ws.path("synthetic"))
        let root = ws.path("data").path
        let imported = try FMNISTProcess.run(["import", ws.path("synthetic").path, "--as", "fashion", "--accept-unknown", "--root", root, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let version = try #require(try imported.json()["version"] as? [String: Any])
        let id = try #require(version["id"] as? String)
        let short = String(id.prefix(12))
        for arguments in [["fashion@\(short)"], ["fashion", "--dataset-version", short], ["--dataset", "fashion", "--dataset-version", short]] {
            let result = try FMNISTProcess.run(["smoke-train"] + arguments + ["--limit", "20", "--root", root, "--json"])
            #expect([0, 6].contains(result.status), "\(arguments): \(result.stderr)")
            #expect(try result.json()["version_id"] as? String == id, "\(arguments)")
            #expect(result.stderr.contains("from version \(short)"), "\(arguments): \(result.stderr)")
        }
        let toolVersion = try FMNISTProcess.run(["smoke-train", "--version"])
        #expect(toolVersion.status == 0, "\(toolVersion.stderr)")
        #expect(toolVersion.stdout.first?.isNumber == true, "\(toolVersion.stdout)")
        let help = try FMNISTProcess.run(["smoke-train", "--help"])
        #expect(help.stdout.contains("--dataset-version <VERSION>"))
        #expect(!help.stdout.contains("--version <"))
        let cases: [([String], String)] = [
            (["current@\(short)"], "needs a dataset name, not current"),
            (["fashion@\(short)", "--dataset", "mnist"], "the dataset is given twice"),
            (["fashion@\(short)", "--dataset-version", "000000000000"], "the version is given twice"),
            (["fashion@"], "is not DATASET or DATASET@VERSION"),
            (["fashion@nosuchversion"], "no version \"nosuchversion\" of Fashion-MNIST"),
            // The old spelling is an error that names the new one, not the tool's version with exit 0.
            (["--version", short], "smoke-train's --version \(short) was renamed"),
        ]
        for (arguments, message) in cases {
            let result = try FMNISTProcess.run(["smoke-train"] + arguments + ["--root", root])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    /// `DATASET@current` is the live version wherever a selector is read, as in the library's
    /// `load(_:version: "current")`: smoke-train trains it, diff compares it, and remove refuses it
    /// without --force exactly as it refuses the live version named by its id.
    @Test func currentAsASelectorIsTheLiveVersion() throws {
        let ws = try TemporaryDirectory("smoke-current")
        try SyntheticFiles.writeValidFolder(ws.path("synthetic"))
        let root = ws.path("data").path
        let imported = try FMNISTProcess.run(["import", ws.path("synthetic").path, "--as", "fashion", "--accept-unknown", "--root", root, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let id = try #require((try imported.json()["version"] as? [String: Any])?["id"] as? String)
        let short = String(id.prefix(12))
        for spec in ["fashion@current", "fashion@CURRENT"] {
            let trained = try FMNISTProcess.run(["smoke-train", spec, "--limit", "20", "--root", root, "--json"])
            #expect([0, 6].contains(trained.status), "\(spec): \(trained.stderr)")
            #expect(try trained.json()["version_id"] as? String == id, "\(spec)")
            #expect(!trained.stderr.contains("no version"), "\(spec): \(trained.stderr)")
        }
        let diff = try FMNISTProcess.run(["diff", "fashion@current", "fashion@\(short)", "--root", root])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(!diff.stderr.contains("no version"), "\(diff.stderr)")
        let byName = try FMNISTProcess.run(["remove", "fashion@\(short)", "--root", root])
        let byCurrent = try FMNISTProcess.run(["remove", "fashion@current", "--root", root])
        #expect(byName.status != 0 && byCurrent.status == byName.status, "\(byCurrent.stderr)")
        #expect(byCurrent.stderr == byName.stderr, "\(byCurrent.stderr) vs \(byName.stderr)")
        #expect(FileManager.default.fileExists(atPath: ws.path("data/fashion").path), "the live version was removed")
    }

    @Test func missingDataAndBadFlagsHaveDocumentedExits() throws {
        let ws = try TemporaryDirectory("smoke-empty")
        let missing = try FMNISTProcess.run(["smoke-train", "--dataset", "mnist", "--root", ws.url.path])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("fmnist fetch") || missing.stderr.contains("fmnist import"))
        let noCurrent = try FMNISTProcess.run(["smoke-train", "--root", ws.url.path])
        #expect(noCurrent.status == 4)
        // Nothing in the workspace: fetch first (switching would only say to fetch).
        #expect(noCurrent.stderr.contains("fmnist fetch") && !noCurrent.stderr.contains("fmnist switch"), "\(noCurrent.stderr)")
        let badBatch = try FMNISTProcess.run(["smoke-train", "--dataset", "mnist", "--batch", "0", "--root", ws.url.path])
        #expect(badBatch.status == 2)
        let badOptimizer = try FMNISTProcess.run(["smoke-train", "--optimizer", "rmsprop", "--root", ws.url.path])
        #expect(badOptimizer.status == 2)
    }
}
