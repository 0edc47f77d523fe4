import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The one output-path rule (`WorkspaceBoundary.checkOutput`) and the walk it judges by
/// (`resolvedForWriting`), on a hand-made workspace layout: no data needed.
@Suite struct OutputBoundaryTests {
    /// `base/data` with `.fmnist/versions/fashion/<id>/`, `fashion -> .fmnist/versions/fashion/<id>`,
    /// `current -> fashion`, and `base/out/` beside it.
    struct Layout {
        let scratch: ScratchFolder
        let layout: WorkspaceLayout
        let versionDirectory: String
        var base: String { scratch.url.path }
        var root: String { layout.root.path }

        init() throws {
            scratch = try ScratchFolder("output-boundary")
            layout = WorkspaceLayout(root: scratch.url.appendingPathComponent("data"))
            let id = String(repeating: "ab", count: 32)
            versionDirectory = layout.versionDirectory(dataset: "fashion", versionID: id).path
            try FileManager.default.createDirectory(atPath: versionDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: scratch.url.appendingPathComponent("out").path, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: layout.root.appendingPathComponent("fashion").path, withDestinationPath: ".fmnist/versions/fashion/\(id)")
            try FileManager.default.createSymbolicLink(atPath: layout.root.appendingPathComponent("current").path, withDestinationPath: "fashion")
        }

        func link(_ name: String, _ target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: base + "/" + name, withDestinationPath: target)
        }

