import Foundation
import Testing

/// Bad flags, environment and config files: exit 2 with the field named, nothing changed.
@Suite struct FetchUsageTests {
    func workspace(config: String?) throws -> TemporaryDirectory {
        let workspace = try TemporaryDirectory("fetch-usage")
        if let config {
            let directory = workspace.path("data/.fmnist")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        }
        return workspace
    }

    @Test(arguments: [
        (#"{"mirrors": {"fashion": "http://x/"}}"#, #"field "mirrors.fashion" must be a list of URL strings"#),
        (#"{"mirrors": {"cifar": ["http://x/"]}}"#, #"field "mirrors.cifar" names no known dataset"#),
        (#"{"mirrors": {"fashion": ["ftp://x/"]}}"#, #"field "mirrors.fashion[0]" unsupported URL scheme "ftp""#),
        (#"{"mirror": {}}"#, #"field "mirror" is not a known setting"#),
        (#"{"mirrors": {"fashion": []}}"#, #"field "mirrors.fashion" must list at least one mirror URL"#),
        ("{not json", "is not valid JSON"),
    ])
    func malformedConfigNamesTheField(_ config: String, _ message: String) throws {
        let workspace = try workspace(config: config)
        let result = try FMNISTProcess.run(["fetch", "fashion", "--root", workspace.path("data").path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.contains("config.json"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))
    }

    @Test(arguments: [
        (["fetch", "all", "--mirror", "http://127.0.0.1:9/x/"], "does not say which dataset it serves", [String: String]()),
        (["fetch", "fashion", "--mirror", "ftp://host/x/"], #"unsupported URL scheme "ftp""#, [:]),
        (["fetch", "fashion", "--mirror", "cifar=http://host/x/"], #""cifar" is not a known dataset"#, [:]),
        (["fetch", "fashion", "--jobs", "0"], "--jobs 0 is out of range", [:]),
        (["fetch", "fashion", "--cacert", "/nonexistent/ca.pem"], "is not a readable file", [:]),
        (["fetch", "cifar"], #"unknown dataset "cifar""#, [:]),
        (["fetch", "fashion"], #"FMNIST_RETRIES="many""#, ["FMNIST_RETRIES": "many"]),
        (["fetch", "fashion"], #"FMNIST_MIRRORS "gopher://x/""#, ["FMNIST_MIRRORS": "gopher://x/"]),
    ])
    func badFlagsAndEnvironmentAreUsageErrors(_ arguments: [String], _ message: String, _ environment: [String: String]) throws {
        let workspace = try workspace(config: nil)
        let result = try FMNISTProcess.run(arguments + ["--root", workspace.path("data").path], environment: environment)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data").path))
    }

    /// The config file supplies both datasets' mirrors; FMNIST_MIRRORS overrides it for one of them.
    @Test(.realData) func configFileAndEnvironmentPrecedence() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url)
        let config = """
            {"mirrors": {"fashion": ["\(server.url("nowhere/"))"], "mnist": ["\(server.url("mnist/"))"]}}
            """
        let workspace = try workspace(config: config)
        let result = try FMNISTProcess.run(
            ["fetch", "all", "--root", workspace.path("data").path, "--json"],
            environment: ["FMNIST_MIRRORS": "fashion=\(server.url("fashion/"))"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let datasets = try #require(json["datasets"] as? [[String: Any]])
        let origins = Dictionary(uniqueKeysWithValues: datasets.map {
            ($0["dataset"] as? String ?? "", ($0["mirrors"] as? [String: Any])?["origin"] as? String ?? "")
        })
        #expect(origins == ["fashion": "environment", "mnist": "config_file"])
        #expect(try server.requests("/nowhere/t10k-labels-idx1-ubyte.gz") == 0)
    }
}
