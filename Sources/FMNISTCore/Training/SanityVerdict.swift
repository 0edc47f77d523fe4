/// Whether a smoke-train accuracy is what a healthy copy of the dataset gives, and if not,
/// what that most likely means.
public struct SanityVerdict: Sendable, Codable, Equatable {
    public let passed: Bool
    /// One line: "pass: 0.851 inside Fashion-MNIST's band 0.80–0.95" or what went wrong.
    public let message: String
    public let band: SanityBand

    /// Judges `accuracy` of a run on `manifest`'s data.
    ///
    /// - Parameter shortRun: the run saw less than one full epoch of the training set (`--limit`):
    ///   a low accuracy then says little about the data, and the message says so.
    public static func judge(
        accuracy: Double, manifest: Manifest, allManifests: [Manifest] = [], shortRun: Bool = false
    ) -> SanityVerdict {
        let band = manifest.sanity
        let shown = String(format: "%.4f", accuracy)
        let range = String(format: "%.2f–%.2f", band.minAccuracy, band.maxAccuracy)
        if band.contains(accuracy) {
            return SanityVerdict(passed: true, message: "pass: accuracy \(shown) inside \(manifest.title)'s band \(range)", band: band)
        }
        if shortRun && accuracy < band.minAccuracy {
            return SanityVerdict(
                passed: false,
                message: "FAIL: accuracy \(shown) is below \(manifest.title)'s band \(range), but this run saw less than one "
                    + "epoch of the training set (--limit): the band is meant for a full epoch; rerun without --limit to judge "
                    + "the data (if it stays near chance, labels and images are misaligned or corrupt)",
                band: band)
        }
        let chance = 1.0 / Double(max(manifest.classes.count, 2))
        if accuracy <= chance * 2 {
            return SanityVerdict(
                passed: false,
                message: "FAIL: accuracy \(shown) is about chance level (\(String(format: "%.2f", chance))): "
                    + "labels and images are misaligned, shuffled or corrupt",
                band: band)
        }
        if accuracy > band.maxAccuracy {
            // Too easy for this dataset: which other dataset's band does it fit?
            let other = allManifests.first { $0.name != manifest.name && $0.sanity.contains(accuracy) && $0.sanity.minAccuracy > band.maxAccuracy - 0.05 }
            let guess = other.map { "the data is probably \($0.title), not \(manifest.title)" }
                ?? "the data is easier than \(manifest.title) should be: is it really \(manifest.title)?"
            return SanityVerdict(passed: false, message: "FAIL: accuracy \(shown) is above \(manifest.title)'s band \(range): \(guess)", band: band)
        }
        return SanityVerdict(
            passed: false,
            message: "FAIL: accuracy \(shown) is below \(manifest.title)'s band \(range): the data may be damaged, "
                + "or the run too short (--limit/--epochs) to judge",
            band: band)
    }
}
