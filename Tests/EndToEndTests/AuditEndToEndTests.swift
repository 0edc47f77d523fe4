import Foundation
import TestSupport
import Testing

/// `fmnist audit` end to end: planted label flips rank at the top, planted duplicates are
/// found, the output is the same for a seed, the card and `preview --from-audit` are written
/// only where they may be; on the real data both datasets audit cleanly (0 exact duplicates, 0 leaks).
@Suite(.serialized) struct AuditEndToEndTests {
    /// A workspace holding the planted dataset, imported and switched to.
    struct Fixture {
        let scratch: ScratchFolder
        let data: PlantedAuditData
        let dataset: SyntheticDataset
        var root: URL { scratch.url.appendingPathComponent("data") }

        init(_ label: String) throws {
            scratch = try ScratchFolder(label)
            data = PlantedAuditData(train: 3000, test: 600, seed: 5)
            dataset = try SyntheticDataset(
                name: "planted", title: "Planted", trainPixels: data.trainPixels, trainLabels: data.trainLabels,
                testPixels: data.testPixels, testLabels: data.testLabels, in: scratch.url)
            let imported = try run(["import", dataset.folder.path, "--as", "planted"])
            #expect(imported.status == 0, "import: \(imported.stderr)")
        }

        func run(_ arguments: [String], currentDirectory: URL? = nil) throws -> FMNISTProcess.Result {
            try FMNISTProcess.run(
                arguments + ["--root", root.path, "--manifests", dataset.manifestDirectory.path],
                currentDirectory: currentDirectory, timeout: 300)
        }

        /// A quick audit that still learns the planted classes.
        func audit(_ extra: [String] = []) throws -> FMNISTProcess.Result {
            try run(["audit", "planted", "--folds", "3", "--epochs", "3", "--top", "12", "--json"] + extra)
        }

        func path(_ relative: String) -> String { scratch.url.appendingPathComponent(relative).path }
    }

    static func issues(_ json: [String: Any], _ split: String) -> [[String: Any]] {
        ((json["label_issues"] as? [[String: Any]]) ?? []).filter { $0["split"] as? String == split }
    }

    @Test func plantedFlipsRankFirstAndPlantedDuplicatesAreFound() throws {
        let fixture = try Fixture("audit-planted")
        let result = try fixture.audit()
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let train = Self.issues(json, "train"), test = Self.issues(json, "test")
        #expect(train.count == 12 && test.count == 12)
        // Every planted flip is among the first of its split, and is suggested back to its class.
        let topTrain = Set(train.prefix(fixture.data.flippedTrain.count).compactMap { $0["index"] as? Int })
        let topTest = Set(test.prefix(fixture.data.flippedTest.count).compactMap { $0["index"] as? Int })
        #expect(topTrain == Set(fixture.data.flippedTrain), "train suspects: \(train.map { $0["index"]! })")
        #expect(topTest == Set(fixture.data.flippedTest), "test suspects: \(test.map { $0["index"]! })")
        for issue in train.prefix(fixture.data.flippedTrain.count) {
            let given = try #require(issue["given_label"] as? Int), suggested = try #require(issue["suggested_label"] as? Int)
            #expect(suggested == (given + 5) % 10)
            #expect((issue["score"] as? Double ?? 1) < 0.5)
            #expect(issue["given_class"] as? String == "planted-class-\(given)")
        }
        let cl = try #require(json["confident_learning"] as? [[String: Any]])
        #expect(cl.count == 2 && (cl[0]["confident_joint"] as? [[Int]])?.count == 10)
        #expect((cl[0]["thresholds"] as? [Any])?.count == 10)
        // The planted pairs, and nothing else, are within the threshold.
        let pairs = try #require(json["near_duplicates"] as? [[String: Any]])
        func has(_ kind: String, _ a: (String, Int), _ b: (String, Int), exact: Bool) -> Bool {
            pairs.contains { pair in
                let x = pair["a"] as? [String: Any], y = pair["b"] as? [String: Any]
                return pair["kind"] as? String == kind && x?["split"] as? String == a.0 && x?["index"] as? Int == a.1
                    && y?["split"] as? String == b.0 && y?["index"] as? Int == b.1 && pair["exact"] as? Bool == exact
            }
        }
        let data = fixture.data
        #expect(has("train-train", ("train", data.exactTrainCopy.original), ("train", data.exactTrainCopy.copy), exact: true), "\(pairs)")
        #expect(has("test-train", ("test", data.nearLeak.test), ("train", data.nearLeak.train), exact: false), "\(pairs)")
        #expect(has("test-test", ("test", data.nearTestCopy.original), ("test", data.nearTestCopy.copy), exact: false), "\(pairs)")
        #expect(pairs.count == 3, "\(pairs)")
        let card = try #require(json["card"] as? [String: Any])
        #expect(card["exact_duplicates_train"] as? Int == 1)
        #expect(card["exact_duplicates_test"] as? Int == 0)
        #expect(card["leaks"] as? Int == 0)
        #expect(card["near_duplicates_test_train"] as? Int == 1)
        #expect(card["version_id"] as? String == json["version_id"] as? String)
        let classes = try #require(card["classes"] as? [[String: Any]])
        #expect(classes.count == 10 && classes.reduce(0) { $0 + ($1["train_images"] as? Int ?? 0) } == 3000)
        let phases = try #require(json["phases"] as? [[String: Any]])
        #expect(phases.count == 5)
        // Human output: both lists and the card.
        #expect(result.stderr.contains("label issues, train split"))
        #expect(result.stderr.contains("label issues, test split"))
        #expect(result.stderr.contains("benchmark card:"))
        #expect(result.stderr.contains("exact duplicates: 1 in train, 0 in test; leaks (test images in train): 0"))
    }

