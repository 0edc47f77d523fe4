import ArgumentParser
import FMNISTCore
import Foundation

struct VerifyCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove local files: digests, gzip, IDX structure, labels, and which dataset they really are.",
        discussion: """
            Checks container size/MD5/SHA-256, the decompressed payload SHA-256, the IDX header and dimensions, the label range and class histogram, in one streaming pass per file.

            Examples:
              fmnist verify                 # every dataset in the workspace
              fmnist verify --repair        # restore damaged copies, rebuild a lost catalog
              fmnist verify fashion         # data/fashion vs the Fashion-MNIST manifest
              fmnist verify current         # the dataset data/current points at (read once)
              fmnist verify ~/datasets/fm   # any folder holding the four .gz files
              fmnist verify t10k-images-idx3-ubyte.gz --json   # identify one file
              fmnist verify ~/torch-data    # a torchvision root (<Class>/raw/*-ubyte), by content
              fmnist verify ~/.keras/datasets/mnist.npz   # keras's published file? or which arrays an npz holds
              fmnist verify ~/.keras        # a keras cache (datasets/fashion-mnist/)
              fmnist verify out/mnist_train.csv   # Kaggle CSV by content (or a folder)
              fmnist verify ~/tfds-manual   # a TFDS manual dir (fashion_mnist/)
              fmnist verify out/png         # an export png|hf|npz folder, by content

            An export of PNG files (<split>/<label>/<index>.png), Parquet (hf) or npz is read back the same way: the images and labels rebuilt into the split's IDX payloads, hashed and compared with the manifests'. A changed pixel fails (exit 3), naming the first file or row that differs when the version it nearly is lies in the workspace.

            A CSV (header label,pixel1,…,pixel784; rows of 785 integers 0…255) is read in one bounded pass, its rows rebuilt into the split's IDX payloads, and their SHA-256 compared with the manifests': "this is Fashion-MNIST 2017-08-31's train split". A malformed CSV is named by line and column; a valid one that matches no known split exits 3 with its class histogram.

            --locked (with --file PATH, default ./fmnist.lock) checks instead that each dataset the lock pins is live at the pinned version and verifies; any drift is named, exit 3. It is what a project's CI runs.

            A PATH that is or passes through a symlink (data/current, a link of your own) is resolved once, so a concurrent `fmnist switch` cannot make verify read two datasets; a PATH holding no MNIST-format data in any of these layouts exits 4 and says so.

            Exit codes: 0 verified, 3 a file is corrupt/wrong/unknown (or drift from the lock), 4 files missing (or no MNIST-format data at PATH, or no workspace at --root for a dataset), 2 usage or a malformed lock file.
            """)

    @Argument(help: "fashion, mnist, current, all, a directory (torchvision root, keras cache, TFDS manual dir, folder of CSVs, an export png/hf/npz folder), or one .gz, IDX, .npz, .parquet or CSV file. Without an argument: every dataset this workspace holds (one not fetched is named, not counted as missing); `all` counts a dataset that is not here as missing (exit 4).", completion: DatasetCompletion.kind(plus: ["all", "current"]))
    var target: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Dataset a directory PATH must hold.", valueName: "DATASET"), completion: DatasetCompletion.kind())
    var expectedDataset: String?

    @Flag(name: .long, help: "First repair the workspace: record again versions the catalog lost, re-hash every version and restore damaged or missing copies from verified ones.")
    var repair = false

    @Flag(name: .long, help: "Check that the live versions are the ones fmnist.lock pins and that they verify (exit 3 on any drift).")
    var locked = false

    @OptionGroup var lockFile: LockFileOptions

    @OptionGroup var options: GlobalOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let service = VerifyService(context: context)
        let lockFile = try self.lockFile.path(locked: locked, command: "verify")
        if locked {
            if (target != nil && target?.lowercased() != "all") || expectedDataset != nil || repair {
                throw UsageError("--locked checks what the lock pins; it takes no target, --as or --repair")
            }
            let result = try LockedVerifier(context: context).verify(lockFile: lockFile)
            console.emit(result.lines)
            try options.printJSON(result)
            return result.exitStatus
        }
        if repair { console.emit(VerifyText.repairLines(try service.repair(progress: console.info))) }
        // No argument: the datasets this workspace holds (one fetched dataset verifies with exit 0);
        // `all` names every dataset, and one that is not here is missing (exit 4).
        let outcome = try service.run(target: target ?? "all", expectedDataset: expectedDataset, skipAbsent: target == nil)
        if options.json { Console.writeStdout(try outcome.json()) }
        VerifyText.lines(outcome, console: console).forEach(console.info)
        return outcome.exitStatus
    }
}
