import Foundation
import Testing

/// `fmnist switch DATASET --link PATH --layout torchvision|keras`: framework links that follow
/// every switch, run over the release binary with the real files.
@Suite(.serialized) struct FrameworkLinkEndToEndTests {
    /// Reads what a torchvision root's `<Class>/raw/` shows, the way torchvision's `read_sn3_pascalvincent_tensor`
    /// does (the uncompressed IDX files, labels at offset 8), and the SHA-256 of each file against
    /// the gunzipped `.gz` of a live folder.
    static let rawReader = """
        import gzip, hashlib, json, os, sys
        import numpy as np
        raw, live = sys.argv[1], sys.argv[2]
        out = {}
        for kind in ('train', 't10k'):
            with open(os.path.join(raw, '%s-labels-idx1-ubyte' % kind), 'rb') as f:
                out[kind + '_hist'] = np.bincount(np.frombuffer(f.read(), dtype=np.uint8, offset=8), minlength=10).tolist()
        same = True
        for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'):
            with open(os.path.join(raw, name), 'rb') as f:
                shown = hashlib.sha256(f.read()).hexdigest()
            with gzip.open(os.path.join(live, name + '.gz'), 'rb') as f:
                same = same and shown == hashlib.sha256(f.read()).hexdigest()
        out['same_as_live'] = same
        print(json.dumps(out))
        """

    struct Raw: Decodable {
        let train_hist: [Int]
        let t10k_hist: [Int]
        let same_as_live: Bool
    }

    static func readRaw(_ raw: URL, live: URL) throws -> Raw {
        let result = try DropIn.python(rawReader, [raw.path, live.path])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(Raw.self, from: Data(result.stdout.utf8))
    }

