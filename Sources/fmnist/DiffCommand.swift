import ArgumentParser
import FMNISTCore
import Foundation

struct DiffCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two versions by content: per file, and per split image by image (matched, only in one, label changes).",
        discussion: """
            A and B are version specs (fashion, fashion@<id-prefix or name>, mnist; a dataset alone means its live version) or folders holding the four .gz files. Images are matched by the content of their pixels, not by position. Also reports, per version, exact duplicate images inside a split and test images that also occur in the training split. Read-only; takes no lock.

            Exit status: 0 (whatever the differences), 2 bad spec, 3 a file is corrupt or not the recorded one, 4 version or file missing (or no workspace at --root), 7 catalog unusable.

            Examples:
              fmnist diff fashion@915659908dce fashion@unknown
              fmnist diff fashion mnist --json
              fmnist diff fashion ~/Downloads/fashion-mnist
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The first version or folder.", valueName: "A"))
    var a: String

    @Argument(help: ArgumentHelp("The second version or folder.", valueName: "B"))
    var b: String

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let report = try VersionDiffer(context: context).diff(a, b)
        console.info("A: \(report.a.label)")
        console.info("B: \(report.b.label)")
        for role in report.roles {
            let text: String
            switch role.verdict {
            case .identical: text = "identical"
            case .samePayload: text = "same payload, other gzip container"
            case .different: text = "different"
            }
            console.info("  \(role.role.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(text)")
        }
        for (name, split) in [("train", report.splits.train), ("test", report.splits.test)] {
            console.info("\(name): \(split.matched) matched images, \(split.onlyInA) only in A, \(split.onlyInB) only in B "
                         + "(of \(split.imagesA) / \(split.imagesB)); \(split.labelChanges) label change(s) among the matched")
            for change in split.changedSample.prefix(5) {
                console.info("    A[\(change.indexA)] \(change.labelA) \(change.classA ?? "")  ->  B[\(change.indexB)] \(change.labelB) \(change.classB ?? "")")
            }
            if split.labelChanges > 5 { console.info("    … (\(split.labelChanges - 5) more; --json lists \(split.changedSample.count))") }
            console.info("  duplicates inside the split: A \(split.duplicatesInA.duplicates), B \(split.duplicatesInB.duplicates)")
        }
        console.info("test images also in train: A \(report.a.testImagesInTrain), B \(report.b.testImagesInTrain)")
        console.info(String(format: "compared in %.2f s", report.seconds))
        try options.printJSON(report)
        return .success
    }
}
