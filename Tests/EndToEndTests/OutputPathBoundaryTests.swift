import FMNISTCore
import Foundation
import Testing
import TestSupport

/// Every path a command writes that the user names (export DEST, `preview --out`, `lock --file`,
/// `switch --link`) is refused (exit 2, nothing written) when it leads into the workspace's own
/// folders, whichever way it gets there; and the errors around outputs and roots name their real
/// cause: a `.fmnist` that is a file, a parent that is a file or missing, a `--root` holding no
/// workspace. Run on a synthetic dataset (`toyds`), so every case runs without the real files; the
/// refusals come before any write, so they are the same as root and as an unprivileged user (for
/// whom the read-only version folders would refuse a write anyway: the message tells them apart).
@Suite struct OutputPathBoundaryTests {
    /// A workspace `base/data` holding the synthetic `toyds` (live, `data/current` -> toyds), and
    /// symlinks beside it that a hostile or careless user could pass as outputs.
    struct Fixture {
        let scratch: ScratchFolder
        let dataset: SyntheticDataset
        let root: URL
        var base: URL { scratch.url }

        init(_ label: String) throws {
            scratch = try ScratchFolder(label)
            dataset = try SyntheticDataset(name: "toyds", title: "Toy-DS", seed: 5, train: 30, test: 20, in: scratch.url)
            root = scratch.url.appendingPathComponent("data")
            let imported = try run(["import", dataset.folder.path, "--as", "toyds"])
            #expect(imported.status == 0, "import: \(imported.stderr)")
            let switched = try run(["switch", "toyds"])
            #expect(switched.status == 0, "switch: \(switched.stderr)")
        }

        func path(_ relative: String) -> String { base.appendingPathComponent(relative).path }

        func run(_ arguments: [String], root: URL? = nil, currentDirectory: URL? = nil) throws -> FMNISTProcess.Result {
            try FMNISTProcess.run(
                arguments + ["--root", (root ?? self.root).path, "--manifests", dataset.manifestDirectory.path],
                currentDirectory: currentDirectory, timeout: 120)
        }