    @Test func theSameSeedGivesTheSameAuditAndAnotherSeedOtherFolds() throws {
        let fixture = try Fixture("audit-seed")
        let first = try fixture.audit(), second = try fixture.audit()
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\n\(second.stderr)")
        var a = try first.json(), b = try second.json()
        a["phases"] = nil
        b["phases"] = nil
        #expect(NSDictionary(dictionary: a).isEqual(to: b))
        let other = try fixture.audit(["--seed", "9"])
        let c = try other.json()
        #expect(Self.issues(c, "train").map { $0["score"] as? Double } != Self.issues(a, "train").map { $0["score"] as? Double })
    }

    @Test func theCardIsWrittenAsMarkdownOnlyOutsideTheWorkspace() throws {
        let fixture = try Fixture("audit-card")
        let card = fixture.path("card.md")
        let result = try fixture.run(["audit", "planted", "--folds", "2", "--epochs", "1", "--card", card])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: card, encoding: .utf8)
        #expect(text.hasPrefix("# Benchmark card: Planted"))
        #expect(text.contains("| 0 | planted-class-0 |"))
        #expect(text.contains("Leaks (test images whose bytes are also in train): 0"))
        #expect(result.stderr.contains("wrote the card to \(card)"))
        // Into the workspace's own folders: refused before any work, nothing written.
        let inside = try fixture.run(["audit", "planted", "--card", fixture.root.appendingPathComponent("planted/card.md").path])
        #expect(inside.status == 2, "\(inside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("planted/card.md").path))
        // A symlink at the path is never written through.
        let target = fixture.path("elsewhere.md")
        try "keep".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: fixture.path("link.md"), withDestinationPath: target)
        let linked = try fixture.run(["audit", "planted", "--folds", "2", "--epochs", "1", "--card", fixture.path("link.md")])
        #expect(linked.status == 7, "\(linked.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        // A folder that does not exist.
        let missing = try fixture.run(["audit", "planted", "--card", fixture.path("no/such/card.md")])
        #expect(missing.status == 2, "\(missing.stderr)")
    }

    @Test func previewDrawsTheImagesAnAuditLists() throws {
        let fixture = try Fixture("audit-preview")
        let audit = try fixture.audit()
        #expect(audit.status == 0, "\(audit.stderr)")
        let report = fixture.path("audit.json")
        try audit.stdout.write(toFile: report, atomically: true, encoding: .utf8)
        let png = fixture.path("suspects.png")
        let drawn = try fixture.run(["preview", "--from-audit", report, "--out", png, "--json"])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let json = try drawn.json()
        #expect(json["train_images"] as? Int == 12 && json["test_images"] as? Int == 12 && json["pairs"] as? Int == 3)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(drawn.stderr.contains("12 training and 12 test suspects"))
        // Not a report: a usage error that says what to run.
        try "{\"dataset\": 3}".write(toFile: fixture.path("bad.json"), atomically: true, encoding: .utf8)
        let bad = try fixture.run(["preview", "--from-audit", fixture.path("bad.json"), "--out", fixture.path("bad.png")])
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("is not an `fmnist audit --json` report"))
        #expect(!FileManager.default.fileExists(atPath: fixture.path("bad.png")))
        // An index the version does not have.
        var edited = try audit.json()
        var issues = try #require(edited["label_issues"] as? [[String: Any]])
        let firstTest = try #require(issues.firstIndex { $0["split"] as? String == "test" })
        issues[firstTest]["index"] = 600
        edited["label_issues"] = issues
        try JSONSerialization.data(withJSONObject: edited).write(to: URL(fileURLWithPath: fixture.path("edited.json")))
        let outOfRange = try fixture.run(["preview", "--from-audit", fixture.path("edited.json"), "--out", fixture.path("edited.png")])
        #expect(outOfRange.status == 2, "\(outOfRange.stderr)")
        #expect(outOfRange.stderr.contains("test image 600"))
    }

    @Test(arguments: [["--folds", "1"], ["--epochs", "0"], ["--top", "0"], ["--near-threshold", "nan"], ["--near-threshold", "65"]])
    func outOfRangeSettingsAreUsageErrors(flags: [String]) throws {
        let scratch = try ScratchFolder("audit-flags")
        let result = try FMNISTProcess.run(["audit", "mnist", "--root", scratch.url.path] + flags)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(flags[0]))
    }

    @Test func aVersionNeedsADatasetName() throws {
        let fixture = try Fixture("audit-current-at")
        let result = try fixture.run(["audit", "current@v1"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("needs a dataset name"))
    }

    /// Both real datasets, cheap settings: they run, print both lists and the card, and hold no
    /// exact duplicate and no leak (as `fmnist diff` finds for today's releases).
    @Test(.realData, arguments: ["mnist", "fashion"])
    func realDatasetsAuditCleanly(dataset: String) throws {
        let workspace = try TemporaryDirectory("audit-real")
        let source = dataset == "fashion" ? RealData.fashion : RealData.mnist
        let target = workspace.path(dataset)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try RealData.copyFile(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        let result = try FMNISTProcess.run(
            ["audit", dataset, "--folds", "2", "--epochs", "1", "--top", "10", "--root", workspace.url.path, "--json"], timeout: 600)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(Self.issues(json, "train").count == 10 && Self.issues(json, "test").count == 10)
        let card = try #require(json["card"] as? [String: Any])
        #expect(card["exact_duplicates_train"] as? Int == 0)
        #expect(card["exact_duplicates_test"] as? Int == 0)
        #expect(card["leaks"] as? Int == 0)
        #expect(card["train_images"] as? Int == 60000 && card["test_images"] as? Int == 10000)
        #expect((card["test_accuracy"] as? Double ?? 0) > (dataset == "fashion" ? 0.75 : 0.95))
        #expect(result.stderr.contains("label issues, train split"))
        #expect(result.stderr.contains("label issues, test split"))
        #expect(result.stderr.contains("near-duplicates (RMS ≤"))
        #expect(result.stderr.contains("benchmark card:"))
        #expect(result.stderr.contains("exact duplicates: 0 in train, 0 in test; leaks (test images in train): 0"))
    }
}