        func problem(_ path: String, followFinalSymlink: Bool = true) throws -> WorkspaceError? {
            do {
                try WorkspaceBoundary(layout: layout).checkOutput(
                    path, option: "DEST", registry: try ManifestRegistry.builtin(), followFinalSymlink: followFinalSymlink)
                return nil
            } catch let error as WorkspaceError {
                return error
            }
        }
    }

    @Test func theWalkFollowsEverySymlinkAndAppliesDotDotWhereItLeads() throws {
        let ws = try Layout()
        func resolved(_ path: String, follow: Bool = true) -> String { WorkspaceBoundary.resolvedForWriting(path, followFinalSymlink: follow) }
        #expect(resolved(ws.root + "/fashion/x") == ws.versionDirectory + "/x")
        #expect(resolved(ws.root + "/current/x/y") == ws.versionDirectory + "/x/y")
        #expect(resolved(ws.root + "/current/../x") == ws.root + "/.fmnist/versions/fashion/x")   // ".." after the link, as the kernel does
        #expect(resolved(ws.root + "/missing/../x") == ws.root + "/x")                          // below the deepest existing folder: as written
        #expect(resolved(ws.root + "//./current") == ws.versionDirectory)
        #expect(resolved(ws.root + "/current", follow: false) == ws.root + "/current")          // a link fmnist replaces: judged by its name
        #expect(resolved(ws.root + "/current/x", follow: false) == ws.versionDirectory + "/x")   // ... but its folders are followed
        try ws.link("dangling", ws.root + "/.fmnist/new/deeper")
        #expect(resolved(ws.base + "/dangling/file") == ws.root + "/.fmnist/new/deeper/file")
        try ws.link("relative", "data/current")
        #expect(resolved(ws.base + "/relative") == ws.versionDirectory)
        try ws.link("loop-a", "loop-b")
        try ws.link("loop-b", "loop-a")
        #expect(resolved(ws.base + "/loop-a/x").hasPrefix(ws.base + "/loop-"), "a loop ends the walk instead of spinning")
        let cwd = FileManager.default.currentDirectoryPath
        #expect(resolved("relative/path") == FilePaths.lexicallyNormalized(cwd + "/relative/path"))
    }

    @Test func outputsInsideTheWorkspacesFoldersAreRefusedAndOthersAllowed() throws {
        let ws = try Layout()
        try ws.link("into-private", ws.root + "/.fmnist")
        let refused: [(String, String)] = [
            (ws.root + "/fashion/out", "inside a read-only version folder of fashion"),
            (ws.root + "/current", "inside a read-only version folder of fashion"),
            (ws.root + "/.fmnist", "inside the workspace's private area (.fmnist)"),
            (ws.root + "/.fmnist/store/sha256/x", "inside the workspace's store (.fmnist/store)"),
            (ws.root + "/.fmnist/payload/fashion/\(String(repeating: "cd", count: 32))/x", "inside a version's payload folder of fashion"),
            (ws.root + "/.fmnist/versions/fashion/not-an-id", "inside the workspace's private area (.fmnist)"),
            (ws.root + "/mnist/x", "inside or equal to the live folder of mnist (fmnist's link to a read-only version folder)"),
            (ws.root, "the workspace root itself"),
            (ws.base + "/into-private/tmp/x", "inside the workspace's private area (.fmnist)"),
        ]
        for (path, what) in refused {
            guard case .outputInsideWorkspace(let option, _, _, let found, let root, let reserved)? = try ws.problem(path) else {
                Issue.record("\(path) was not refused")
                continue
            }
            #expect(option == "DEST" && found == what, "\(path): \(found)")
            #expect(root == ws.root && reserved == ["fashion", "mnist", "current", ".fmnist"])
        }
        #expect(try ws.problem(ws.root + "/current", followFinalSymlink: false).map { "\($0)" }?.contains("the workspace's current link") == true)
        let error = try #require(try ws.problem(ws.root + "/fashion/out"))
        #expect(error.exitStatus == .usage)
        #expect(error.description.contains("(it leads to \(ws.versionDirectory)/out)"))
        for allowed in [ws.base + "/out/x", ws.root + "/exports/x", ws.root + "/mnist.png", ws.root + "/fashionable", ws.base] {
            #expect(try ws.problem(allowed) == nil, "\(allowed)")
        }
    }

    @Test func aDatasetWithAVersionFolderButNoManifestKeepsItsName() throws {
        let ws = try Layout()
        try FileManager.default.createDirectory(atPath: ws.root + "/.fmnist/versions/kmnist", withIntermediateDirectories: true)
        guard case .outputInsideWorkspace(_, _, _, let what, _, let reserved)? = try ws.problem(ws.root + "/kmnist/x") else {
            Issue.record("kmnist/ was not refused")
            return
        }
        #expect(what == "inside or equal to the live folder of kmnist (fmnist's link to a read-only version folder)")
        #expect(reserved.contains("kmnist"))
    }

    @Test func aFolderThatIsAFileOrMissingIsNamed() throws {
        let ws = try Layout()
        let file = ws.base + "/afile"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: WorkspaceError.outputFolderMissing(option: "--out", path: file + "/a/b.png", folder: file, isFile: true)) {
            try WorkspaceBoundary.checkFolder(of: file + "/a/b.png", option: "--out", createsMissing: false)
        }
        #expect(throws: WorkspaceError.outputFolderMissing(option: "--link", path: ws.base + "/no/x", folder: ws.base + "/no", isFile: false)) {
            try WorkspaceBoundary.checkFolder(of: ws.base + "/no/x", option: "--link", createsMissing: false)
        }
        try WorkspaceBoundary.checkFolder(of: ws.base + "/no/such/dest", option: "DEST", createsMissing: true)
        try WorkspaceBoundary.checkFolder(of: ws.base + "/out/x", option: "DEST", createsMissing: false)
    }

    @Test func aRootIsAWorkspaceOnlyWhenItHoldsOneOfFmnistsNames() throws {
        let scratch = try ScratchFolder("require-workspace")
        let registry = try ManifestRegistry.builtin()
        func check(_ root: URL) -> WorkspaceError? {
            do { try WorkspaceBoundary(layout: WorkspaceLayout(root: root)).requireWorkspace(registry: registry); return nil }
            catch let error as WorkspaceError { return error }
            catch { return nil }
        }
        let missing = scratch.url.appendingPathComponent("missing")
        #expect(check(missing) == .noWorkspace(root: missing.path, exists: false))
        #expect(check(scratch.url) == .noWorkspace(root: scratch.url.path, exists: true))
        #expect(check(scratch.url)?.exitStatus == .missing)
        for name in [".fmnist", "current", "mnist"] {
            let root = scratch.url.appendingPathComponent("with-\(name)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            #expect(check(root) == nil, "\(name)")
        }
        let fileRoot = scratch.url.appendingPathComponent("private-file")
        try FileManager.default.createDirectory(at: fileRoot, withIntermediateDirectories: true)
        try Data().write(to: fileRoot.appendingPathComponent(".fmnist"))
        #expect(check(fileRoot) == .privateAreaNotAFolder(path: fileRoot.appendingPathComponent(".fmnist").path, kind: "regular file"))
        #expect(check(fileRoot)?.exitStatus == .workspace)
    }
}
