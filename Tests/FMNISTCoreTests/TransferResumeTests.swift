import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// Resume bookkeeping and the fetch engine over file:// mirrors of a synthetic dataset
/// (no network, no real data needed).
@Suite struct TransferResumeTests {
    /// A synthetic dataset laid out as a file:// mirror, and a fresh workspace.
    final class Fixture {
        let registry: ManifestRegistry
        let manifest: Manifest
        let containers: [FileRole: [UInt8]]
        let directory: URL
        let layout: WorkspaceLayout

        init() throws {
            let (registry, payloads) = try syntheticRegistry()
            self.registry = registry
            manifest = try registry.manifest(named: "synthetic")
            containers = payloads.mapValues { SyntheticIDX.gzip($0) }
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-transfer-\(UUID().uuidString.prefix(8))")
            layout = WorkspaceLayout(root: directory.appendingPathComponent("data"))
            try makeMirror("good")
        }

        deinit { ScratchFolder.remove(directory) }  // read-only version folders included

        func name(_ role: FileRole) -> String { manifest.defaultVersion.file(role).name }

        /// Writes the four files into `mirror/<folder>/`, with `replace` overriding some roles' bytes.
        @discardableResult
        func makeMirror(_ folder: String, replace: [FileRole: [UInt8]] = [:]) throws -> String {
            let url = directory.appendingPathComponent("mirror/\(folder)", isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for role in FileRole.allCases {
                try Data(replace[role] ?? containers[role]!).write(to: url.appendingPathComponent(name(role)))
            }
            return url.absoluteString
        }

        func partialURL(_ role: FileRole) -> URL { layout.partialFile(dataset: "synthetic", name: name(role)) }

        func run(_ mirrors: [String]) throws -> FetchReport {
            var options = FetchOptions()
            options.selection = "synthetic"
            options.mirrors = mirrors
            options.settings.retry = RetryPolicy(retries: 1, baseDelay: 0.001)
            return try FetchService(layout: layout, registry: registry, options: options, environment: [:]).run()
        }

        func file(_ report: FetchReport, _ role: FileRole) throws -> FileFetchReport {
            try #require(report.datasets.first?.files.first { $0.role == role })
        }
    }

    @Test func contentRangeParsing() {
        #expect(ContentRange("bytes 100-199/200") == ContentRange("bytes 100-199/200"))
        let range = ContentRange("bytes 100-199/200")
        #expect(range?.start == 100 && range?.end == 199 && range?.total == 200)
        #expect(ContentRange("bytes 0-9/*")?.total == nil)
        #expect(ContentRange("bytes */200") == nil)
        #expect(ContentRange("items 1-2/3") == nil)
        #expect(ContentRange("bytes 9-1/10") == nil)
    }

    @Test func ifRangeOnlyForTheSameURLAndAStrongValidator() {
        let sidecar = PartialDownload.Sidecar(source: "http://a/f.gz", etag: "\"abc\"", lastModified: "Mon, 01 Jan 2024 00:00:00 GMT")
        #expect(sidecar.ifRange(resuming: "http://a/f.gz") == "\"abc\"")
        #expect(sidecar.ifRange(resuming: "http://b/f.gz") == nil)
        let weak = PartialDownload.Sidecar(source: "http://a/f.gz", etag: "W/\"abc\"", lastModified: "Mon, 01 Jan 2024 00:00:00 GMT")
        #expect(weak.ifRange(resuming: "http://a/f.gz") == "Mon, 01 Jan 2024 00:00:00 GMT")
    }

    @Test func curlReadsFileURLsFromAnOffset() throws {
        let fixture = try Fixture()
        let url = fixture.directory.appendingPathComponent("mirror/good").appendingPathComponent(fixture.name(.trainImages))
        let transfer = CurlTransfer(settings: TransferSettings())
        var received: [UInt8] = []
        var response: TransferResponse?
        let result = transfer.perform(
            TransferRequest(url: url.absoluteString, offset: 100), onResponse: { response = $0; return true },
            onData: { received.append(contentsOf: $0); return true })
        #expect(result.failure == nil)
        #expect(response?.status == 0)
        #expect(response?.continues(from: 100) == true)
        #expect(received == Array(fixture.containers[.trainImages]!.dropFirst(100)))
        let missing = transfer.perform(
            TransferRequest(url: url.absoluteString + ".nope"), onResponse: { _ in true }, onData: { _ in true })
        guard case .localFile? = missing.failure else {
            Issue.record("expected a local-file failure, got \(String(describing: missing.failure))")
            return
        }
    }

