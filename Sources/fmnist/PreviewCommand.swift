import ArgumentParser
import FMNISTCore
import Foundation

struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Draw a PNG sprite of test samples, one row per class.",
        discussion: """
            Examples:
              fmnist preview current --out current.png   # which dataset is active?
              fmnist preview mnist --out mnist.png --per-class 20
            """)

    @Argument(help: "fashion, mnist, or current (the dataset data/current points at).")
    var dataset: String = "current"

    @Option(name: .long, help: ArgumentHelp("PNG file to write.", valueName: "FILE.png"))
    var out: String

    @Option(name: .long, parsing: .unconditional, help: "Images per class (\(FlagBounds.perClass.rangeText)).")
    var perClass: Int = 10

    func validate() throws {
        try validateFlags { try FlagBounds.perClass.check(perClass) }
    }

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let service = PreviewService(layout: options.layout, registry: try options.registry())
            let result = try service.run(dataset: dataset, output: URL(fileURLWithPath: out), perClass: perClass)
            if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
            options.console.info("wrote \(result.output): \(result.title), \(result.perClass) per class, \(result.width)×\(result.height) px")
            options.console.info("rows: " + result.classes.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", "))
            return .success
        }
    }
}
