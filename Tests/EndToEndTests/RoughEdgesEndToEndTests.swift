import Foundation
import Testing

/// Issue 14 as a new user meets it: help layout, JSON errors for argument errors, typo
/// suggestions, hints that fit a fresh folder, output-path errors, listings that explain themselves.
@Suite struct RoughEdgesEndToEndTests {
    static let commands = ["", "fetch", "verify", "preview", "smoke-train", "switch", "status", "versions", "log", "import"]

    /// Every command's `--help`: discussion paragraphs are wrapped by ArgumentParser, not by hand
    /// (no line of a paragraph ends before column 60 except its last; lists such as "Examples:" aside).
    @Test(arguments: commands) func helpParagraphsAreNotRagged(_ command: String) throws {
        let help = try FMNISTProcess.run((command.isEmpty ? [] : [command]) + ["--help"], timeout: 60)
        #expect(help.status == 0)
        let body = try #require((help.stdout + help.stderr).components(separatedBy: "USAGE:").first)
        let paragraphs = body.components(separatedBy: "\n\n").dropFirst()
            .filter { !($0.split(separator: "\n").first?.hasSuffix(":") ?? true) }
        #expect(!paragraphs.isEmpty, "fmnist \(command) --help has no discussion paragraph")
        for paragraph in paragraphs {
            for line in paragraph.split(separator: "\n").dropLast() {
                #expect(line.count >= 60, "fmnist \(command) --help, ragged: \"\(line)\"")
            }
        }
    }

    /// ArgumentParser's errors give the documented JSON error object with `--json`, and exit 2.
    @Test(arguments: [
        ["smoke-train", "--epochs", "abc", "--json"],
        ["fetch", "--jobs", "abc", "--json"],
        ["preview", "--json", "--out"],
        ["status", "--bogus", "--json"],
        ["log", "--limit", "0", "--json"],
        ["smoke-train", "--version", "2017-08-31", "--json"],
    ])
    func argumentErrorsAreJSONWithJSON(_ arguments: [String]) throws {
        let workspace = try TemporaryDirectory("json-usage")
        let result = try FMNISTProcess.run(arguments, currentDirectory: workspace.url, timeout: 60)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        let json = try result.json()
        #expect(json["exit_code"] as? Int == 2)
        #expect((json["error"] as? String)?.isEmpty == false)
        #expect(!result.stderr.isEmpty)
    }

    @Test func withoutJSONArgumentErrorsPrintNothingOnStdout() throws {
        let result = try FMNISTProcess.run(["smoke-train", "--epochs", "abc"], timeout: 60)
        #expect(result.status == 2 && result.stdout.isEmpty)
        #expect(result.stderr.contains("--epochs"))
    }

