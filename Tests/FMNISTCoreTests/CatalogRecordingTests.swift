import Foundation
import Testing

@testable import FMNISTCore

/// Recording and listing versions, files, provenance, events, switches and smoke-train runs.
@Suite struct CatalogRecordingTests {
    let fashion: Manifest
    let mnist: Manifest

    init() throws {
        let registry = try ManifestRegistry.builtin()
        fashion = try registry.manifest(named: "fashion")
        mnist = try registry.manifest(named: "mnist")
    }

    func record(_ manifest: Manifest, in catalog: Catalog, source: VersionSource = .fetch, at time: Date = Date()) throws -> CatalogVersion {
        let version = manifest.defaultVersion
        return try catalog.recordVersion(
            dataset: manifest.name, identity: version.identity, name: version.name, source: source,
            files: version.files.map(CatalogFile.init), at: time)
    }

    @Test func knownVersionsAreRecordedWithTheirFilesAndListed() throws {
        let catalog = try Catalog.inMemory()
        let recorded = try record(fashion, in: catalog)
        #expect(recorded.id == fashion.defaultVersion.identity.full)
        #expect(recorded.shortID.count == 12)
        #expect(recorded.name == "2017-08-31")
        #expect(recorded.known)
        #expect(recorded.label == "2017-08-31 (\(recorded.shortID))")
        let files = try catalog.files(versionID: recorded.id)
        #expect(files.map(\.role) == FileRole.allCases)
        #expect(files == fashion.defaultVersion.files.map(CatalogFile.init))
        #expect(files[0].idx.dims == [60000, 28, 28])
        _ = try record(mnist, in: catalog)
        #expect(try catalog.versions().map(\.dataset) == ["fashion", "mnist"])
        #expect(try catalog.versions(dataset: "mnist").map(\.name) == ["lecun-1998"])
        #expect(try catalog.datasets() == ["fashion", "mnist"])
    }

    @Test func recordingTwiceKeepsFirstSeenAndSource() throws {
        let catalog = try Catalog.inMemory()
        let first = try record(fashion, in: catalog, source: .import, at: Date(timeIntervalSince1970: 1000))
        let second = try record(fashion, in: catalog, source: .fetch, at: Date(timeIntervalSince1970: 2000))
        #expect(second == first)
        #expect(second.source == .import)
        #expect(try catalog.versions().count == 1)
    }

    @Test func unknownVersionsAreFlaggedAndTheirPayloadsAccepted() throws {
        let catalog = try Catalog.inMemory()
        let identity = VersionIdentity(payloadDigests: [.trainImages: "aa", .trainLabels: "bb", .testImages: "cc", .testLabels: "dd"])
        let files = fashion.defaultVersion.files.map(CatalogFile.init)
        let version = try catalog.recordVersion(dataset: "fashion", identity: identity, name: nil, source: .import, files: files)
        #expect(!version.known)
        #expect(version.name == "unknown")
        #expect(version.label.hasPrefix("UNKNOWN ("))
        #expect(try catalog.acceptedUnknownPayloads()["fashion"] == Set(files.map(\.payloadSHA256)))
        // Matching by name and by id prefix.
        #expect(try catalog.versions(dataset: "fashion", matching: "unknown").map(\.id) == [identity.full])
        #expect(try catalog.versions(dataset: "fashion", matching: String(identity.full.prefix(6))).map(\.id) == [identity.full])
        #expect(try catalog.versions(dataset: "fashion", matching: "zzzz").isEmpty)
        // A manifest that later names it makes it known.
        let named = try catalog.recordVersion(dataset: "fashion", identity: identity, name: "2099-01-01", source: .fetch, files: files)
        #expect(named.known && named.name == "2099-01-01")
        #expect(try catalog.acceptedUnknownPayloads().isEmpty)
    }

