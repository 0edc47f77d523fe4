import ArgumentParser
import FMNISTCore
import Foundation

struct PreviewCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Draw a PNG sprite of test samples, a band of rows per class.",
        discussion: """
            Like the sprite in the Fashion-MNIST README: each class gets --rows-per-class rows (default 3) of --per-class images, the first of that class in the test set. With --legend, the class names are written beside their bands. The output must be a .png file in an existing folder, outside the workspace's own folders (its dataset folders, current, .fmnist/; exit 2).

            Examples:
              fmnist preview current --out current.png   # which dataset is active?
              fmnist preview mnist --out mnist.png --per-class 20 --rows-per-class 1
              fmnist preview fashion --out fashion.png --legend

            With --from-audit FILE.json (a report of `fmnist audit --json`), it draws the images the report lists instead, from the version it audited: the TRAIN and TEST suspects in rank order, each captioned "given/suggested" label, then the closest near-duplicate PAIRS side by side captioned with their labels; --per-class is then the images per row.

            From an audit:
              fmnist audit fashion --json > audit.json
              fmnist preview --from-audit audit.json --out suspects.png
            """)

    @Argument(help: "fashion, mnist, or current (the dataset data/current points at).", completion: DatasetCompletion.kind(plus: ["current"]))
    var dataset: String = "current"

    @Option(name: .long, help: ArgumentHelp("PNG file to write.", valueName: "FILE.png"))
    var out: String

    @Option(name: .long, parsing: .unconditional, help: "Images in each row of a class (\(FlagBounds.perClass.rangeText)).")
    var perClass: Int = 10

    @Option(name: .customLong("rows-per-class"), parsing: .unconditional, help: "Rows of images per class (\(FlagBounds.rowsPerClass.rangeText)).")
    var rowsPerClass: Int = 3

    @Flag(name: .long, help: "Write the class names beside their rows.")
    var legend = false

    @Option(name: .customLong("from-audit"), help: ArgumentHelp("Draw the images an `fmnist audit --json` report lists (suspects and near-duplicate pairs).", valueName: "FILE.json"))
    var fromAudit: String?

    func validate() throws {
        try validateFlags {
            try FlagBounds.perClass.check(perClass)
            try FlagBounds.rowsPerClass.check(rowsPerClass)
        }
    }

    @OptionGroup var options: GlobalOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let service = PreviewService(context: context)
        if let fromAudit {
            guard dataset.lowercased() == "current" else {
                throw UsageError("give either DATASET or --from-audit: the report names its dataset and version",
                                 hint: "fmnist preview --from-audit \(fromAudit) --out \(out)")
            }
            let result = try service.runFromAudit(report: fromAudit, output: URL(fileURLWithPath: out), perRow: perClass)
            try options.printJSON(result)
            console.info("wrote \(result.output): \(result.trainImages) training and \(result.testImages) test suspects "
                + "(captions: given/suggested label), \(result.pairs) near-duplicate pair(s), \(result.width)×\(result.height) px")
            return .success
        }
        let result = try service.run(
            dataset: dataset, output: URL(fileURLWithPath: out), perClass: perClass, rowsPerClass: rowsPerClass, legend: legend)
        try options.printJSON(result)
        console.info("wrote \(result.output): \(result.title), \(result.rowsPerClass) row(s) of \(result.perClass) per class"
            + (result.legend ? " with a legend" : "") + ", \(result.width)×\(result.height) px")
        console.info("bands, top to bottom: " + result.classes.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", "))
        return .success
    }
}
