import Testing

@testable import FMNISTCore

@Suite struct SanityVerdictTests {
    let registry = try! ManifestRegistry.builtin()

    @Test func insideTheBandPasses() throws {
        let fashion = try registry.manifest(named: "fashion")
        #expect(SanityVerdict.judge(accuracy: 0.85, manifest: fashion).passed)
        #expect(SanityVerdict.judge(accuracy: 0.99, manifest: try registry.manifest(named: "mnist")).passed)
    }

    @Test func tooGoodForFashionMeansMNIST() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.98, manifest: try registry.manifest(named: "fashion"), allManifests: registry.manifests)
        #expect(!verdict.passed)
        #expect(verdict.message.contains("probably MNIST"))
    }

    @Test func chanceLevelMeansMisalignedLabels() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.11, manifest: try registry.manifest(named: "mnist"), allManifests: registry.manifests)
        #expect(!verdict.passed)
        #expect(verdict.message.contains("chance level"))
        #expect(verdict.message.contains("misaligned"))
    }

    @Test func belowTheBandSaysSo() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.6, manifest: try registry.manifest(named: "fashion"))
        #expect(!verdict.passed)
        #expect(verdict.message.contains("below"))
    }

    @Test func shortRunsSayTheBandNeedsAFullEpoch() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.15, manifest: try registry.manifest(named: "fashion"), shortRun: true)
        #expect(!verdict.passed)
        #expect(verdict.message.contains("--limit"))
        #expect(verdict.message.contains("rerun without --limit"))
    }
}