    /// Migration 6 records how an unknown version was admitted: the first way is kept, a manifest
    /// that names it later clears it, and a catalog from before the migration reads as "not recorded".
    @Test func howAnUnknownVersionWasAdmittedIsRecorded() throws {
        let catalog = try Catalog.inMemory()
        let files = fashion.defaultVersion.files.map(CatalogFile.init)
        let pinned = VersionIdentity(payloadDigests: [.trainImages: "aa", .trainLabels: "bb", .testImages: "cc", .testLabels: "dd"])
        let version = try catalog.recordVersion(dataset: "fashion", identity: pinned, name: nil, source: .fetch, files: files, admitted: .lock)
        #expect(version.admitted == .lock)
        #expect(version.unknownNote?.contains("pinned by a lock file") == true)
        #expect(VersionSummary(version).unknownNote == version.unknownNote)
        // Recorded again another way (import --accept-unknown): how it first came stays.
        let again = try catalog.recordVersion(dataset: "fashion", identity: pinned, name: nil, source: .import, files: files, admitted: .acceptUnknown)
        #expect(again.admitted == .lock)
        #expect(try catalog.unknownAdmissions()[files[0].payloadSHA256] == .some(.lock))
        // Not recorded (a catalog from before migration 6): said so, no flag claimed.
        let legacy = VersionIdentity(payloadDigests: [.trainImages: "a1", .trainLabels: "b1", .testImages: "c1", .testLabels: "d1"])
        let old = try catalog.recordVersion(dataset: "fashion", identity: legacy, name: nil, source: .import, files: files)
        #expect(old.admitted == nil)
        #expect(old.unknownNote?.contains("--accept-unknown") == false)
        // A manifest that names it later makes it known: nothing to explain.
        let named = try catalog.recordVersion(dataset: "fashion", identity: pinned, name: "2099-01-01", source: .fetch, files: files)
        #expect(named.known && named.admitted == nil && named.unknownNote == nil)
        // A known version is never "admitted".
        let known = try catalog.recordVersion(
            dataset: "mnist", identity: mnist.defaultVersion.identity, name: "lecun-1998", source: .fetch,
            files: mnist.defaultVersion.files.map(CatalogFile.init), admitted: .acceptUnknown)
        #expect(known.admitted == nil)
    }

    @Test func provenanceIsRecordedPerFile() throws {
        let catalog = try Catalog.inMemory()
        let version = try record(mnist, in: catalog)
        let provenance = FileProvenance(
            role: .trainImages, containerSHA256: mnist.defaultVersion.file(.trainImages).container.sha256,
            mirrorURL: "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", httpStatus: 206,
            etag: "\"abc\"", lastModified: "Tue, 01 Jan 2019 00:00:00 GMT", bytesTransferred: 9_000_000, resumedFrom: 912_422,
            duration: 1.5, time: Date(timeIntervalSince1970: 1_700_000_000))
        try catalog.recordProvenance(versionID: version.id, provenance)
        #expect(try catalog.provenance(versionID: version.id) == [provenance])
    }

    @Test func eventsAreListedNewestFirstWithTheirDetails() throws {
        let catalog = try Catalog.inMemory()
        struct Details: Encodable { let mirrorCount: Int; let note: String }
        for (offset, kind) in EventKind.allCases.enumerated() {
            try catalog.recordEvent(
                kind, dataset: "mnist", versionID: nil, result: offset % 2 == 0 ? .ok : .failed,
                details: Details(mirrorCount: offset, note: "n\(offset)"), at: Date(timeIntervalSince1970: Double(1000 + offset)))
        }
        let all = try catalog.events()
        #expect(all.map(\.kind) == EventKind.allCases.reversed())
        #expect(all.last?.details["mirror_count"] == .number(0))
        #expect(all.last?.details["note"] == .string("n0"))
        #expect(try catalog.events(limit: 2).count == 2)
        #expect(try catalog.events(kinds: [.switch, .import]).map(\.kind) == [.import, .switch])
        #expect(try catalog.events(dataset: "fashion").isEmpty)
    }

