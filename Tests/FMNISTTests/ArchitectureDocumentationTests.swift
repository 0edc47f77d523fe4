import Foundation
import Testing

/// ARCHITECTURE.md names every source file (by its name without the extension, e.g.
/// `KeptPayloadReader` or `Catalog+Versions`), so that a new file cannot land unexplained.
@Suite struct ArchitectureDocumentationTests {
    @Test func everySourceFileIsNamed() throws {
        let root = ExampleDocumentationTests.root
        let architecture = try String(contentsOf: root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let sources = root.appendingPathComponent("Sources")
        let walker = try #require(FileManager.default.enumerator(atPath: sources.path))
        var files: [String] = []
        for case let path as String in walker where [".swift", ".c", ".h"].contains(where: path.hasSuffix) {
            files.append(path)
        }
        #expect(files.count > 100, "the walk found too few source files: \(files.count)")
        let unnamed = files.filter { path in
            let stem = (path as NSString).lastPathComponent.split(separator: ".").dropLast().joined(separator: ".")
            return !architecture.contains(stem)
        }
        #expect(unnamed.isEmpty, "ARCHITECTURE.md does not name: \(unnamed.sorted().joined(separator: ", "))")
    }

    /// Every source path ARCHITECTURE.md gives (`Workspace/VersionStore.swift`, `Sources/CKernels/team.c`, …)
    /// exists, so that a file moved to another folder cannot leave a stale pointer behind.
    @Test func everyPathNamedExists() throws {
        let root = ExampleDocumentationTests.root
        let architecture = try String(contentsOf: root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let named = architecture.matches(of: /[A-Za-z+]+(?:\/[A-Za-z0-9_+.\-]+)*\/[A-Za-z0-9_+.\-]+\.(?:swift|c|h|py|sh)\b/).map { String($0.0) }
        #expect(named.count > 30, "the scan found too few paths: \(named.count)")
        let prefixes = ["", "Sources/FMNISTCore/", "Sources/", "Tests/"]
        let missing = Set(named.filter { path in
            !prefixes.contains { FileManager.default.fileExists(atPath: root.appendingPathComponent($0 + path).path) }
        })
        #expect(missing.isEmpty, "ARCHITECTURE.md names paths that do not exist: \(missing.sorted().joined(separator: ", "))")
    }
}
