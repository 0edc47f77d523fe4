import ArgumentParser
import FMNISTCore
import Foundation

struct ImportCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a dataset from a folder of its four .gz files, a torchvision root, a keras cache, an npz or a CSV export (air-gapped machines).",
        discussion: """
            Stages the four .gz files in the workspace, verifies them like fetch does, and installs them as a version. \
            PATH may be: a folder of the four .gz; a torchvision root or <Class>/raw/ (the .gz beside the payloads, \
            else the uncompressed payloads, gzipped); any folder of the four uncompressed payloads; a keras cache \
            (KERAS_HOME or datasets/: datasets/fashion-mnist/, or datasets/mnist.npz with --as mnist); an .npz \
            (x_train y_train x_test y_test, each rebuilt into IDX and gzipped); a TFDS manual dir (fashion_mnist/, manual/mnist/); \
            a Kaggle-format CSV export (both <name>_train.csv and <name>_test.csv, rebuilt into IDX and gzipped); \
            an export npz, png or hf folder (<name>.npz, the PNG files <name>/<split>/<label>/<index>.png, \
            or the two Parquet files: every image decoded, rebuilt into IDX and gzipped). \
            Every layout fmnist export writes imports back as the same version. \
            Gzipped here means "same data, different container": the identity is the payloads'. \
            Every source file is read only as a regular file within its size bound; nothing outside the workspace is written.

            Exit status: 0 imported, 2 usage (not there, one lone CSV), 3 corrupt, a malformed CSV, npz, PNG or Parquet (line and column, entry, file or row named) \
            or another dataset's files, 4 files missing from PATH, 7 workspace unusable, \
            8 content matches no known version (pass --accept-unknown to keep it).

            Examples:
              fmnist import /media/usb/fashion-mnist --as fashion
              fmnist import ~/torch-data --as mnist   # reads MNIST/raw there
              fmnist import ~/.keras --as fashion     # datasets/fashion-mnist
              fmnist import ./kaggle --as fashion     # fashion-mnist_{train,test}.csv
              fmnist import ~/.keras --as mnist       # datasets/mnist.npz
              fmnist import ./png-export --as fashion # fashion/{train,test}/<label>/<index>.png
              fmnist import ./old-release --as fashion --accept-unknown  # flagged
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Folder holding the four .gz files, a torchvision root, a keras cache, a TFDS manual dir, a Kaggle CSV export or an export npz/png/hf folder.", valueName: "PATH"), completion: .directory)
    var directory: String

    @Option(name: .customLong("as"), help: ArgumentHelp("The dataset the files are (fashion or mnist).", valueName: "DATASET"), completion: DatasetCompletion.kind())
    var dataset: String

    @Flag(name: .customLong("accept-unknown"), help: "Keep valid files that match no known version; they are recorded as unknown.")
    var acceptUnknown = false

    @Flag(name: .long, help: "Make the imported version live even when another version of the dataset is live (default: keep it, and print the switch command).")
    var activate = false

    @OptionGroup var lock: LockTimeoutOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let importer = DatasetImporter(context: context)
        let result = try importer.importDirectory(
            URL(fileURLWithPath: directory), as: dataset, acceptUnknown: acceptUnknown, activate: activate, lockTimeout: lock.lockTimeout,
            progress: console.info)
        for file in result.files { console.info("  \(file.name): \(file.message)") }
        console.info(result.verdict)
        if !result.version.known {
            console.info(console.style("warning: recorded as UNKNOWN; it is flagged in status, versions and log", "33"))
        }
        try options.printJSON(result)
        return .success
    }
}