    @Test func lastVerificationFollowsTheLatestCheck() throws {
        let catalog = try Catalog.inMemory()
        let version = try record(fashion, in: catalog)
        #expect(try catalog.lastVerification(versionID: version.id) == nil)
        try catalog.recordEvent(.fetch, dataset: "fashion", versionID: version.id, result: .ok, at: Date(timeIntervalSince1970: 10))
        try catalog.recordEvent(.verify, dataset: "fashion", versionID: version.id, result: .failed, at: Date(timeIntervalSince1970: 20))
        #expect(try catalog.lastVerification(versionID: version.id)?.result == .failed)
        // A plain switch is not a verification; a deep one is.
        try catalog.recordSwitch(dataset: "fashion", versionID: version.id, links: [], details: SwitchDetails(deep: false, links: [], problems: [], restored: []),
                                 at: Date(timeIntervalSince1970: 30))
        #expect(try catalog.lastVerification(versionID: version.id)?.kind == .verify)
        try catalog.recordSwitch(dataset: "fashion", versionID: version.id, links: [], details: SwitchDetails(deep: true, links: [], problems: [], restored: []),
                                 at: Date(timeIntervalSince1970: 40))
        let stamp = try catalog.lastVerification(versionID: version.id)
        #expect(stamp == VerificationStamp(kind: .switch, result: .ok, time: Date(timeIntervalSince1970: 40)))
    }

    @Test func switchesLinksAndLiveVersionsAreRecorded() throws {
        let catalog = try Catalog.inMemory()
        let version = try record(mnist, in: catalog)
        try catalog.setLive(dataset: "mnist", versionID: version.id, at: Date(timeIntervalSince1970: 5))
        #expect(try catalog.liveVersion(dataset: "mnist") == LiveVersion(dataset: "mnist", versionID: version.id, placedAt: Date(timeIntervalSince1970: 5)))
        #expect(try catalog.liveVersion(dataset: "fashion") == nil)
        try catalog.registerLink(path: "/tmp/MNIST_data")
        try catalog.registerLink(path: "/tmp/MNIST_data")
        #expect(try catalog.registeredLinks() == ["/tmp/MNIST_data"])
        let eventID = try catalog.recordSwitch(
            dataset: "mnist", versionID: version.id, links: [("/w/data/current", "mnist"), ("/tmp/MNIST_data", "/w/data/mnist")],
            details: SwitchDetails(deep: false, links: [], problems: [], restored: []))
        let switches = try catalog.switches()
        #expect(switches.count == 2)
        #expect(switches.allSatisfy { $0.eventID == eventID && $0.versionID == version.id })
        #expect(Set(switches.map(\.target)) == ["mnist", "/w/data/mnist"])
        try catalog.unregisterLink(path: "/tmp/MNIST_data")
        #expect(try catalog.registeredLinks().isEmpty)
        // Foreign keys hold: a live version must be recorded.
        #expect(throws: CatalogError.self) { try catalog.setLive(dataset: "mnist", versionID: String(repeating: "0", count: 64)) }
    }

    @Test func smokeTrainRunsAreRecordedWithAnEvent() throws {
        let catalog = try Catalog.inMemory()
        let version = try record(fashion, in: catalog)
        struct Report: Encodable { let confusion: [[Int]] }
        let run = try catalog.recordSmokeTrain(
            dataset: "fashion", versionID: version.id, accuracy: 0.853, loss: 0.41, imagesPerSecond: 22000, epochs: 1,
            verdict: "pass", passed: true, report: Report(confusion: [[1, 0], [0, 1]]))
        #expect(run.report["confusion"] == .array([.array([.number(1), .number(0)]), .array([.number(0), .number(1)])]))
        let runs = try catalog.smokeTrainRuns(versionID: version.id)
        #expect(runs.count == 1)
        #expect(runs[0].accuracy == 0.853 && runs[0].epochs == 1 && runs[0].verdict == "pass")
        let event = try #require(try catalog.events(kinds: [.smokeTrain]).first)
        #expect(event.result == .ok)
        #expect(event.details["accuracy"] == .number(0.853))
        #expect(try catalog.smokeTrainRuns(versionID: "none").isEmpty)
    }
}