    @Test func misspelledCommandGetsASuggestion() throws {
        let result = try FMNISTProcess.run(["swich", "fashion", "--json"], timeout: 60)
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown command \"swich\""))
        #expect(result.stderr.contains("did you mean `fmnist switch`?"))
        #expect((try result.json()["hint"] as? String)?.contains("fmnist switch") == true)
    }

    @Test func misspelledDatasetGetsASuggestion() throws {
        let workspace = try TemporaryDirectory("typo")
        let result = try FMNISTProcess.run(["versions", "fahsion", "--root", workspace.path("data").path], timeout: 60)
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown dataset \"fahsion\""))
        #expect(result.stderr.contains("did you mean \"fashion\"?"))
        // verify also takes a path: a near name is still suggested.
        let verify = try FMNISTProcess.run(["verify", "mnsit", "--root", workspace.path("data").path], currentDirectory: workspace.url, timeout: 60)
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("did you mean `fmnist verify mnist`?"), "\(verify.stderr)")
    }

    @Test func fetchOfTwoDatasetsPointsAtAll() throws {
        let workspace = try TemporaryDirectory("two")
        let result = try FMNISTProcess.run(["fetch", "fashion", "mnist", "--root", workspace.path("data").path, "--offline"], timeout: 60)
        #expect(result.status == 2)
        #expect(result.stderr.contains("fmnist fetch all"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data").path))
    }

    /// In a fresh folder, commands that need data say to fetch first, not to switch.
    @Test(arguments: [["smoke-train"], ["preview", "current", "--out", "x.png"]])
    func freshFolderSaysFetchFirst(_ arguments: [String]) throws {
        let workspace = try TemporaryDirectory("fresh")
        let result = try FMNISTProcess.run(arguments, currentDirectory: workspace.url, timeout: 60)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("fmnist fetch fashion"), "\(result.stderr)")
        #expect(!result.stderr.contains("fmnist switch"), "\(result.stderr)")
    }

    /// `preview --out` problems are usage errors (exit 2) that say what is wrong, with no Foundation error text.
    @Test func previewOutputPathProblemsAreUsageErrors() throws {
        let workspace = try TemporaryDirectory("out")
        let cases: [(String, String)] = [
            (workspace.url.path, "is a folder"),
            (workspace.path("nodir/x.png").path, "does not exist"),
            (workspace.path("x.jpg").path, "PNG images only"),
        ]
        for (out, words) in cases {
            let result = try FMNISTProcess.run(["preview", "fashion", "--out", out, "--root", workspace.path("data").path], timeout: 60)
            #expect(result.status == 2, "\(out): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(out): \(result.stderr)")
            #expect(!result.stderr.contains("NSCocoaErrorDomain"))
            #expect(result.stderr.contains("hint:"))
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.path("x.jpg").path))
    }

    /// The default sprite has three rows per class; `--legend` widens it by the class-name column.
    @Test(.realData) func previewRowsPerClassAndLegend() throws {
        let workspace = try TemporaryDirectory("sprite")
        try FileManager.default.createSymbolicLink(at: workspace.path("fashion"), withDestinationURL: RealData.fashion)
        let plain = try FMNISTProcess.run(["preview", "fashion", "--root", workspace.url.path, "--out", workspace.path("a.png").path, "--json"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let a = try plain.json()
        #expect(a["width"] as? Int == 2 + 10 * 30 && a["height"] as? Int == 2 + 10 * 3 * 30 && a["rows_per_class"] as? Int == 3)
        let labelled = try FMNISTProcess.run(["preview", "fashion", "--root", workspace.url.path, "--out", workspace.path("b.png").path,
                                              "--rows-per-class", "2", "--legend", "--json"])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let b = try labelled.json()
        #expect((b["width"] as? Int ?? 0) > 2 + 10 * 30 && b["height"] as? Int == 2 + 10 * 2 * 30 && b["legend"] as? Bool == true)
        let zero = try FMNISTProcess.run(["preview", "fashion", "--root", workspace.url.path, "--out", workspace.path("c.png").path, "--rows-per-class", "0"])
        #expect(zero.status == 2)
    }

    /// One damaged byte in a published file: "damaged" first; and "ok" is said once per line.
    @Test(.realData) func verifySaysDamagedFirstAndOKOnce() throws {
        let workspace = try TemporaryDirectory("damaged")
        let folder = workspace.path("fm")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in RealData.names {
            try Data(contentsOf: RealData.fashion.appendingPathComponent(name)).write(to: folder.appendingPathComponent(name))
        }
        let labels = folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        var bytes = [UInt8](try Data(contentsOf: labels))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: labels)
        let result = try FMNISTProcess.run(["verify", folder.path, "--as", "fashion"])
        #expect(result.status == 3)
        let line = try #require(result.stderr.split(separator: "\n").first { $0.contains("t10k-labels") })
        #expect(line.contains("FAIL  t10k-labels-idx1-ubyte.gz   damaged: differs from the published"), "\(line)")
        let ok = try #require(result.stderr.split(separator: "\n").first { $0.contains("train-images") })
        #expect(ok.components(separatedBy: "ok").count == 2, "\(ok)")
        let single = try FMNISTProcess.run(["verify", folder.appendingPathComponent("train-images-idx3-ubyte.gz").path])
        #expect(single.status == 0 && !single.stderr.contains("ok: "), "\(single.stderr)")
    }

    /// `versions` explains its flags; `log` shows a smoke-train's accuracy.
    @Test(.realData) func versionsLegendAndLogAccuracy() throws {
        let (base, root) = try DropIn.workspaceWithBoth("legend")
        _ = base
        let versions = try FMNISTProcess.run(["versions", "--root", root.path])
        #expect(versions.status == 0)
        #expect(versions.stderr.contains("legend: active = "), "\(versions.stderr)")
        // The 64-digit ids are in --json; the listing's lines stay readable.
        #expect(versions.stderr.split(separator: "\n").allSatisfy { $0.count <= 110 }, "\(versions.stderr)")
        let train = try FMNISTProcess.run(["smoke-train", "mnist", "--limit", "200", "--root", root.path])
        #expect([0, 6].contains(train.status), "\(train.stderr)")
        let log = try FMNISTProcess.run(["log", "--root", root.path])
        let line = try #require(log.stderr.split(separator: "\n").first { $0.contains("smoke-train") })
        #expect(line.contains("accuracy 0."), "\(line)")
    }

    /// `import` of near-miss folders says what the folder is and what to run.
    @Test(.realData) func importOfNearMissFolders() throws {
        let workspace = try TemporaryDirectory("near")
        let parent = workspace.path("parent")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        // (`parent/mnist/` itself is what `export tfds --dataset mnist` writes, a TFDS manual dir that imports.)
        try FileManager.default.createSymbolicLink(at: parent.appendingPathComponent("mnist-1998"), withDestinationURL: RealData.mnist)
        let result = try FMNISTProcess.run(["import", parent.path, "--as", "mnist", "--root", workspace.path("data").path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("run: fmnist import \(parent.appendingPathComponent("mnist-1998").path) --as mnist"), "\(result.stderr)")
        let raw = workspace.path("raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: raw.appendingPathComponent("t10k-labels-idx1-ubyte").path, contents: Data([0, 0, 8, 1]))
        let uncompressed = try FMNISTProcess.run(["import", raw.path, "--as", "mnist", "--root", workspace.path("data").path])
        #expect(uncompressed.status == 4)
        #expect(uncompressed.stderr.contains("uncompressed IDX files") && uncompressed.stderr.contains("gzip -k"), "\(uncompressed.stderr)")
    }

    /// Shell completions offer the dataset names.
    @Test func completionsOfferDatasetNames() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try FMNISTProcess.run(["--generate-completion-script", shell], timeout: 60)
            #expect(script.status == 0)
            #expect(script.stdout.contains("fashion") && script.stdout.contains("mnist"), "\(shell)")
        }
    }

    /// A workspace on read-only media: the reason (read-only file system) is kept, with a hint
    /// to use --root somewhere writable.
    @Test func unwritableRootKeepsTheReasonAndSuggestsRoot() throws {
        let base = try TemporaryDirectory("ro-root")
        let root = base.path("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let q = Privileged.quote(root.path)
        guard getuid() == 0, Privileged.sh("mount --bind \(q) \(q) && mount -o remount,ro,bind \(q)").status == 0 else {
            try Test.cancel("needs root and mount(8) to make a read-only folder (root bypasses permission bits)")
        }
        defer { Privileged.sh("umount \(q)") }
        let result = try FMNISTProcess.run(["import", "/nonexistent-\(UUID().uuidString)", "--as", "fashion", "--root", root.path])
        #expect(result.status != 0)
        let fetch = try FMNISTProcess.run(["fetch", "fashion", "--offline", "--mirror", "file:///nonexistent/", "--root", root.path])
        #expect(fetch.status == 7, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("Read-only file system"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("--root"), "\(fetch.stderr)")
    }

    /// Only local sources, none readable: the hint is about the folder, not the network.
    @Test func missingLocalSourceGetsItsOwnHint() throws {
        let workspace = try TemporaryDirectory("local-missing")
        let result = try FMNISTProcess.run(["fetch", "fashion", "--offline", "--mirror", "file:///nonexistent-fmnist/fm/",
                                            "--root", workspace.path("data").path, "--json"], timeout: 120)
        #expect(result.status == 5)
        #expect(result.stderr.contains("the local source file:///nonexistent-fmnist/fm/ could not be read"), "\(result.stderr)")
        #expect(!result.stderr.contains("check the network"), "\(result.stderr)")
    }

    /// The summary names a single mirror once, so file lines fit an 80-column terminal.
    @Test(.realData) func fetchSummaryNamesOneMirrorOnce() throws {
        let workspace = try TemporaryDirectory("summary")
        let mirror = RealData.fashion.absoluteString.hasSuffix("/") ? RealData.fashion.absoluteString : RealData.fashion.absoluteString + "/"
        let result = try FMNISTProcess.run(["fetch", "fashion", "--offline", "--mirror", mirror, "--root", workspace.path("data").path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.contains { $0 == "  from \(mirror)" }, "\(result.stderr)")
        let fileLines = lines.filter { $0.hasPrefix("  ") && $0.contains(": verified, ") }
        #expect(fileLines.count == 4 && fileLines.allSatisfy { !$0.contains("file://") && $0.count <= 80 }, "\(fileLines)")
    }

    /// `smoke-train --compare`: both datasets side by side, one table, both runs recorded, JSON too.
    @Test(.realData, .timeLimit(.minutes(5))) func compareTrainsBothDatasetsSideBySide() throws {
        let (base, root) = try DropIn.workspaceWithBoth("compare")
        _ = base
        let result = try FMNISTProcess.run(["smoke-train", "--compare", "--limit", "3000", "--root", root.path, "--json"], timeout: 280)
        #expect([0, 6].contains(result.status), "\(result.stderr)")
        let json = try result.json()
        let columns = try #require(json["columns"] as? [[String: Any]])
        #expect(columns.count == 2)
        let datasets = columns.compactMap { ($0["run"] as? [String: Any])?["dataset"] as? String }
        #expect(datasets == ["fashion", "mnist"])
        for column in columns {
            let pairs = try #require(column["most_confused"] as? [[String: Any]])
            #expect(!pairs.isEmpty && pairs.count <= 3)
            #expect(pairs.allSatisfy { ($0["first_name"] as? String)?.isEmpty == false && ($0["count"] as? Int ?? 0) > 0 })
        }
        #expect(json["exit_code"] as? Int == Int(result.status) || json["exit_status"] as? Int == Int(result.status))
        #expect(result.stderr.contains("test accuracy") && result.stderr.contains("most confused") && result.stderr.contains(" ↔ "))
        // One table: a header line with both titles.
        #expect(result.stderr.split(separator: "\n").contains { $0.contains("Fashion-MNIST") && $0.replacingOccurrences(of: "Fashion-MNIST", with: "").contains("MNIST") })
        let log = try FMNISTProcess.run(["log", "--root", root.path, "--json"])
        let events = try #require(JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let trained = events.compactMap { $0["event"] as? [String: Any] }.filter { $0["kind"] as? String == "smoke-train" }.compactMap { $0["dataset"] as? String }
        #expect(Set(trained) == ["fashion", "mnist"], "\(trained)")
        let refused = try FMNISTProcess.run(["smoke-train", "--compare", "mnist", "--root", root.path])
        #expect(refused.status == 2)
    }

    @Test func compareInAnEmptyWorkspaceSaysToFetch() throws {
        let workspace = try TemporaryDirectory("compare-empty")
        let root = workspace.path("data")
        // No workspace at all: said so, with the commands that make one.
        let none = try FMNISTProcess.run(["smoke-train", "--compare", "--root", root.path])
        #expect(none.status == 4)
        #expect(none.stderr.contains("no workspace at \(root.path)") && none.stderr.contains("fmnist fetch"), "\(none.stderr)")
        // A workspace with neither dataset yet: --compare names the fetch that brings both.
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".fmnist"), withIntermediateDirectories: true)
        let result = try FMNISTProcess.run(["smoke-train", "--compare", "--root", root.path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("fmnist fetch all"), "\(result.stderr)")
    }

    /// `switch fashion@ID` between two versions says that data/fashion changed, and that
    /// data/current, the same link, now shows the other version.
    @Test(.realDataWithOldLabels) func switchBetweenVersionsSaysTheFilesChanged() throws {
        let (base, root) = try DropIn.workspaceWithBoth("versions-switch")
        let old = base.path("old")
        try FileManager.default.createDirectory(at: old, withIntermediateDirectories: true)
        for name in RealData.names {
            let from = (name.contains("labels") ? RealData.oldFashionLabels : RealData.fashion).appendingPathComponent(name)
            try RealData.copyFile(at: from, to: old.appendingPathComponent(name))
        }
        let imported = try FMNISTProcess.run(["import", old.path, "--as", "fashion", "--accept-unknown", "--root", root.path, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let oldID = try #require((try imported.json()["version"] as? [String: Any])?["id"] as? String)
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path]).status == 0)
        let switched = try FMNISTProcess.run(["switch", "fashion@\(oldID.prefix(12))", "--root", root.path, "--json"])
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(switched.stderr.contains("\(root.path)/fashion -> version \(oldID.prefix(12)) (was "), "\(switched.stderr)")
        #expect(switched.stderr.contains("current -> fashion (the same link; the files behind it are now version \(oldID.prefix(12)))"), "\(switched.stderr)")
        #expect(try switched.json()["live_folder_changed"] as? Bool == true)
        let again = try FMNISTProcess.run(["switch", "fashion@\(oldID.prefix(12))", "--root", root.path])
        #expect(again.stderr.contains("current -> fashion (unchanged)") && !again.stderr.contains("-> version"), "\(again.stderr)")
    }
}
