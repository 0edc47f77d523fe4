import Foundation
import Testing

import FMNISTCore

/// Skip, refusal, verdict and fault codes are typed (``SkipCode``, ``IntegrityFault/Code``,
/// ``NPZFault/Code``): their raw values are what `--json` prints, and no source compares or builds
/// one from a string literal, nor judges a skip by the English of its reason.
@Suite struct TypedCodeTests {
    /// Every `.swift` file under `Sources/`, with its path relative to `Sources`.
    static func sources() throws -> [(path: String, text: String)] {
        let root = ExampleDocumentationTests.root.appendingPathComponent("Sources")
        let walker = try #require(FileManager.default.enumerator(atPath: root.path))
        var files: [(String, String)] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            files.append((path, try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)))
        }
        return files
    }

    @Test func noCodeIsComparedWithOrBuiltFromAStringLiteral() throws {
        // `.code == "x"`, `faultCode != "x"`, `code: "x"` (a skip built from a word), `skipCode == "x"`.
        let pattern = /(?i:code)\s*(==|!=)\s*"|\bcode:\s*"|\.code\)\s*(==|!=)\s*"/
        var found: [String] = []
        for (path, text) in try Self.sources() {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(pattern) && !line.trimmingCharacters(in: .whitespaces).hasPrefix("///") {
                found.append("\(path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(found.isEmpty, "codes compared or built as strings:\n\(found.joined(separator: "\n"))")
    }

    @Test func theDiagnosisDoesNotReadReasons() throws {
        // The cause of a failed fetch (and so its hint) follows the skips' codes, not their English.
        let text = try #require(try Self.sources().first { $0.path.hasSuffix("Transfer/FetchDiagnosis.swift") }).text
        #expect(!text.contains(".reason.contains("), "FetchDiagnosis judges a skip by the words of its reason")
    }

    @Test func rawValuesRoundTrip() throws {
        for code in SkipCode.fixed + [.http(404), .http(503)] {
            #expect(SkipCode(rawValue: code.rawValue) == code, "\(code)")
        }
        #expect(Set(SkipCode.fixed.map(\.rawValue)).count == SkipCode.fixed.count)
        #expect(SkipCode(rawValue: "http_404") == .http(404))
        #expect(SkipCode(rawValue: "no such code") == nil)
        // A fault found in the bytes keeps its word as a skip code.
        for fault in IntegrityFault.Code.allCases {
            #expect(SkipCode(fault).rawValue == fault.rawValue)
        }
        let skip = MirrorSkip(url: "http://x/a.gz", code: .http(404), reason: "answered HTTP 404 Not Found", attempts: 1)
        let json = String(decoding: try JSONEncoder().encode(skip), as: UTF8.self)
        #expect(json.contains("\"code\":\"http_404\""))
        #expect(try JSONDecoder().decode(MirrorSkip.self, from: Data(json.utf8)) == skip)
    }
}
