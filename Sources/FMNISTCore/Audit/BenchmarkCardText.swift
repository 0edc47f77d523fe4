import Foundation

/// The benchmark card as text: a few lines for the terminal and a Markdown page for a project's
/// docs (`fmnist audit --card FILE.md`).
///
/// ```swift
/// for line in report.card.summaryLines { print(line) }
/// let page = report.card.markdown(settings: report.settings)
/// ```
extension BenchmarkCard {
    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

    /// A class as people name it: "7" for MNIST's class 7 (its name is its label), "4 Coat" otherwise.
    public static func labelText(_ label: Int, _ name: String) -> String { name == "\(label)" ? name : "\(label) \(name)" }

    static func images(_ count: Int) -> String { count == 1 ? "1 image" : "\(count) images" }

    /// A short human summary.
    public var summaryLines: [String] {
        let noisiest = classes.max { $0.trainNoiseRate + $0.testNoiseRate < $1.trainNoiseRate + $1.testNoiseRate }
        var lines = [
            "\(title) \(versionName) (\(versionShortId)): \(trainImages) training and \(testImages) test images",
            "class balance: train \(classes.map { "\($0.trainImages)" }.joined(separator: "/")), "
                + "test \(classes.map { "\($0.testImages)" }.joined(separator: "/"))",
            "likely label errors (confident learning): \(trainLabelIssues) in train (\(Self.percent(Double(trainLabelIssues) / Double(max(1, trainImages))))), "
                + "\(testLabelIssues) in test (\(Self.percent(Double(testLabelIssues) / Double(max(1, testImages)))))",
        ]
        if let noisiest {
            lines.append("noisiest class: \(Self.labelText(noisiest.label, noisiest.name)) (estimated noise \(Self.percent(noisiest.trainNoiseRate)) train, "
                         + "\(Self.percent(noisiest.testNoiseRate)) test)")
        }
        lines.append("near-duplicate pairs (≤ \(nearThreshold) grey levels RMS): \(nearDuplicatesTrain) train–train, "
                     + "\(nearDuplicatesTest) test–test, \(nearDuplicatesTestTrain) test–train "
                     + "(\(nearDuplicatesTestTrainDifferentLabel) with different labels)")
        lines.append("exact duplicates: \(exactDuplicatesTrain) in train, \(exactDuplicatesTest) in test; leaks (test images in train): \(leaks)")
        lines.append("LeNet-5 out-of-sample accuracy: \(Self.percent(crossValidatedAccuracy)) train (cross-validated), "
                     + "\(Self.percent(testAccuracy)) test (fold ensemble)")
        return lines
    }

    /// The card as a Markdown page.
    public func markdown(settings: AuditSettings) -> String {
        var text = """
            # Benchmark card: \(title) \(versionName)

            - Dataset: `\(dataset)`, version `\(versionShortId)` (`\(versionId)`)
            - Images: \(trainImages) training, \(testImages) test
            - Audit: `fmnist audit \(dataset)@\(versionShortId) --folds \(settings.folds) --epochs \(settings.epochs) --seed \(settings.seed) --near-threshold \(settings.nearThreshold)`
            - LeNet-5 out-of-sample accuracy: \(Self.percent(crossValidatedAccuracy)) (training split, \(settings.folds)-fold cross-validation), \(Self.percent(testAccuracy)) (test split, fold ensemble)

            ## Classes

            | label | class | train images | test images | est. label noise (train) | est. label noise (test) |
            |---:|---|---:|---:|---:|---:|

            """
        for c in classes {
            let name = c.name.replacingOccurrences(of: "|", with: "\\|")
            text += "| \(c.label) | \(name) | \(c.trainImages) | \(c.testImages) | \(Self.percent(c.trainNoiseRate)) | \(Self.percent(c.testNoiseRate)) |\n"
        }
        text += """

            Estimated label noise: confident learning (Northcutt et al. 2021, arXiv 1911.00068) on out-of-sample \
            LeNet-5 probabilities — the share of the images carrying a label whose true class is estimated to be another.

            ## Label issues

            - Training split: \(Self.images(trainLabelIssues)) off the confident joint's diagonal (\(Self.percent(Double(trainLabelIssues) / Double(max(1, trainImages)))))
            - Test split: \(Self.images(testLabelIssues)) (\(Self.percent(Double(testLabelIssues) / Double(max(1, testImages)))))

            ## Duplicates

            | | train–train | test–test | test–train |
            |---|---:|---:|---:|
            | near-duplicate pairs (RMS ≤ \(nearThreshold) grey levels, 14×14 mean-pooled) | \(nearDuplicatesTrain) | \(nearDuplicatesTest) | \(nearDuplicatesTestTrain) |

            - Test–train near-duplicates with different labels: \(nearDuplicatesTestTrainDifferentLabel)
            - Exact duplicates (extra copies): \(exactDuplicatesTrain) in train, \(exactDuplicatesTest) in test
            - Leaks (test images whose bytes are also in train): \(leaks)

            """
        return text
    }
}
