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
}
