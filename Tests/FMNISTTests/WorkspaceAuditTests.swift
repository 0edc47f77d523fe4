import FMNIST
import Foundation
import TestSupport
import Testing

/// `workspace.audit(_:)` through the front door, on a small learnable dataset with planted flips
/// and duplicates (cheap settings, so it stays quick in a debug build).
@Suite struct WorkspaceAuditTests {
    @Test func auditFindsThePlantedFaultsThroughTheFrontDoor() throws {
        let scratch = try ScratchFolder("front-door-audit")
        let data = PlantedAuditData(train: 2000, test: 200, seed: 3, flipsTrain: 4, flipsTest: 2)
        let toy = try SyntheticDataset(
            name: "planted", title: "Planted", trainPixels: data.trainPixels, trainLabels: data.trainLabels,
            testPixels: data.testPixels, testLabels: data.testLabels, in: scratch.url)
        let workspace = try Workspace(root: scratch.url.appendingPathComponent("data"), manifests: [toy.manifestDirectory])
        let version = try workspace.importFolder(toy.folder, as: "planted")
        let audit = try workspace.audit("planted", options: AuditOptions(folds: 3, epochs: 3, top: 4))
        #expect(audit.version == version)
        #expect(audit.trainSuspects.count == 4 && audit.testSuspects.count == 4)
        #expect(Set(audit.trainSuspects.map(\.index)) == Set(data.flippedTrain))
        #expect(Set(audit.testSuspects.prefix(2).map(\.index)) == Set(data.flippedTest))
        #expect(audit.trainSuspects.allSatisfy { $0.suggestedLabel == ($0.givenLabel + 5) % 10 && $0.split == .train })
        #expect(audit.exactDuplicatesTrain == 1 && audit.leaks == 0)
        #expect(audit.nearDuplicates.contains {
            $0.a.split == .test && $0.a.index == data.nearLeak.test && $0.b.split == .train && $0.b.index == data.nearLeak.train
                && $0.a.label == Int(data.testLabels[data.nearLeak.test]) && !$0.exact
        })
        #expect(audit.nearDuplicateCounts["test-train"] == 1)
        #expect(audit.trainNoiseRates.count == 10)
        #expect(audit.cardMarkdown.hasPrefix("# Benchmark card: Planted v1"))
        #expect(audit.phases.map(\.name).first == "load")
        // Out-of-range settings are refused with the flag's range, before any work.
        #expect(throws: DatasetError.self) { try workspace.audit("planted", options: AuditOptions(folds: 1)) }
    }
}