    @Test func fetchesPlacesRecordsAndThenFindsThePresentData() throws {
        let fixture = try Fixture()
        let good = fixture.directory.appendingPathComponent("mirror/good/").absoluteString
        let report = try fixture.run([good])
        #expect(report.exitStatus == .success)
        #expect(report.datasets.first?.status == .fetched)
        #expect(report.datasets.first?.versionName == "v1")
        for role in FileRole.allCases {
            let live = fixture.layout.liveDirectory(dataset: "synthetic").appendingPathComponent(fixture.name(role))
            #expect(try Data(contentsOf: live) == Data(fixture.containers[role]!))
            #expect(!FileManager.default.fileExists(atPath: fixture.partialURL(role).path))
        }
        let catalog = try Catalog.openReadOnly(fixture.layout)
        let version = try #require(try catalog.versions(dataset: "synthetic").first)
        #expect(try catalog.provenance(versionID: version.id).count == 4)
        #expect(try catalog.events(kinds: [.fetch]).count == 1)
        catalog.close()

        let again = try fixture.run([good])
        #expect(again.datasets.first?.status == .present)
        #expect(again.bytesDownloaded == 0)
    }

    @Test func resumesFromAPartialPrefix() throws {
        let fixture = try Fixture()
        let container = fixture.containers[.trainImages]!
        let half = container.count / 2
        try FileManager.default.createDirectory(at: fixture.partialURL(.trainImages).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(container.prefix(half)).write(to: fixture.partialURL(.trainImages))
        let report = try fixture.run([fixture.directory.appendingPathComponent("mirror/good/").absoluteString])
        #expect(report.exitStatus == .success)
        let file = try fixture.file(report, .trainImages)
        #expect(file.resumedFrom == Int64(half))
        #expect(file.bytesDownloaded == Int64(container.count - half))
    }

    @Test func restartsWhenThePartialIsNotAPrefix() throws {
        let fixture = try Fixture()
        // The start of another (valid gzip) file: it fails only once the bytes stop fitting together.
        let other = fixture.containers[.testImages]!
        try FileManager.default.createDirectory(at: fixture.partialURL(.trainImages).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(other.prefix(300)).write(to: fixture.partialURL(.trainImages))
        let report = try fixture.run([fixture.directory.appendingPathComponent("mirror/good/").absoluteString])
        #expect(report.exitStatus == .success)
        let file = try fixture.file(report, .trainImages)
        #expect(file.resumedFrom == 0)
        #expect(file.measurement?.containerSHA256 == fixture.manifest.defaultVersion.file(.trainImages).container.sha256)
    }

    @Test func aCompletePartialIsReusedWithoutTransfer() throws {
        let fixture = try Fixture()
        let container = fixture.containers[.testLabels]!
        try FileManager.default.createDirectory(at: fixture.partialURL(.testLabels).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(container).write(to: fixture.partialURL(.testLabels))
        let report = try fixture.run([fixture.directory.appendingPathComponent("mirror/good/").absoluteString])
        let file = try fixture.file(report, .testLabels)
        #expect(file.status == .reused)
        #expect(file.bytesDownloaded == 0)
    }

    @Test func wrongRoleAndGarbageMoveOnToTheNextMirror() throws {
        let fixture = try Fixture()
        let bad = try fixture.makeMirror(
            "bad", replace: [.trainLabels: fixture.containers[.testLabels]!, .testImages: Array("<html>oops</html>".utf8)])
        let good = fixture.directory.appendingPathComponent("mirror/good/").absoluteString
        let report = try fixture.run([bad, good])
        #expect(report.exitStatus == .success)
        let labels = try fixture.file(report, .trainLabels)
        #expect(labels.skipped.map(\.code.rawValue) == ["wrong_file"])
        #expect(labels.skipped.first?.reason == "served Synthetic's t10k-labels instead of train-labels")
        let images = try fixture.file(report, .testImages)
        #expect(images.skipped.map(\.code.rawValue) == ["html_page"])
        #expect(images.mirror?.hasPrefix(good) == true)
    }

    @Test func everyMirrorFailingLeavesNothingLiveAndNoVersion() throws {
        let fixture = try Fixture()
        let bad = try fixture.makeMirror("bad", replace: [.testImages: Array(fixture.containers[.testImages]!.prefix(50))])
        let report = try fixture.run([bad, fixture.directory.appendingPathComponent("mirror/missing/").absoluteString])
        #expect(report.exitStatus == .fetchFailed)
        let file = try fixture.file(report, .testImages)
        #expect(file.status == .failed)
        #expect(file.skipped.map(\.code.rawValue) == ["truncated_gzip", "local_file"])
        #expect(!FileManager.default.fileExists(atPath: fixture.layout.liveDirectory(dataset: "synthetic").path))
        let catalog = try Catalog.openReadOnly(fixture.layout)
        #expect(try catalog.versions().isEmpty)
        catalog.close()
    }

    @Test func offlineSkipsNetworkMirrors() throws {
        let fixture = try Fixture()
        var options = FetchOptions()
        options.selection = "synthetic"
        options.offline = true
        options.mirrors = ["http://127.0.0.1:9/"]
        let report = try FetchService(layout: fixture.layout, registry: fixture.registry, options: options, environment: [:]).run()
        #expect(report.exitStatus == .fetchFailed)
        #expect(try fixture.file(report, .testLabels).skipped.map(\.code.rawValue) == ["offline"])
    }
}
