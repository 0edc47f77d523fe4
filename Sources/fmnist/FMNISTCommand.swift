import ArgumentParser
import FMNISTCore
import Foundation

@main
struct FMNISTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmnist",
        abstract: "A copy of MNIST or Fashion-MNIST you can trust.",
        discussion: """
            Fetches MNIST and Fashion-MNIST from mirrors, proves every byte against pinned checksums,
            records every version in a SQLite catalog, and swaps the two as drop-in equivalents.

            Quick tour:
              fmnist fetch all             # download and verify both datasets into ./data
              fmnist verify                # prove what is on disk
              fmnist switch fashion        # data/current -> fashion
              fmnist smoke-train           # train LeNet-5 once to sanity-check the data
              fmnist status                # what is here and what is active

            Exit codes: \(ExitStatus.allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: "; ")).
            """,
        version: FMNISTCoreVersion.string,
        subcommands: [
            FetchCommand.self,
            VerifyCommand.self,
            PreviewCommand.self,
            SmokeTrainCommand.self,
            SwitchCommand.self, StatusCommand.self, VersionsCommand.self, LogCommand.self, ImportCommand.self,
            ExportCommand.self, DoctorCommand.self,
        ]
    )

    /// Runs the command; argument errors exit with the documented usage status 2 (not 64).
    static func main() async {
        if let renamed = SmokeTrainService.renamedVersionOption(in: Array(CommandLine.arguments.dropFirst())) {
            Console(quiet: false).error(renamed.description)
            if let hint = renamed.hint { Console.writeStderr("hint: \(hint)\n") }
            Foundation.exit(renamed.exitStatus.rawValue)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.writeStderr(fullMessage(for: error) + "\n")
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}
