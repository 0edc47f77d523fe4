import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// Seeded mutation fuzzing of the manifest parser and the workspace config parser.
///
/// Inputs start from the built-in manifests and from valid config files, and get either
/// byte-level mutations of the JSON text or structural ones (a random field removed, or replaced
/// by a hostile value: huge or negative numbers, wrong types, `../` and absolute names, NUL,
/// `ftp://`, `file://host/`, `javascript:`, deep nesting, long strings). Every input must give a
/// value or the parser's typed error (``ManifestError`` / ``ConfigError``), quickly; every
/// accepted manifest or config must still satisfy the file-name and URL rules.
@Suite struct FuzzManifestTests {
    /// Computed (a `[Any]` constant would not be Sendable); cheap next to a parse.
    static var hostileValues: [Any] {
        [
        Int.max, Int.min, -1, 0, 1, 1e308, -0.0, 9_007_199_254_740_993, true, NSNull(), "", " ",
        "../evil.gz", "/etc/passwd", "a\u{0}b", "sub/dir.gz", "..", ".hidden", "x\u{7F}", "C:\\evil",
        "ftp://example.org/", "file://host/share/", "javascript:alert(1)", "http://", "http:///x", "file:relative",
        "data:text/html,hi", "https://user:pw@example.org/", "HTTP://EXAMPLE.ORG/", "file:///tmp/../etc/",
        "current", "all", String(repeating: "a", count: 10_000), "\u{202E}gz.exe", "ÄÖÜ", [Any](), [String: Any](),
        [9_223_372_036_854_775_807, 2, 2], [4_294_967_295, 4_294_967_295, 4_294_967_295], [-1], ["u8"],
        [4_294_967_296, 1, 1], [4_294_967_296], [1, 1025, 1025], [1, 1, 1_048_577],
        nested(depth: 40),
        ]
    }

    static func nested(depth: Int) -> Any {
        var value: Any = 1
        for _ in 0..<depth { value = [value] }
        return value
    }

    /// Replaces or removes one random node of a JSON tree (objects and arrays), or adds a key.
    static func mutateTree(_ value: Any, rng: inout SeededRandom, depth: Int = 0) -> Any? {
        let stop = depth > 0 && rng.chance(25)
        if var object = value as? [String: Any], !object.isEmpty, !stop {
            let keys = object.keys.sorted()
            if rng.chance(8) {
                object[rng.pick(["extra", "schema", "name", "mirrors", "x\u{0}"])] = rng.pick(hostileValues)
                return object
            }
            let key = rng.pick(keys)
            object[key] = mutateTree(object[key]!, rng: &rng, depth: depth + 1)
            return object
        }
        if var array = value as? [Any], !array.isEmpty, !stop {
            let index = rng.int(0..<array.count)
            if rng.chance(10) {
                array.append(array[index])  // duplicate an element (duplicate names, roles, versions)
                return array
            }
            if let replaced = mutateTree(array[index], rng: &rng, depth: depth + 1) {
                array[index] = replaced
            } else {
                array.remove(at: index)
            }
            return array
        }
        return rng.chance(15) ? nil : rng.pick(hostileValues)
    }

