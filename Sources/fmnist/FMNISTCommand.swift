import ArgumentParser
import FMNISTCore
import Foundation

@main
struct FMNISTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmnist",
        abstract: "A copy of MNIST or Fashion-MNIST you can trust.",
        discussion: """
            Fetches MNIST and Fashion-MNIST from mirrors, proves every byte against pinned checksums, records every version in a SQLite catalog, and swaps the two as drop-in equivalents.

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
            DiffCommand.self, LockCommand.self, PublishCommand.self, RemoveCommand.self, GCCommand.self, AuditCommand.self,
        ]
    )

    /// Runs the command; argument errors exit with the documented usage status 2 (not 64).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let renamed = SmokeTrainService.renamedVersionOption(in: arguments) {
            let report = ErrorReport(renamed)
            Console(quiet: false).emit(report.lines)
            if ErrorReport.wantsJSON(arguments) { Console.writeStdout(report.json) }
            Foundation.exit(renamed.exitStatus.rawValue)
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            reportParseError(error, arguments: arguments)
        }
        do {
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

    /// An ArgumentParser error (unknown flag or command, bad or missing value, a validate()
    /// failure): exit 2 with the usage text, a suggestion when the slip is a known one
    /// (``CommandLineSlip``), and with `--json` the documented error object on stdout.
    static func reportParseError(_ error: Error, arguments: [String]) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }  // --help, --version
        let commands = configuration.subcommands.map { $0._commandName }
        let datasets = (try? ManifestRegistry.load(extraDirectories: []))?.manifests.flatMap { [$0.name] + $0.aliases } ?? []
        let slip = CommandLineSlip.diagnose(arguments: arguments, commands: commands, datasets: datasets)
        let report = ErrorReport.usage(parserMessage: message(for: error), slip: slip, commands: commands)
        if slip != nil { Console(quiet: false).emit(report.lines) } else { Console.writeStderr(fullMessage(for: error) + "\n") }
        if ErrorReport.wantsJSON(arguments) { Console.writeStdout(report.json) }
        Foundation.exit(ExitStatus.usage.rawValue)
    }
}
