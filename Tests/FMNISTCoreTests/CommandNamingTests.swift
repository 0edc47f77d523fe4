import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// Hints name the program as the user can run it: `fmnist` when PATH finds this binary, the
/// invoked path otherwise; only command invocations are rewritten, never `.fmnist/` or `fmnist.lock`.
@Suite struct CommandNamingTests {
    @Test func invocationsAreRewrittenAndPathsAreNot() {
        let program = ".build/release/fmnist"
        #expect(CommandNaming.rewrite("hint: run `fmnist fetch all`, or `fmnist import DIR --as fashion`", program: program)
                == "hint: run `.build/release/fmnist fetch all`, or `.build/release/fmnist import DIR --as fashion`")
        #expect(CommandNaming.rewrite("fmnist switch mnist", program: program) == ".build/release/fmnist switch mnist")
        #expect(CommandNaming.rewrite("resume with: fmnist fetch fashion --root data", program: program)
                == "resume with: .build/release/fmnist fetch fashion --root data")
        #expect(CommandNaming.rewrite("(fmnist smoke-train --compare)", program: program) == "(.build/release/fmnist smoke-train --compare)")
        for untouched in [
            "data/.fmnist/lock is held", "wrote fmnist.lock", "/usr/local/bin/fmnist fetch", "the fmnist workspace",
            "fmnist fetched it", "fmnist statusbar", "a .fmnist fetch",
        ] {
            #expect(CommandNaming.rewrite(untouched, program: program) == untouched, "\(untouched)")
        }
        #expect(CommandNaming.rewrite("run `fmnist fetch all`", program: "fmnist") == "run `fmnist fetch all`")
        #expect(CommandNaming.rewrite("run `fmnist fetch`", program: "'/my dir/fmnist'") == "run `'/my dir/fmnist' fetch`")
    }

    @Test func theProgramIsNamedAsTheShellWouldFindIt() throws {
        let scratch = try ScratchFolder("naming")
        let bin = scratch.url.appendingPathComponent("bin")
        let build = scratch.url.appendingPathComponent("src/.build/release")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        let binary = build.appendingPathComponent("fmnist")
        #expect(FileManager.default.createFile(atPath: binary.path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        let src = scratch.url.appendingPathComponent("src").path
        // Found through PATH (no slash): as typed.
        #expect(CommandNaming.programName(invokedAs: "fmnist", path: "/usr/bin", currentDirectory: src) == "fmnist")
        // Run by path, and PATH finds no fmnist: the path, relative to the working directory.
        #expect(CommandNaming.programName(invokedAs: binary.path, path: "/usr/bin:/bin", currentDirectory: src) == ".build/release/fmnist")
        #expect(CommandNaming.programName(invokedAs: ".build/release/fmnist", path: nil, currentDirectory: src) == ".build/release/fmnist")
        #expect(CommandNaming.programName(invokedAs: binary.path, path: "/usr/bin", currentDirectory: "/") == String(binary.path.dropFirst()))
        #expect(CommandNaming.programName(invokedAs: binary.path, path: "/usr/bin", currentDirectory: build.path) == "./fmnist")
        #expect(CommandNaming.programName(invokedAs: binary.path, path: "/usr/bin", currentDirectory: bin.path) == binary.path)
        // PATH finds this same binary (a link to it): `fmnist`.
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("fmnist"), withDestinationURL: binary)
        #expect(CommandNaming.programName(invokedAs: binary.path, path: "/usr/bin:\(bin.path)", currentDirectory: src) == "fmnist")
        // PATH finds another fmnist first: the path again.
        let other = scratch.url.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: other.appendingPathComponent("fmnist").path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(CommandNaming.programName(invokedAs: binary.path, path: "\(other.path):\(bin.path)", currentDirectory: src) == ".build/release/fmnist")
    }
}
