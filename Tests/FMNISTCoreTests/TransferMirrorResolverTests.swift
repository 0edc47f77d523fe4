import Foundation
import Testing

@testable import FMNISTCore

/// Mirror resolution: --mirror > FMNIST_MIRRORS > .fmnist/config.json > manifest.
@Suite struct TransferMirrorResolverTests {
    let registry: ManifestRegistry
    let fashion: Manifest
    let mnist: Manifest

    init() throws {
        registry = try ManifestRegistry.builtin()
        fashion = try registry.manifest(named: "fashion")
        mnist = try registry.manifest(named: "mnist")
    }

    @Test func manifestOrderWhenNothingElseIsGiven() throws {
        let lists = try MirrorResolver.resolve(for: [fashion], commandLine: [], environment: [:], registry: registry)
        #expect(lists["fashion"] == MirrorList(dataset: "fashion", mirrors: fashion.mirrors, origin: .manifest))
    }

    @Test func commandLineBeatsEnvironmentBeatsConfig() throws {
        let config = WorkspaceConfig(mirrors: ["fashion": ["http://config/"], "mnist": ["http://config-mnist/"]])
        let environment = ["FMNIST_MIRRORS": "fashion=http://env/ , mnist=http://env-mnist/"]
        var lists = try MirrorResolver.resolve(
            for: [fashion, mnist], commandLine: ["fashion=http://flag/"], environment: environment, config: config,
            registry: registry)
        #expect(lists["fashion"] == MirrorList(dataset: "fashion", mirrors: ["http://flag/"], origin: .commandLine))
        #expect(lists["mnist"] == MirrorList(dataset: "mnist", mirrors: ["http://env-mnist/"], origin: .environment))
        lists = try MirrorResolver.resolve(for: [fashion, mnist], commandLine: [], environment: [:], config: config, registry: registry)
        #expect(lists["fashion"]?.origin == .configFile)
        #expect(lists["mnist"]?.mirrors == ["http://config-mnist/"])
    }

    @Test func bareURLsApplyToTheOneDatasetAndKeepTheirOrder() throws {
        let lists = try MirrorResolver.resolve(
            for: [mnist], commandLine: ["http://a/", "file:///srv/mnist/", "mnist=https://b/"], environment: [:],
            registry: registry)
        #expect(lists["mnist"]?.mirrors == ["http://a/", "file:///srv/mnist/", "https://b/"])
    }

    @Test func environmentSplitsOnSpacesAndCommas() throws {
        #expect(MirrorResolver.split("http://a/ http://b/,http://c/\n") == ["http://a/", "http://b/", "http://c/"])
        let lists = try MirrorResolver.resolve(
            for: [fashion], commandLine: [], environment: ["FMNIST_MIRRORS": "http://a/, http://b/"], registry: registry)
        #expect(lists["fashion"]?.mirrors == ["http://a/", "http://b/"])
    }

    @Test func aliasesNameDatasetsAndURLsWithEqualsSignsStayWhole() throws {
        let lists = try MirrorResolver.resolve(
            for: [fashion], commandLine: ["fashion-mnist=http://a/?x=1", "http://b/?y=2"], environment: [:], registry: registry)
        #expect(lists["fashion"]?.mirrors == ["http://a/?x=1", "http://b/?y=2"])
    }

    @Test func refusals() throws {
        #expect(throws: UsageError.self) {
            try MirrorResolver.resolve(for: [fashion, mnist], commandLine: ["http://a/"], environment: [:], registry: self.registry)
        }
        #expect(throws: UsageError.self) {
            try MirrorResolver.resolve(for: [fashion], commandLine: ["ftp://a/"], environment: [:], registry: self.registry)
        }
        #expect(throws: UsageError.self) {
            try MirrorResolver.resolve(for: [fashion], commandLine: ["cifar=http://a/"], environment: [:], registry: self.registry)
        }
        #expect(throws: UsageError.self) {
            try MirrorResolver.resolve(
                for: [fashion], commandLine: [], environment: ["FMNIST_MIRRORS": "file://host/x/"], registry: self.registry)
        }
        do {
            _ = try MirrorResolver.resolve(for: [fashion, mnist], commandLine: ["http://a/"], environment: [:], registry: registry)
        } catch let error as UsageError {
            #expect(error.description.contains("does not say which dataset"))
            #expect(error.hint?.contains("fashion=") == true)
        }
    }
}

/// `.fmnist/config.json` parsing.
@Suite struct TransferConfigTests {
    let registry = try! ManifestRegistry.builtin()

    func parse(_ text: String) throws -> WorkspaceConfig {
        try WorkspaceConfig.parse(Data(text.utf8), file: "config.json", registry: registry)
    }

    @Test func parsesMirrorsByDatasetOrAlias() throws {
        let config = try parse(#"{"mirrors": {"fashion-mnist": ["http://a/", "file:///srv/fm/"], "mnist": ["https://b/"]}}"#)
        #expect(config.mirrors == ["fashion": ["http://a/", "file:///srv/fm/"], "mnist": ["https://b/"]])
        #expect(try parse("{}") == WorkspaceConfig())
    }

    @Test func missingFileIsEmpty() throws {
        let layout = WorkspaceLayout(root: FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID())"))
        #expect(try WorkspaceConfig.load(layout, registry: registry) == WorkspaceConfig())
    }

    @Test(arguments: [
        (#"[1]"#, nil as String?),
        (#"{"mirrors": 3}"#, "mirrors"),
        (#"{"mirrors": {"fashion": "http://a/"}}"#, "mirrors.fashion"),
        (#"{"mirrors": {"fashion": [3]}}"#, "mirrors.fashion[0]"),
        (#"{"mirrors": {"fashion": ["http://a/", "gopher://b/"]}}"#, "mirrors.fashion[1]"),
        (#"{"mirrors": {"nope": ["http://a/"]}}"#, "mirrors.nope"),
        (#"{"mirrors": {"fashion": ["http://a/"], "fmnist": ["http://b/"]}}"#, "mirrors.fmnist"),
        (#"{"proxy": "x"}"#, "proxy"),
        ("{", nil),
    ])
    func malformedConfigNamesTheField(_ text: String, _ field: String?) throws {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch let error as ConfigError {
            #expect(error.field == field)
            #expect(error.exitStatus == .usage)
            #expect(error.description.hasPrefix("config.json"))
        }
    }
}