    /// One mutated input from `seeds`: structural (re-serialised) or byte-level.
    static func mutatedInput(_ seeds: [Data], rng: inout SeededRandom) -> Data {
        let seed = rng.pick(seeds)
        if rng.chance(60), let tree = try? JSONSerialization.jsonObject(with: seed) {
            var mutated: Any = tree
            for _ in 0..<rng.int(1..<4) { mutated = mutateTree(mutated, rng: &rng) ?? [String: Any]() }
            if let data = try? JSONSerialization.data(withJSONObject: mutated, options: [.fragmentsAllowed]) { return data }
        }
        if rng.chance(5) {  // deep nesting
            let depth = rng.pick([100, 600, 5000])
            return Data((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        }
        let bytes = ByteMutator.mutate([UInt8](seed), donor: [UInt8](rng.pick(seeds)), rng: &rng)
        return Data(bytes)
    }

    @Test func manifestParserSurvivesMutatedManifests() throws {
        let seeds = BuiltinManifests.files.map { Data($0.json.utf8) }
        let iterations = max(1, FuzzSettings.iterations / 4)
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x6D61_6E69)
        var accepted = 0
        var fields: [String: Int] = [:]
        let clock = ContinuousClock()
        let start = clock.now
        for iteration in 0..<iterations {
            let inputSeed = rng.next()
            var local = SeededRandom(seed: inputSeed)
            let input = Self.mutatedInput(seeds, rng: &local)
            let context = "manifest iteration \(iteration), input seed \(inputSeed)"
            let (result, elapsed) = fuzzTimed { () -> Result<Manifest, any Error> in
                Result { try ManifestLoader.parse(input, source: "fuzz.json") }
            }
            #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context)")
            switch result {
            case .success(let manifest):
                accepted += 1
                for mirror in manifest.mirrors { #expect(MirrorURL.problem(with: mirror) == nil, "\(context)") }
                for version in manifest.versions {
                    for file in version.files {
                        #expect(FileNameRule.problem(with: file.name) == nil, "\(context)")
                        #expect(file.idx.dims.allSatisfy { $0 <= Int(UInt32.max) }, "an IDX dimension over 32 bits: \(context)")
                    }
                    #expect(Set(version.files.map(\.role)) == Set(FileRole.allCases), "\(context)")
                }
                #expect(!ManifestLoader.reservedNames.contains(manifest.name.lowercased()), "\(context)")
            case .failure(let error as ManifestError):
                #expect(error.file == "fuzz.json")
                #expect(!error.problem.isEmpty)
                fields[error.field.split(separator: "[").first.map(String.init) ?? "", default: 0] += 1
            case .failure(let error):
                Issue.record("untyped error \(type(of: error)): \(error) — \(context)")
            }
        }
        let total = clock.now - start
        print("fuzz: \(iterations) manifests, \(accepted) accepted, \(iterations - accepted) refused with a ManifestError, 0 crashes, \(total.fuzzSeconds) s; top fields: \(fields.sorted { $0.value > $1.value }.prefix(6).map { "\($0.key.isEmpty ? "(file)" : $0.key)=\($0.value)" }.joined(separator: " "))")
    }

    @Test func configParserSurvivesMutatedConfigs() throws {
        let registry = try ManifestRegistry.builtin()
        let seeds = [
            #"{"mirrors": {"fashion": ["http://mirror.internal/fashion-mnist/", "file:///srv/fashion/"], "mnist": ["https://m.example.org/mnist/"]}}"#,
            #"{"mirrors": {"fashion-mnist": ["file://localhost/srv/f/"]}}"#,
            #"{"mirrors": {}}"#,
            #"{}"#,
        ].map { Data($0.utf8) }
        let iterations = max(1, FuzzSettings.iterations / 4)
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x636F_6E66)
        var accepted = 0
        let clock = ContinuousClock()
        let start = clock.now
        for iteration in 0..<iterations {
            let inputSeed = rng.next()
            var local = SeededRandom(seed: inputSeed)
            let input = Self.mutatedInput(seeds, rng: &local)
            let context = "config iteration \(iteration), input seed \(inputSeed)"
            let (result, elapsed) = fuzzTimed { () -> Result<WorkspaceConfig, any Error> in
                Result { try WorkspaceConfig.parse(input, file: "config.json", registry: registry) }
            }
            #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context)")
            switch result {
            case .success(let config):
                accepted += 1
                for (dataset, urls) in config.mirrors {
                    #expect(registry.manifests.contains { $0.name == dataset }, "\(context)")
                    #expect(!urls.isEmpty, "\(context)")
                    for url in urls { #expect(MirrorURL.problem(with: url) == nil, "\(context)") }
                }
            case .failure(let error as ConfigError):
                #expect(error.file == "config.json")
                #expect(!error.problem.isEmpty)
            case .failure(let error):
                Issue.record("untyped error \(type(of: error)): \(error) — \(context)")
            }
        }
        let total = clock.now - start
        print("fuzz: \(iterations) configs, \(accepted) accepted, \(iterations - accepted) refused with a ConfigError, 0 crashes, \(total.fuzzSeconds) s")
    }
}
