import Foundation
import Testing

/// The folders of `FMNISTCore` form layers, listed low to high in ARCHITECTURE.md's line
/// `Layers, low to high: Support, Model, …`. A file may use the types of its own folder and of
/// the folders below it, never of one above: so no two folders use each other's types and a change
/// to a high layer (a command's service) cannot break a low one (storage, the catalog).
///
/// The check reads the sources as text: a type is the top-level `struct`/`enum`/`class`/`protocol`/
/// `actor`/`typealias` a file declares at column 0; a use is the type's name as a word outside
/// comments and string literals.
@Suite struct ArchitectureLayeringTests {
    static let core = ExampleDocumentationTests.root.appendingPathComponent("Sources/FMNISTCore")

    /// The declared layer order, read from ARCHITECTURE.md.
    static func declaredLayers() throws -> [String] {
        let text = try String(contentsOf: ExampleDocumentationTests.root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let marker = "Layers, low to high:"
        let line = try #require(text.split(separator: "\n").first { $0.contains(marker) }, "ARCHITECTURE.md has no '\(marker)' line")
        let list = line[line.range(of: marker)!.upperBound...]
        return list.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " .`")) }
    }

    struct SourceFile {
        let folder: String
        let path: String
        let code: String
    }

    /// Every `.swift` file of FMNISTCore with comments and string literals blanked out.
    static func sources() throws -> [SourceFile] {
        let walker = try #require(FileManager.default.enumerator(atPath: core.path))
        var files: [SourceFile] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            let text = try String(contentsOf: core.appendingPathComponent(path), encoding: .utf8)
            files.append(SourceFile(folder: String(path.split(separator: "/")[0]), path: path, code: stripped(text)))
        }
        return files
    }

    /// The code without comments and string literals (multi-line strings included), so that a
    /// type named in prose does not count as a use.
    static func stripped(_ text: String) -> String {
        var out = ""
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.first {
            if chars.starts(with: "//".unicodeScalars) {
                while let d = chars.first, d != "\n" { chars.removeFirst() }
            } else if chars.starts(with: "/*".unicodeScalars) {
                chars.removeFirst(2)
                while !chars.isEmpty, !chars.starts(with: "*/".unicodeScalars) { chars.removeFirst() }
                chars = chars.dropFirst(2)
            } else if chars.starts(with: "\"\"\"".unicodeScalars) {
                chars.removeFirst(3)
                while !chars.isEmpty, !chars.starts(with: "\"\"\"".unicodeScalars) { chars.removeFirst() }
                chars = chars.dropFirst(3)
                out += "\"\""
            } else if c == "\"" {
                chars.removeFirst()
                while let d = chars.first, d != "\"", d != "\n" {
                    chars.removeFirst()
                    if d == "\\" { chars = chars.dropFirst() }
                }
                chars = chars.dropFirst()
                out += "\"\""
            } else {
                out.unicodeScalars.append(c)
                chars.removeFirst()
            }
        }
        return out
    }

    static var declaration: Regex<(Substring, Substring)> {
        /^(?:(?:public|package|internal|fileprivate|private|final|indirect|@\w+)[ \t]+)*(?:struct|enum|class|protocol|actor|typealias)[ \t]+([A-Z]\w*)/
            .anchorsMatchLineEndings()
    }

    @Test func everyFolderIsALayer() throws {
        let layers = try Self.declaredLayers()
        let folders = Set(try Self.sources().map(\.folder))
        #expect(Set(layers) == folders, "folders not in the Layers line: \(folders.subtracting(layers).sorted()); listed but absent: \(Set(layers).subtracting(folders).sorted())")
        #expect(layers.count == Set(layers).count, "a layer is listed twice")
    }

    @Test func noFolderUsesATypeOfAHigherLayer() throws {
        let layers = try Self.declaredLayers()
        let rank = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($1, $0) })
        let files = try Self.sources()
        var owner: [String: String] = [:]  // type name → folder
        for file in files {
            for match in file.code.matches(of: Self.declaration) { owner[String(match.1)] = file.folder }
        }
        #expect(owner.count > 200, "the parse found too few types: \(owner.count)")
        #expect(owner["WorkspaceLayout"] == "Storage" && owner["FetchService"] == "Transfer", "the parse misread the declarations")
        var upward: [String] = []
        for file in files {
            let words = Set(file.code.matches(of: /\b[A-Z]\w*\b/).map { String($0.0) })
            for word in words.sorted() {
                guard let folder = owner[word], folder != file.folder,
                      let mine = rank[file.folder], let theirs = rank[folder], theirs > mine else { continue }
                upward.append("\(file.path) uses \(word) (\(folder))")
            }
        }
        #expect(upward.isEmpty, "uses of a higher layer's types:\n\(upward.joined(separator: "\n"))")
    }

    /// The check can fail: a file of the lowest layer that names a type of the highest is caught.
    @Test func theCheckSeesAnUpwardUse() throws {
        let code = Self.stripped("let x = PublishPlan() // WorkspaceLayout\nlet s = \"FetchService\"")
        let words = Set(code.matches(of: /\b[A-Z]\w*\b/).map { String($0.0) })
        #expect(words == ["PublishPlan"])
    }
}
