import ArgumentParser
import FMNISTCore
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the four .gz files of a dataset from a folder (air-gapped machines).",
        discussion: """
            Copies the files into the workspace, verifies them like fetch does, and installs them as a version. \
            Exit status: 0 imported, 2 usage, 3 corrupt or another dataset's files, 4 files missing from DIR, \
            7 workspace unusable, 8 content matches no known version (pass --accept-unknown to keep it).

            Examples:
              fmnist import /media/usb/fashion-mnist --as fashion
              fmnist import ./old-release --as fashion --accept-unknown  # flagged
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Folder holding train-images-idx3-ubyte.gz and the three other files.", valueName: "DIR"), completion: .directory)
    var directory: String

    @Option(name: .customLong("as"), help: ArgumentHelp("The dataset the files are (fashion or mnist).", valueName: "DATASET"), completion: DatasetCompletion.kind())
    var dataset: String

    @Flag(name: .customLong("accept-unknown"), help: "Keep valid files that match no known version; they are recorded as unknown.")
    var acceptUnknown = false

    @Flag(name: .long, help: "Make the imported version live even when another version of the dataset is live (default: keep it, and print the switch command).")
    var activate = false

    @OptionGroup var lock: LockTimeoutOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let importer = DatasetImporter(layout: options.layout, registry: try options.registry())
            let result = try importer.importDirectory(
                URL(fileURLWithPath: directory), as: dataset, acceptUnknown: acceptUnknown, activate: activate, lockTimeout: lock.lockTimeout,
                progress: console.info)
            for file in result.files { console.info("  \(file.name): \(file.message)") }
            console.info(result.verdict)
            if !result.version.known {
                console.info(console.style("warning: recorded as UNKNOWN; it is flagged in status, versions and log", "33"))
            }
            if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
            return .success
        }
    }
}
