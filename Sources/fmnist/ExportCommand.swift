import ArgumentParser
import FMNISTCore
import Foundation

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write verified data in the layout a framework's loader reads.",
        discussion: """
            Layouts (DEST is the folder you point the loader at):
              torchvision  DEST/FashionMNIST/raw/, DEST/MNIST/raw/ (uncompressed IDX + .gz)
              npz          DEST/<dataset>.npz (x_train, y_train, x_test, y_test; uint8)
              csv          DEST/fashion-mnist_{train,test}.csv, DEST/mnist_{train,test}.csv (Kaggle)
              png          DEST/<dataset>/{train,test}/<label>/<index>.png + classes.txt
              keras        DEST/datasets/fashion-mnist/*.gz (KERAS_HOME=DEST; Fashion-MNIST only)
              tfds         DEST/fashion_mnist/*.gz, DEST/mnist/*.gz (TFDS manual dirs)
              hf           DEST/<fashion_mnist|mnist>/{train,test}-00000-of-00001.parquet (Hugging Face)

            The version's files are proven first under the workspace lock (taken without waiting), as
            switch does: a damaged copy is restored from the store. torchvision copies the proven .gz and
            the uncompressed payloads kept once per version in .fmnist/payload/. While another fmnist
            process holds the lock, every source file is re-verified while it is read instead, and a
            damaged one is refused.

            An export is exactly one version. Each dataset's part of DEST (its folder, e.g. FashionMNIST/,
            or its files, e.g. fashion.npz) is replaced as a whole: a folder is built beside it and swapped
            in atomically, so a crash leaves the old export or the new one, never a mix; the other
            dataset's part and anything else in DEST are left alone. Each part carries fmnist-export.json
            (or fmnist-export-<layout>-<dataset>.json beside files): tool, layout, dataset, version,
            and every file with its size and SHA-256. Without --force an existing part is replaced only
            when it is this version's export in this layout and holds nothing else. Symlinks in or at
            DEST are refused.

            Examples:
              fmnist export torchvision ~/torch-data
              fmnist export npz out --dataset mnist --json
              fmnist export png images --dataset fashion --force

            DEST, and every path the layout writes below it, must be outside the workspace's own folders
            (its dataset folders, current, .fmnist/, the root itself), wherever symlinks lead: exit 2.

            Exit codes: 0 written, 2 usage (also: DEST inside the workspace, or below a file), 3 a source
            file fails verification, 4 dataset not present (or no workspace at --root),
            7 DEST unusable (a symlink, something in the way, another export or other files without --force).
            """)

    @Argument(help: "torchvision, npz, csv, png, keras, tfds or hf.")
    var layout: String

    @Argument(help: ArgumentHelp("Destination folder (created if missing).", valueName: "DEST"))
    var destination: String

    @Option(name: .long, help: "fashion, mnist, current or all (default: every dataset present).")
    var dataset: String?

    @Flag(name: .long, help: "Replace the dataset's existing part of DEST as a whole (another version's export, a stale torchvision processed/, any files in it).")
    var force = false

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let service = ExportService(layout: options.layout, registry: try options.registry())
            let result = try service.run(
                layout: try ExportLayout(parsing: layout), destination: URL(fileURLWithPath: destination), dataset: dataset,
                force: force)
            try options.printJSON(result)
            let console = options.console
            for exported in result.datasets {
                console.info("exported \(exported.title) \(exported.versionName) (\(exported.versionShortID)) as \(result.layout.rawValue): "
                             + "\(exported.files) files, \(exported.bytes) bytes → \(exported.path)")
                for note in exported.notes { console.info("  " + note) }
                for line in exported.usage { console.info("  use: " + line) }
                if let provenance = exported.provenance { console.info("  provenance: " + provenance) }
            }
            for skipped in result.skipped { console.info("not written: \(skipped.dataset): \(skipped.reason)") }
            return result.exitStatus
        }
    }
}
