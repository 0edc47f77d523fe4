import Foundation
import Testing

/// README's "Use it from Swift" shows the example program's code, verbatim.
@Suite struct ExampleDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func readmeShowsTheExampleProgram() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let program = try String(
            contentsOf: Self.root.appendingPathComponent("Examples/load-fashion/Sources/load-fashion/main.swift"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Use it from Swift")).upperBound
        #expect(readme[section...].contains("```swift\n" + program + "```"))
    }
}
