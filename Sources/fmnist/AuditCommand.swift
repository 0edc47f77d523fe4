import ArgumentParser
import FMNISTCore
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a version as a benchmark: likely label errors, near-duplicates, a benchmark card.",
        discussion: """
            Read-only. Label issues by confident learning (Northcutt et al. 2021): out-of-sample LeNet-5 probabilities (the training split by --folds-fold cross-validation, the test split by the fold models' ensemble), images ranked by the probability of their given label, lowest first, with the class the models prefer. Near-duplicates: pairs whose 14×14 mean-pooled images differ by at most --near-threshold grey levels (RMS), within each split and test against train, found by an exact sorted-projection search; plus the exact duplicates and leaks `fmnist diff` counts. The card sums it up (--card FILE.md writes it as Markdown).

            Examples:
              fmnist audit mnist
              fmnist audit fashion --json > fashion-audit.json
              fmnist preview --from-audit fashion-audit.json --out suspects.png
              fmnist audit fashion@2017-08-31 --card docs/fashion-card.md
              fmnist audit current --folds 2 --epochs 1   # quick and rough

            The same --seed (and settings) gives the same result. Exit codes: 0 done, 2 usage (a bad flag, a --card path inside the workspace or in a missing folder), 3 data corrupt, 4 data missing, 7 a --card path that is a symlink (never written through), 130 interrupted.
            """)

    @Argument(help: ArgumentHelp(
        "current (default: what data/current points at), fashion or mnist, optionally @VERSION: a stored version's id prefix or name (see `fmnist versions`).",
        valueName: "DATASET[@VERSION]"), completion: DatasetCompletion.kind(plus: ["current"]))
    var target: String?

    @Option(name: .long, parsing: .unconditional, help: "Suspects listed per split (\(FlagBounds.top.rangeText)).")
    var top: Int = AuditSettings.defaultTop

    @Option(name: .long, parsing: .unconditional, help: "Cross-validation folds (\(FlagBounds.folds.rangeText)): more folds, each model sees more data, the pass takes longer.")
    var folds: Int = AuditSettings.defaultFolds

    @Option(name: .long, parsing: .unconditional, help: "Training epochs of each fold model (\(FlagBounds.auditEpochs.rangeText)).")
    var epochs: Int = AuditSettings.defaultEpochs

    @Option(name: .long, parsing: .unconditional, help: "Seed of the folds and the models (0–\(UInt64.max)).")
    var seed: UInt64 = 0

    @Option(name: .customLong("near-threshold"), parsing: .unconditional, help: ArgumentHelp(
        "Near-duplicate threshold: RMS grey-level distance of the 14×14 mean-pooled images (\(FlagBounds.nearThreshold.rangeText)).", valueName: "GREY"))
    var nearThreshold: Double = AuditSettings.defaultNearThreshold

    @Option(name: .customLong("max-pairs"), parsing: .unconditional, help: "Near-duplicate pairs listed, closest first (\(FlagBounds.maxPairs.rangeText)); the counts cover all.")
    var maxPairs: Int = AuditSettings.defaultMaxPairs

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (\(FlagBounds.threads.rangeText); results are reproducible for a given seed and thread count).")
    var threads: Int = 2

    @Option(name: .long, help: ArgumentHelp("Also write the benchmark card as Markdown to this file.", valueName: "FILE.md"))
    var card: String?

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try validateFlags {
            try AuditService.validate(settings)
        }
    }

    var settings: AuditSettings {
        AuditSettings(folds: folds, epochs: epochs, seed: seed, top: top, nearThreshold: nearThreshold, maxPairs: maxPairs, threads: threads)
    }

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let parsed = try SwitchTarget(parsing: target ?? "current")
            let service = AuditService(context: try options.context())
            if let card { try service.checkCardDestination(card) }
            let cancellation = Cancellation()
            let signals = cancellation.cancelOnSignals()
            defer { signals.stop() }
            let report = try service.run(
                dataset: parsed.dataset, version: parsed.version, settings: settings,
                status: { console.info($0) }, isCancelled: { cancellation.isCancelled })
            if let card { try service.writeCard(report, to: card) }
            try options.printJSON(report)
            render(report, console: console)
            if let card { console.info("wrote the card to \(card)") }
            return .success
        }
    }

    func render(_ report: AuditReport, console: Console) {
        for split in AuditSplit.allCases {
            let issues = report.labelIssues.filter { $0.split == split }
            let cl = report.confidentLearning.first { $0.split == split }
            console.info("")
            console.info("label issues, \(split.rawValue) split (\(cl?.confidentIssues ?? 0) by confident learning; top \(issues.count) by self-confidence):")
            console.info("  rank  index  given → suggested                      score   CL")
            for issue in issues {
                console.info(String(format: "  %4d  %5d  ", issue.rank, issue.index)
                    + "\(BenchmarkCard.labelText(issue.givenLabel, issue.givenClass)) → \(BenchmarkCard.labelText(issue.suggestedLabel, issue.suggestedClass))"
                        .padding(toLength: 37, withPad: " ", startingAt: 0)
                    + String(format: "  %.4f  ", issue.score) + (issue.confidentIssue ? "yes" : "no"))
            }
        }
        console.info("")
        let shown = report.nearDuplicates.prefix(report.settings.top)
        console.info("near-duplicates (RMS ≤ \(report.settings.nearThreshold) grey levels): "
            + NearDuplicateSearch.Kind.allCases.map { "\(report.nearDuplicateSearch.pairs[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            + "; the closest \(shown.count):")
        for pair in shown {
            console.info("  \(pair.a.split.rawValue) \(pair.a.index) (\(pair.a.className)) ~ \(pair.b.split.rawValue) \(pair.b.index) (\(pair.b.className)): "
                + String(format: "%.2f", pair.distance) + (pair.exact ? " exact" : "") + (pair.sameLabel ? "" : " — labels differ"))
        }
        console.info("")
        console.info("benchmark card:")
        for line in report.card.summaryLines { console.info("  " + line) }
        console.info("time: " + report.phases.map { "\($0.name) \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: ", "))
    }
}