        func symlink(_ name: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: path(name), withDestinationPath: target)
        }
    }

    /// Everything in the workspace but the lock file's holder line and the catalog's own files
    /// (a refused `switch` takes the lock and opens the catalog; neither is an output).
    static func workspaceSnapshot(_ root: URL) -> [String: String] {
        var result: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return result }
        for case let relative as String in walker {
            if relative == ".fmnist/lock" || relative.hasPrefix(".fmnist/catalog.sqlite3") { continue }
            let path = root.appendingPathComponent(relative).path
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFLNK: result[relative] = "-> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            case S_IFDIR: result[relative] = "dir"
            default:
                let bytes = FileManager.default.contents(atPath: path) ?? Data()
                result[relative] = "\(bytes.count) bytes, \(bytes.hashValue)"
            }
        }
        return result
    }

    /// Checks one refusal: exit 2, the message names the option and says why and what to do.
    static func expectRefused(_ result: FMNISTProcess.Result, _ option: String, _ context: String, saying what: String? = nil) {
        #expect(result.status == 2, "\(context): exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("error: \(option) "), "\(context): \(result.stderr)")
        #expect(result.stderr.contains("an output must be outside the workspace"), "\(context): \(result.stderr)")
        #expect(result.stderr.contains("hint: choose a \(option) outside"), "\(context): \(result.stderr)")
        if let what { #expect(result.stderr.contains(what), "\(context): \(result.stderr)") }
    }

    // MARK: - Principle 2: nothing is written inside the workspace's own folders

    @Test func exportIntoTheWorkspacesOwnFoldersIsRefusedWhicheverWayThePathGetsThere() throws {
        let fixture = try Fixture("boundary-export")
        let root = fixture.root.path
        try fixture.symlink("into-version", to: root + "/toyds")                 // DEST is a symlink to a live folder
        try fixture.symlink("into-private", to: root + "/.fmnist")               // DEST's parent is a symlink into .fmnist
        try fixture.symlink("dangling", to: root + "/.fmnist/made-by-export")    // a dangling symlink into .fmnist
        try fixture.symlink("into-root", to: root)
        let before = Self.workspaceSnapshot(fixture.root)
        let cases: [(String, String)] = [
            (root + "/toyds/out", "inside a read-only version folder of toyds"),
            (root + "/current/out", "inside a read-only version folder of toyds"),
            (root + "/current", "inside a read-only version folder of toyds"),
            // The kernel applies ".." to where current leads (.fmnist/versions/toyds), not to data/.
            (root + "/current/../toyds/x", "(it leads to \(root)/.fmnist/versions/toyds/toyds/x)"),
            (root + "/.fmnist/out", "inside the workspace's private area (.fmnist)"),
            (root + "/.fmnist/store/sha256", "inside the workspace's store"),
            (root + "/.fmnist/versions/toyds/new", "inside the workspace's private area (.fmnist)"),
            (root, "the workspace root itself"),
            (root + "/", "the workspace root itself"),
            (root + "/fashion/out", "inside or equal to the live folder of fashion"),   // a manifest's name, not present yet
            (root + "/mnist", "inside or equal to the live folder of mnist"),
            (fixture.path("into-version"), "inside a read-only version folder of toyds"),
            (fixture.path("into-version/sub"), "inside a read-only version folder of toyds"),
            (fixture.path("into-private/x"), "inside the workspace's private area (.fmnist)"),
            (fixture.path("dangling"), "inside the workspace's private area (.fmnist)"),
            (fixture.path("into-root"), "the workspace root itself"),
            (fixture.path("into-root/toyds/deeper/out"), "inside a read-only version folder of toyds"),
        ]
        for layout in ["npz", "keras", "png", "torchvision"] {
            for (dest, what) in cases {
                let result = try fixture.run(["export", layout, dest, "--dataset", "toyds", "--force"])
                Self.expectRefused(result, "DEST", "export \(layout) \(dest)", saying: what)
            }
        }
        // A relative DEST, resolved against the working directory.
        let relative = try fixture.run(["export", "csv", "data/toyds/out"], currentDirectory: fixture.base)
        Self.expectRefused(relative, "DEST", "relative DEST", saying: "it leads to \(root)/.fmnist/versions/toyds/")
        #expect(Self.workspaceSnapshot(fixture.root) == before, "a refused export wrote into the workspace")
        #expect(!FileManager.default.fileExists(atPath: root + "/.fmnist/made-by-export"))
        #expect(!FileManager.default.fileExists(atPath: root + "/fashion"))

        // DEST beside the workspace, or a new folder of another name inside its root, is fine.
        for dest in [fixture.path("exports"), root + "/exports"] {
            let result = try fixture.run(["export", "npz", dest, "--dataset", "toyds"])
            #expect(result.status == 0, "export npz \(dest): \(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: dest + "/toyds.npz"))
        }
        // DEST above the root is fine when the layout's folders miss the root: png writes base/toyds/, not data/.
        let parent = try fixture.run(["export", "png", fixture.base.path, "--dataset", "toyds"])
        #expect(parent.status == 0, "DEST above the root writes only DEST/toyds (png): \(parent.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.path("toyds/classes.txt")))
    }

    @Test func exportFromAboveTheRootNeverWritesIntoADatasetFolder() throws {
        // The png layout writes DEST/<dataset>/: with DEST the root's parent and the root named
        // like the dataset's folder there, each planned path is judged, not only DEST.
        let scratch = try ScratchFolder("boundary-planned")
        let dataset = try SyntheticDataset(name: "toyds", title: "Toy-DS", seed: 6, in: scratch.url)
        let workspace = scratch.url.appendingPathComponent("ws")
        let root = workspace.appendingPathComponent("data")
        let flags = ["--manifests", dataset.manifestDirectory.path]
        #expect(try FMNISTProcess.run(["import", dataset.folder.path, "--as", "toyds", "--root", root.path] + flags).status == 0)
        // DEST = root: png would write root/toyds/... (the live folder): refused as the root itself.
        let intoRoot = try FMNISTProcess.run(["export", "png", root.path, "--root", root.path] + flags)
        Self.expectRefused(intoRoot, "DEST", "export png ROOT", saying: "the workspace root itself")
        // DEST = root/.. with a dataset whose folder name is the root's: the planned path is judged.
        let named = scratch.url.appendingPathComponent("named")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: true)
        let toydsRoot = named.appendingPathComponent("toyds")   // a workspace root that is called "toyds"
        #expect(try FMNISTProcess.run(["import", dataset.folder.path, "--as", "toyds", "--root", toydsRoot.path] + flags).status == 0)
        let before = Self.workspaceSnapshot(toydsRoot)
        let planned = try FMNISTProcess.run(["export", "png", named.path, "--root", toydsRoot.path] + flags)
        Self.expectRefused(planned, "DEST", "export png PARENT-OF-ROOT", saying: "the workspace root itself")
        #expect(Self.workspaceSnapshot(toydsRoot) == before)
    }

    @Test func previewLockAndLinkIntoTheWorkspaceAreRefusedAndWriteNothing() throws {
        let fixture = try Fixture("boundary-outputs")
        let root = fixture.root.path
        try fixture.symlink("into-private", to: root + "/.fmnist")
        try fixture.symlink("sprite.png", to: root + "/toyds/sprite.png")        // a dangling file symlink into a version folder
        try fixture.symlink("pinned.lock", to: root + "/.fmnist/pinned.lock")
        let before = Self.workspaceSnapshot(fixture.root)

        for (out, what) in [(root + "/toyds/p.png", "inside a read-only version folder of toyds"),
                            (root + "/current/p.png", "inside a read-only version folder of toyds"),
                            (root + "/.fmnist/p.png", "inside the workspace's private area (.fmnist)"),
                            (root + "/.fmnist/tmp/p.png", "inside the workspace's private area (.fmnist)"),
                            (root + "/current/../toyds/p.png", "(it leads to \(root)/.fmnist/versions/toyds/toyds/p.png)"),
                            (fixture.path("into-private/p.png"), "inside the workspace's private area (.fmnist)"),
                            (fixture.path("sprite.png"), "inside a read-only version folder of toyds"),
                            (root + "/mnist.png", nil as String?)] {
            let result = try fixture.run(["preview", "toyds", "--out", out, "--per-class", "1", "--rows-per-class", "1"])
            if what == nil {
                // A new file of another name in the root is no dataset folder: allowed.
                #expect(result.status == 0, "preview --out \(out): \(result.stderr)")
                try? FileManager.default.removeItem(atPath: out)
                continue
            }
            Self.expectRefused(result, "--out", "preview --out \(out)", saying: what)
        }

        for (file, what) in [(root + "/toyds/fmnist.lock", "inside a read-only version folder of toyds"),
                             ("data/current/../toyds/fmnist.lock", "inside the workspace's private area (.fmnist)"),
                             (root + "/.fmnist/fmnist.lock", "inside the workspace's private area (.fmnist)"),
                             (root + "/.fmnist/store/sha256/fmnist.lock", "inside the workspace's store"),
                             (root + "/current", "inside a read-only version folder of toyds"),
                             (root + "/fashion", "inside or equal to the live folder of fashion"),
                             (fixture.path("into-private/fmnist.lock"), "inside the workspace's private area (.fmnist)"),
                             (fixture.path("pinned.lock"), "inside the workspace's private area (.fmnist)")] {
            let result = try fixture.run(["lock", "--file", file], currentDirectory: fixture.base)
            Self.expectRefused(result, "--file", "lock --file \(file)", saying: what)
        }

        for (link, what) in [(root + "/toyds/MNIST_data", "inside a read-only version folder of toyds"),
                             (root + "/.fmnist/MNIST_data", "inside the workspace's private area (.fmnist)"),
                             (fixture.path("into-private/MNIST_data"), "inside the workspace's private area (.fmnist)"),
                             (root + "/current", "the workspace's current link"),
                             (root + "/mnist", "inside or equal to the live folder of mnist"),
                             (root, "the workspace root itself")] {
            for layout in ["seed", "torchvision", "keras"] {
                let result = try fixture.run(["switch", "toyds", "--link", link, "--layout", layout])
                // A seed link replaces the name (data/current itself); a framework link writes below it (the version folder).
                let expected = link.hasSuffix("/current") && layout != "seed" ? "inside a read-only version folder of toyds" : what
                Self.expectRefused(result, "--link", "switch --link \(link) --layout \(layout)", saying: expected)
            }
        }
        // A framework link whose folder is a symlink into .fmnist: fmnist would write below it.
        let torchvision = try fixture.run(["switch", "toyds", "--link", fixture.path("into-private"), "--layout", "torchvision"])
        Self.expectRefused(torchvision, "--link", "torchvision link through a symlink", saying: "inside the workspace's private area")

        #expect(Self.workspaceSnapshot(fixture.root) == before, "a refused output wrote into the workspace")
        let links = try fixture.run(["switch", "--json"]).json()["links"] as? [[String: Any]]
        #expect(links?.count == 1, "only data/current: no refused link was registered: \(links ?? [])")

        // Outside the workspace's folders every one of them works.
        #expect(try fixture.run(["preview", "toyds", "--out", fixture.path("p.png"), "--per-class", "1"]).status == 0)
        #expect(try fixture.run(["lock", "--file", fixture.path("fmnist.lock")]).status == 0)
        #expect(try fixture.run(["switch", "toyds", "--link", fixture.path("MNIST_data")]).status == 0)
    }

    @Test func removeForceFindsNothingOfTheUsersInAVersionFolder() throws {
        // The example end to end: outputs aimed at the live folder are refused, so a later
        // `remove --force` of that version deletes only fmnist's own files.
        let fixture = try Fixture("boundary-remove")
        let root = fixture.root.path
        Self.expectRefused(try fixture.run(["export", "keras", root + "/toyds/out"]), "DEST", "export")
        Self.expectRefused(try fixture.run(["lock", "--file", root + "/toyds/fmnist.lock"]), "--file", "lock")
        Self.expectRefused(try fixture.run(["preview", "toyds", "--out", root + "/toyds/p.png"]), "--out", "preview")
        let versionDirectory = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/toyds"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/" + versionDirectory).sorted()
        #expect(entries == SyntheticDataset.fileNamesSorted, "the version folder holds only its four files: \(entries)")
    }

    // MARK: - Errors that name their real cause

    @Test func aPrivateAreaThatIsAFileIsNamedForEveryCommand() throws {
        let scratch = try ScratchFolder("boundary-private-file")
        let dataset = try SyntheticDataset(name: "toyds", title: "Toy-DS", seed: 7, in: scratch.url)
        let root = scratch.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let privateArea = root.appendingPathComponent(".fmnist")
        try Data("my notes\n".utf8).write(to: privateArea)
        let commands: [[String]] = [
            ["fetch", "toyds", "--offline"], ["import", dataset.folder.path, "--as", "toyds"], ["status"], ["versions"], ["log"],
            ["verify"], ["verify", "--repair"], ["switch"], ["switch", "toyds"], ["gc"], ["remove", "toyds@0000"], ["lock", "--file", scratch.url.appendingPathComponent("l.lock").path],
            ["export", "npz", scratch.url.appendingPathComponent("out").path],
            ["preview", "toyds", "--out", scratch.url.appendingPathComponent("p.png").path], ["smoke-train", "toyds"],
        ]
        for command in commands {
            let result = try FMNISTProcess.run(command + ["--root", root.path, "--manifests", dataset.manifestDirectory.path, "--json"], timeout: 120)
            #expect(result.status == 7, "\(command): exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("\(privateArea.path) is a regular file, not a folder"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("hint: move \(privateArea.path) aside"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("config.json"), "\(command): \(result.stderr)")
            #expect(try result.json()["exit_code"] as? Int == 7, "\(command)")
        }
        #expect(try String(contentsOf: privateArea, encoding: .utf8) == "my notes\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [".fmnist"], "nothing was created beside it")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("out").path))
    }

    @Test func aPrivateAreaThatIsANamedPipeIsNamedAndNeverOpened() throws {
        let scratch = try ScratchFolder("boundary-private-fifo")
        let root = scratch.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(mkfifo(root.appendingPathComponent(".fmnist").path, 0o644) == 0)
        for command in [["status"], ["fetch", "fashion", "--offline"]] {
            let result = try FMNISTProcess.run(command + ["--root", root.path], timeout: 60)
            #expect(result.status == 7, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(".fmnist is a named pipe, not a folder"), "\(command): \(result.stderr)")
        }
    }

    @Test func anOutputBelowAFileSaysTheFileIsNotAFolder() throws {
        let fixture = try Fixture("boundary-below-file")
        let file = fixture.path("afile")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: file))
        let cases: [([String], String)] = [
            (["export", "keras", file + "/sub"], "DEST"),
            (["export", "npz", file + "/sub/deeper"], "DEST"),
            (["lock", "--file", file + "/fmnist.lock"], "--file"),
            (["preview", "toyds", "--out", file + "/p.png"], "--out"),
            (["switch", "toyds", "--link", file + "/MNIST_data"], "--link"),
            (["switch", "toyds", "--link", file + "/deeper/tv", "--layout", "torchvision"], "--link"),
        ]
        for (command, option) in cases {
            let result = try fixture.run(command)
            #expect(result.status == 2, "\(command): exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("\(file) is a file, not a folder"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("hint: choose a \(option) in a folder"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("Input/output error") && !result.stderr.contains("Not a directory"), "\(command): \(result.stderr)")
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "mine")
    }

    @Test func aLinkOrLockInAMissingFolderNamesTheFolderAndCreatesNothing() throws {
        let fixture = try Fixture("boundary-missing-folder")
        let missing = fixture.path("not-yet/deeper")
        for (command, option) in [(["switch", "toyds", "--link", missing + "/MNIST_data"], "--link"),
                                  (["switch", "toyds", "--link", missing + "/tv", "--layout", "torchvision"], "--link"),
                                  (["lock", "--file", missing + "/fmnist.lock"], "--file"),
                                  (["preview", "toyds", "--out", missing + "/p.png"], "--out")] {
            let result = try fixture.run(command)
            #expect(result.status == 2, "\(command): exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("\(option) \(missing)/"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("its folder \(missing) does not exist (fmnist does not create it)"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("hint: create it first (mkdir -p \(missing))"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("permissions") && !result.stderr.contains("free space"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.path("not-yet")))
        let links = try fixture.run(["switch", "--json"]).json()["links"] as? [[String: Any]]
        #expect(links?.count == 1, "nothing registered: \(links ?? [])")
        // export creates DEST's missing folders (documented), so there it is no error.
        #expect(try fixture.run(["export", "npz", missing + "/out", "--dataset", "toyds"]).status == 0)
    }

    @Test func aRootWithoutAWorkspaceSaysSoAndIsNotCreated() throws {
        let scratch = try ScratchFolder("boundary-no-workspace")
        let dataset = try SyntheticDataset(name: "toyds", title: "Toy-DS", seed: 8, in: scratch.url)
        let flags = ["--manifests", dataset.manifestDirectory.path]
        let missing = scratch.url.appendingPathComponent("typo")
        let empty = scratch.url.appendingPathComponent("empty")
        let unrelated = scratch.url.appendingPathComponent("unrelated")
        for folder in [empty, unrelated] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("x".utf8).write(to: unrelated.appendingPathComponent("notes.txt"))
        let readers: [[String]] = [
            ["status"], ["versions"], ["versions", "toyds"], ["log"], ["log", "--dataset", "toyds"], ["verify"], ["verify", "toyds"],
            ["verify", "--repair"], ["preview", "toyds", "--out", scratch.url.appendingPathComponent("p.png").path], ["smoke-train", "toyds"],
            ["smoke-train", "--compare"], ["export", "npz", scratch.url.appendingPathComponent("out").path], ["diff", "toyds", "toyds"],
            ["lock", "--file", scratch.url.appendingPathComponent("l.lock").path], ["switch"], ["switch", "toyds"],
            ["switch", "--unlink", scratch.url.appendingPathComponent("MNIST_data").path], ["remove", "toyds@0000"], ["gc"], ["gc", "--dry-run"],
        ]
        for root in [missing, empty, unrelated] {
            for command in readers {
                let result = try FMNISTProcess.run(command + ["--root", root.path, "--json"] + flags, timeout: 120)
                #expect(result.status == 4, "\(command) --root \(root.lastPathComponent): exit \(result.status): \(result.stderr)")
                #expect(result.stderr.contains("error: no workspace at \(root.path)"), "\(command): \(result.stderr)")
                #expect(result.stderr.contains("fmnist fetch") && result.stderr.contains("fmnist import"), "\(command): \(result.stderr)")
                #expect(try result.json()["exit_code"] as? Int == 4, "\(command)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: missing.path), "no command created the missing root")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty, "nothing was created in the empty folder")
        #expect(try FileManager.default.contentsOfDirectory(atPath: unrelated.path) == ["notes.txt"])
        for name in ["p.png", "out", "l.lock"] { #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent(name).path)) }
        // A path argument needs no workspace: verify and diff of folders still work anywhere.
        #expect(try FMNISTProcess.run(["verify", dataset.folder.path, "--as", "toyds", "--root", missing.path] + flags).status == 0)
        #expect(try FMNISTProcess.run(["diff", dataset.folder.path, dataset.folder.path, "--root", missing.path] + flags).status == 0)
        // import (and fetch) still create the workspace; then the readers see it.
        #expect(try FMNISTProcess.run(["import", dataset.folder.path, "--as", "toyds", "--root", missing.path] + flags).status == 0)
        #expect(try FMNISTProcess.run(["status", "--root", missing.path] + flags).status == 0)
    }
}

extension SyntheticDataset {
    /// The four file names, sorted.
    static var fileNamesSorted: [String] { FileRole.allCases.map(fileName).sorted() }
}