    static func linkText(_ url: URL) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) }

    static func verifyAll(_ root: URL) throws {
        let verify = try FMNISTProcess.run(["verify", "all", "--root", root.path])
        #expect(verify.status == 0, "verify all: \(verify.stderr)")
    }

    @Test(.realData) func torchvisionLinksShowTheActiveDatasetsPayloadsAfterEverySwitch() throws {
        let (base, root) = try DropIn.workspaceWithBoth("tv-link")
        defer { _ = base }
        let tv = base.path("tv")
        let toFashion = try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", tv.path, "--layout", "torchvision", "--json"])
        #expect(toFashion.status == 0, "\(toFashion.stderr)")
        let links = try #require(try toFashion.json()["links"] as? [[String: Any]])
        #expect(Set(links.compactMap { $0["layout"] as? String }) == ["torchvision"])
        #expect(links.filter { $0["registered_path"] as? String == tv.path }.count == 2)

        for className in ["MNIST", "FashionMNIST"] {
            let raw = tv.appendingPathComponent(className).appendingPathComponent("raw")
            let text = try #require(Self.linkText(raw))
            #expect(text.hasPrefix("../"), "relative: \(text)")
            #expect(text.contains(".fmnist/payload/fashion/"))
            let shown = try Self.readRaw(raw, live: root.appendingPathComponent("fashion"))
            #expect(shown.train_hist == DropIn.fashionTrain)
            #expect(shown.t10k_hist == DropIn.fashionTest)
            #expect(shown.same_as_live)
        }
        // The payloads are read-only copies, never the store.
        let payload = tv.appendingPathComponent("FashionMNIST/raw/train-images-idx3-ubyte")
        let attributes = try FileManager.default.attributesOfItem(atPath: payload.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o444)
        let folder = try FileManager.default.attributesOfItem(atPath: LinkSwitcherPaths.real(tv.appendingPathComponent("FashionMNIST/raw")))
        #expect((folder[.posixPermissions] as? Int) == 0o555)
        #expect(LinkSwitcherPaths.real(tv.appendingPathComponent("MNIST/raw")).contains("/.fmnist/payload/"))

        let toMNIST = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(toMNIST.status == 0, "\(toMNIST.stderr)")
        #expect(!toMNIST.stderr.contains("skipped"), "\(toMNIST.stderr)")
        for className in ["MNIST", "FashionMNIST"] {
            let raw = tv.appendingPathComponent(className).appendingPathComponent("raw")
            #expect(Self.linkText(raw)?.contains(".fmnist/payload/mnist/") == true)
            let shown = try Self.readRaw(raw, live: root.appendingPathComponent("mnist"))
            #expect(shown.train_hist == DropIn.mnistTrain)
            #expect(shown.t10k_hist == DropIn.mnistTest)
            #expect(shown.same_as_live)
        }

        // `switch` without argument lists each symlink with its layout.
        let listed = try FMNISTProcess.run(["switch", "--root", root.path, "--json"])
        let states = try #require(try listed.json()["links"] as? [[String: Any]])
        let tvStates = states.filter { $0["layout"] as? String == "torchvision" }
        #expect(tvStates.count == 2)
        #expect(tvStates.allSatisfy { $0["dataset"] as? String == "mnist" && $0["problem"] == nil })
        let human = try FMNISTProcess.run(["switch", "--root", root.path])
        #expect(human.stderr.contains("(torchvision link \(tv.path))"))

        try Self.verifyAll(root)
        let verifyRoot = try FMNISTProcess.run(["verify", tv.path, "--root", root.path])
        #expect(verifyRoot.status == 0, "\(verifyRoot.stderr)")
    }

    @Test(.realData) func kerasLinkFollowsEverySwitch() throws {
        let (base, root) = try DropIn.workspaceWithBoth("keras-link")
        defer { _ = base }
        let home = base.path("keras-home")
        let toFashion = try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", home.path, "--layout", "keras"])
        #expect(toFashion.status == 0, "\(toFashion.stderr)")
        let cache = home.appendingPathComponent("datasets/fashion-mnist")
        #expect(Self.linkText(cache) == "../../data/fashion")
        let fashion = try DropIn.load(cache)
        #expect(fashion.train_hist == DropIn.fashionTrain)

        let toMNIST = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(toMNIST.status == 0, "\(toMNIST.stderr)")
        #expect(Self.linkText(cache) == "../../data/mnist")
        let mnist = try DropIn.load(cache)
        #expect(mnist.train_hist == DropIn.mnistTrain)
        #expect(mnist.test_hist == DropIn.mnistTest)
        let listed = try FMNISTProcess.run(["switch", "--root", root.path])
        #expect(listed.stderr.contains("\(cache.path) -> ../../data/mnist [mnist] (keras link \(home.path))"), "\(listed.stderr)")
        try Self.verifyAll(root)
    }

    /// torchvision's `download=True` does `open(path, "wb")` through the link; as root 0444 does not
    /// stop it (the harness makes the file writable first when it does not run as root).
    @Test(.realData) func aWriteThroughATorchvisionLinkDamagesOnlyACopyThatSwitchRestores() throws {
        let (base, root) = try DropIn.workspaceWithBoth("tv-damage")
        defer { _ = base }
        let tv = base.path("tv")
        #expect(try FMNISTProcess.run(["switch", "mnist", "--root", root.path, "--link", tv.path, "--layout", "torchvision"]).status == 0)
        let store = root.appendingPathComponent(".fmnist/store/sha256")
        let storeBefore = try Self.storeDigests(store)
        let target = tv.appendingPathComponent("MNIST/raw/train-labels-idx1-ubyte")
        let write = try DropIn.python(
            """
            import os, sys
            path = sys.argv[1]
            try:
                f = open(path, 'wb')
            except PermissionError:
                os.chmod(path, 0o644)
                f = open(path, 'wb')
            f.write(b'overwritten by a framework')
            f.close()
            """, [target.path])
        #expect(write.status == 0, "\(write.stderr)")

        let detected = try FMNISTProcess.run(["verify", tv.path, "--root", root.path])
        #expect(detected.status != 0, "verify of the torchvision root must see the damage: \(detected.stderr)")
        #expect(try Self.storeDigests(store) == storeBefore)
        #expect(storeBefore.allSatisfy { $0.key == $0.value }, "every store file is still its name")
        let all = try FMNISTProcess.run(["verify", "all", "--root", root.path, "--json"])
        #expect(all.status == 3, "verify all reports the damaged copy the link shows: \(all.stderr)")
        #expect(all.stderr.contains("torchvision link \(tv.path)/MNIST/raw: DAMAGED"), "\(all.stderr)")
        #expect(all.stderr.contains("fmnist switch mnist"))
        let checks = try #require(try all.json()["framework_links"] as? [[String: Any]])
        #expect(checks.filter { $0["ok"] as? Bool == false }.count == 2, "both raw links show the one damaged folder")
        let datasets = try #require(try all.json()["datasets"] as? [[String: Any]])
        #expect(datasets.count == 2 && datasets.allSatisfy { $0["exit_status"] as? Int == 0 }, "the live folders are untouched")

        let again = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("restored train-labels-idx1-ubyte"), "\(again.stderr)")
        let shown = try Self.readRaw(tv.appendingPathComponent("MNIST/raw"), live: root.appendingPathComponent("mnist"))
        #expect(shown.same_as_live)
        #expect(shown.train_hist == DropIn.mnistTrain)
        #expect(try FMNISTProcess.run(["verify", tv.path, "--root", root.path]).status == 0)
        try Self.verifyAll(root)

        // verify --repair restores it too.
        let fashionRaw = tv.appendingPathComponent("FashionMNIST/raw/t10k-images-idx3-ubyte")
        #expect(try DropIn.python("import os, sys; os.chmod(sys.argv[1], 0o644); open(sys.argv[1], 'r+b').write(b'\\xff' * 64)", [fashionRaw.path]).status == 0)
        #expect(try FMNISTProcess.run(["verify", "all", "--root", root.path]).status == 3)
        let repair = try FMNISTProcess.run(["verify", "--repair", "--root", root.path])
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stderr.contains("t10k-images-idx3-ubyte"), "\(repair.stderr)")
        try Self.verifyAll(root)
        #expect(try Self.readRaw(tv.appendingPathComponent("FashionMNIST/raw"), live: root.appendingPathComponent("mnist")).same_as_live)
    }

    @Test(.realData) func aRealFolderOrAForeignSymlinkWhereAFrameworkLinkGoesIsRefusedNeverReplaced() throws {
        let (base, root) = try DropIn.workspaceWithBoth("tv-refuse")
        defer { _ = base }
        let fm = FileManager.default
        // A real raw/ folder of the user's.
        let tv = base.path("tv")
        try fm.createDirectory(at: tv.appendingPathComponent("MNIST/raw"), withIntermediateDirectories: true)
        let mine = tv.appendingPathComponent("MNIST/raw/train-images-idx3-ubyte")
        try Data("mine".utf8).write(to: mine)
        let refused = try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", tv.path, "--layout", "torchvision"])
        #expect(refused.status == 7, "\(refused.stderr)")
        #expect(refused.stderr.contains("MNIST/raw"))
        #expect(try String(contentsOf: mine, encoding: .utf8) == "mine")
        #expect(!fm.fileExists(atPath: tv.appendingPathComponent("FashionMNIST").path))
        #expect(!(try FMNISTProcess.run(["switch", "--root", root.path]).stderr.contains(tv.path)), "nothing registered")

        // A folder below PATH that is someone else's symlink: nothing is written through it.
        let kh = base.path("kh")
        let elsewhere = base.path("elsewhere")
        try fm.createDirectory(at: kh, withIntermediateDirectories: true)
        try fm.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: kh.appendingPathComponent("datasets").path, withDestinationPath: elsewhere.path)
        let foreign = try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", kh.path, "--layout", "keras"])
        #expect(foreign.status == 7, "\(foreign.stderr)")
        #expect(try fm.contentsOfDirectory(atPath: elsewhere.path).isEmpty)

        // Inside the workspace: refused as a usage error.
        let inside = try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", root.appendingPathComponent(".fmnist/x").path, "--layout", "torchvision"])
        #expect(inside.status == 2, "\(inside.stderr)")
        // A layout fmnist does not know, and two layouts in one switch.
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", kh.path, "--layout", "pytorch"]).status == 2)
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", kh.path, "--layout", "keras", "--layout", "seed"]).status == 2)
    }

    @Test(.realData) func replacedFoldersAreSkippedStaleProcessedIsWarnedAndUnlinkRemovesEverySymlinkOfTheLayout() throws {
        let (base, root) = try DropIn.workspaceWithBoth("tv-life")
        defer { _ = base }
        let fm = FileManager.default
        let tv = base.path("tv")
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", tv.path, "--layout", "torchvision"]).status == 0)
        // torchvision's processed/ takes precedence over raw/: warned about.
        try fm.createDirectory(at: tv.appendingPathComponent("MNIST/processed"), withIntermediateDirectories: true)
        // The user replaced FashionMNIST/raw with a real folder: skipped, never replaced.
        let fashionRaw = tv.appendingPathComponent("FashionMNIST/raw")
        try fm.removeItem(at: fashionRaw)
        try fm.createDirectory(at: fashionRaw, withIntermediateDirectories: true)
        let next = try FMNISTProcess.run(["switch", "mnist", "--root", root.path, "--json"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("MNIST/processed exists"), "\(next.stderr)")
        #expect(next.stderr.contains("skipped the link \(fashionRaw.path): it was replaced by a real folder"), "\(next.stderr)")
        #expect(Self.linkText(tv.appendingPathComponent("MNIST/raw"))?.contains("/payload/mnist/") == true)
        let warnings = try #require(try next.json()["warnings"] as? [String])
        #expect(warnings.count == 2)

        let unlink = try FMNISTProcess.run(["switch", "--unlink", tv.path, "--root", root.path, "--json"])
        #expect(unlink.status == 0, "\(unlink.stderr)")
        let removed = try #require(try unlink.json()["removed_symlinks"] as? [String])
        #expect(removed == [tv.appendingPathComponent("MNIST/raw").path])
        #expect(try unlink.json()["layout"] as? String == "torchvision")
        #expect(Self.linkText(tv.appendingPathComponent("MNIST/raw")) == nil)
        #expect(fm.fileExists(atPath: fashionRaw.path), "the user's folder is left")
        #expect(fm.fileExists(atPath: tv.appendingPathComponent("MNIST/processed").path))
        let later = try FMNISTProcess.run(["switch", "fashion", "--root", root.path])
        #expect(later.status == 0)
        #expect(!fm.fileExists(atPath: tv.appendingPathComponent("MNIST/raw").path), "an unlinked layout is not flipped again")
    }

    /// A link a newer fmnist registered in a layout this build does not know (layout names are
    /// open: the catalog stores any layout's name) is reported and left alone by `switch`,
    /// `switch` (status) and `doctor`, and `switch --unlink` tries every known layout's places.
    @Test(.realData) func aLinkInALayoutThisBuildDoesNotKnowIsSkippedNamedAndStillUnlinked() throws {
        let (base, root) = try DropIn.workspaceWithBoth("unknown-layout")
        defer { _ = base }
        let link = base.path("zarr-root")
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", link.path]).status == 0)
        let relabel = try DropIn.python(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE links SET layout = 'zarr'\"); c.commit()",
            [root.appendingPathComponent(".fmnist/catalog.sqlite3").path])
        #expect(relabel.status == 0, "\(relabel.stderr)")

        let next = try FMNISTProcess.run(["switch", "mnist", "--root", root.path, "--json"])
        #expect(next.status == 0, "\(next.stderr)")
        let warnings = try #require(try next.json()["warnings"] as? [String])
        #expect(warnings == ["skipped the link \(link.path): a newer fmnist registered it in a layout this one does not know"])
        #expect(Self.linkText(link) == "data/fashion", "left as it was")
        #expect(Self.linkText(root.appendingPathComponent("current")) == "mnist")

        let status = try FMNISTProcess.run(["switch", "--root", root.path])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stderr.contains("\(link.path) -> data/fashion — skipped: registered by a newer fmnist in a layout this one does not know"), "\(status.stderr)")
        let doctor = try FMNISTProcess.run(["doctor", base.url.path, "--root", root.path])
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")

        let unlink = try FMNISTProcess.run(["switch", "--unlink", link.path, "--root", root.path, "--json"])
        #expect(unlink.status == 0, "\(unlink.stderr)")
        #expect(try unlink.json()["removed_symlinks"] as? [String] == [link.path])
        #expect((try unlink.json()["layout"]).map { $0 is NSNull } ?? true, "an unknown layout is not named as one this build keeps")
        #expect(Self.linkText(link) == nil)
    }

    /// A seed link in a folder beside the workspace has a target with "..": it must still read as
    /// fmnist's on the next switch (Foundation's standardizedFileURL resolves symlinks there).
    @Test(.realData) func aSeedLinkWhoseTargetClimbsOutOfItsFolderStillFlips() throws {
        let (base, root) = try DropIn.workspaceWithBoth("seed-dotdot")
        defer { _ = base }
        let folder = base.path("project/inputs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let link = folder.appendingPathComponent("MNIST_data")
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "--link", link.path]).status == 0)
        #expect(Self.linkText(link) == "../../data/fashion")
        let next = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(next.status == 0)
        #expect(!next.stderr.contains("skipped"), "\(next.stderr)")
        #expect(Self.linkText(link) == "../../data/mnist")
    }

    /// Every store file's name -> the SHA-256 of its bytes.
    static func storeDigests(_ store: URL) throws -> [String: String] {
        let result = try DropIn.python(
            """
            import hashlib, json, os, sys
            d = sys.argv[1]
            print(json.dumps({n: hashlib.sha256(open(os.path.join(d, n), 'rb').read()).hexdigest() for n in os.listdir(d)}))
            """, [store.path])
        return try JSONDecoder().decode([String: String].self, from: Data(result.stdout.utf8))
    }
}

enum LinkSwitcherPaths {
    /// `realpath` of a path.
    static func real(_ url: URL) -> String {
        guard let resolved = realpath(url.path, nil) else { return url.path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
