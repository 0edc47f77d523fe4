import ArgumentParser
import FMNISTCore
import Foundation

struct DoctorCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Find the MNIST-format files other loaders cached, say what each really is, and repair them.",
        discussion: """
            Scans each PATH and the default loader locations that exist: $KERAS_HOME/datasets (else ~/.keras/datasets), $TFDS_DATA_DIR/downloads (else ~/tensorflow_datasets/downloads, with manual/), ~/.cache/swift-models/datasets, a torchvision root at ./data, and the workspace itself. Only files named like the published files are read (.gz or uncompressed IDX), each in one bounded streaming pass; a torchvision processed/ beside raw/ is a stale cache.

            Status per file: ok, other-dataset (e.g. MNIST's train-images in a Fashion-MNIST place), damaged (truncated, CRC/SHA mismatch, wrong file or form), not-data (HTML page, empty, not IDX), unknown (valid IDX of no known version), stale-cache.

            --fix replaces only what it can prove is a broken copy of a known file (damaged, not-data, or a known file of the other dataset where the place names its dataset, e.g. torchvision's FashionMNIST/raw) by the verified bytes of the right file from the workspace (--root), in the form its loader reads, via a temporary and a rename in the same folder; it renames a stale processed/ aside. It leaves alone valid data of no known version (unknown) and a consistent set of one dataset in a folder only named like a cache (MNIST_data/ holding Fashion-MNIST is the user's choice); it never writes through a symlink (any folder on the way) nor into the workspace, and says which `fmnist fetch` to run when the workspace lacks the data.

            Examples:
              fmnist doctor                       # default locations and ./data
              fmnist doctor ~/torch-data --json   # a torchvision root, findings as JSON
              fmnist doctor ~/torch-data --fix    # repair from the verified workspace

            Exit codes: 0 every file ok (or repaired by --fix), 3 otherwise, 2 usage.
            """)

    @Argument(help: ArgumentHelp("Folders to scan besides the default locations.", valueName: "PATH"))
    var paths: [String] = []

    @Flag(name: .long, help: "Repair what is not ok from the workspace (atomic replace; stale processed/ renamed aside).")
    var fix = false

    @OptionGroup var options: GlobalOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let service = DoctorService(layout: context.layout, registry: context.registry)
        let report = try service.run(paths: paths.map { URL(fileURLWithPath: $0) }, fix: fix)
        try options.printJSON(report.findings)
        DoctorText.lines(report, fix: fix, console: console).forEach(console.info)
        return report.exitStatus
    }
}
