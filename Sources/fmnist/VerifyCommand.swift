import ArgumentParser
import FMNISTCore
import Foundation

struct VerifyCommand: AsyncParsableCommand {
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

    @Option(name: .long, help: ArgumentHelp("The lock file for --locked (default: ./fmnist.lock).", valueName: "PATH"))
    var file: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let registry = try options.registry()
            let console = options.console
            let service = VerifyService(layout: options.layout, registry: registry)
            if file != nil && !locked { throw UsageError("--file names the lock file of --locked", hint: "e.g. fmnist verify --locked --file \(file!)") }
            if locked {
                if (target != nil && target?.lowercased() != "all") || expectedDataset != nil || repair {
                    throw UsageError("--locked checks what the lock pins; it takes no target, --as or --repair")
                }
                let result = try LockedVerifier(layout: options.layout, registry: registry).verify(lockFile: file ?? ProjectLock.defaultFileName)
                for check in result.datasets {
                    if check.ok {
                        console.info("ok    \(check.dataset) \(check.pinnedLabel): live and verified, as pinned")
                    } else {
                        for drift in check.drift { console.error("drift: \(drift)") }
                    }
                }
                if !result.ok { Console.writeStderr("hint: run `fmnist fetch --locked` to restore the pinned versions, or `fmnist lock` to pin the new ones\n") }
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                return result.exitStatus
            }
            if repair {
                let repaired = try service.repair(progress: console.info)
                for version in repaired.recovered { console.info("recorded again: \(version.dataset) \(version.label) (the catalog had lost it)") }
                for line in repaired.restored { console.info("restored: \(line)") }
                for line in repaired.unrepairable { console.error("no good copy left: \(line); run: fmnist fetch") }
                if repaired.recovered.isEmpty && repaired.restored.isEmpty && repaired.unrepairable.isEmpty {
                    console.info("repair: every recorded version re-hashed; nothing needed repair")
                }
            }
            // No argument: the datasets this workspace holds (one fetched dataset verifies with exit 0);
            // `all` names every dataset, and one that is not here is missing (exit 4).
            let outcome = try service.run(target: target ?? "all", expectedDataset: expectedDataset, skipAbsent: target == nil)
            switch outcome {
            case .file(let report):
                if options.json { Console.writeStdout(try JSONOutput.encode(report)) }
                let mark = report.exitStatus == .success ? console.style("ok", "32") : console.style("FAIL", "31")
                console.info("\(mark)  \(report.path): \(VerifyFormatter.withoutOK(report.message))")
                return report.exitStatus
            case .npz(let report):
                if options.json { Console.writeStdout(try JSONOutput.encode(report)) }
                let mark = report.exitStatus == .success ? console.style("ok", "32") : console.style("FAIL", "31")
                console.info("\(mark)  \(report.path): \(report.message)")
                for array in report.arrays where report.exitStatus != .success || report.publishedArtifact == nil {
                    let shape = ArtifactCrossCheck.shapeText(array.shape)
                    console.info("      \(array.array) \(array.dtype) \(shape): \(array.identifiedAs.map { "\($0) (\(array.version ?? ""))" } ?? array.problem ?? "unknown")")
                }
                return report.exitStatus
            case .payloadFolders(let result):
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                for folder in result.folders {
                    let good = folder.exitStatus == .success
                    console.info("\(folder.path) (uncompressed IDX)")
                    for file in folder.files {
                        let mark = file.exitStatus == .success ? console.style("ok  ", "32") : console.style("FAIL", "31")
                        console.info("  \(mark)  \(URL(fileURLWithPath: file.path).lastPathComponent)  \(file.message)")
                    }
                    console.info("  → " + console.style(folder.verdict, good ? "1;32" : "1;31"))
                }
                return result.exitStatus
            case .csvFile(let report):
                if options.json { Console.writeStdout(try JSONOutput.encode(report)) }
                console.info(VerifyFormatter.csvLine(report, console: console, name: report.path))
                return report.exitStatus
            case .csvFolder(let result):
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                console.info("\(result.path) (Kaggle-format CSV)")
                for file in result.files {
                    console.info("  " + VerifyFormatter.csvLine(file, console: console, name: URL(fileURLWithPath: file.path).lastPathComponent))
                }
                console.info("  → " + console.style(result.verdict, result.ok ? "1;32" : "1;31"))
                return result.exitStatus
            case .parquetFile(let report):
                if options.json { Console.writeStdout(try JSONOutput.encode(report)) }
                console.info(VerifyFormatter.splitLine(report, console: console, name: report.path))
                return report.exitStatus
            case .exportFolder(let result):
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                console.info("\(result.path) (an export: \(result.layouts.joined(separator: ", ")))")
                let base = result.path.hasSuffix("/") ? result.path : result.path + "/"
                for split in result.splits {
                    let name = split.path.hasPrefix(base) ? String(split.path.dropFirst(base.count)) : split.path
                    console.info("  " + VerifyFormatter.splitLine(split, console: console, name: name))
                }
                for entry in result.npz {
                    let mark = entry.exitStatus == .success ? console.style("ok  ", "32") : console.style("FAIL", "31")
                    console.info("  \(mark)  \(URL(fileURLWithPath: entry.path).lastPathComponent): \(entry.message)")
                }
                for file in result.csv {
                    console.info("  " + VerifyFormatter.csvLine(file, console: console, name: URL(fileURLWithPath: file.path).lastPathComponent))
                }
                console.info("  → " + console.style(result.verdict, result.ok ? "1;32" : "1;31"))
                return result.exitStatus
            case .loaderCache(let result):
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                console.info("\(result.path) (a \(result.loader == .keras ? "keras cache" : "TFDS manual dir"))")
                for dataset in result.datasets {
                    console.info(VerifyFormatter.table(dataset, console: console))
                }
                for entry in result.npz {
                    let mark = entry.exitStatus.map { $0 == .success ? console.style("ok  ", "32") : console.style("FAIL", "31") } ?? "----"
                    console.info("\(mark)  \(entry.path): \(entry.message)")
                }
                for problem in result.loaderProblems { console.info(console.style("FAIL  \(problem)", "31")) }
                return result.exitStatus
            case .datasets(let result):
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                for dataset in result.datasets {
                    console.info(VerifyFormatter.table(dataset, console: console))
                }
                for link in result.frameworkLinks {
                    if link.ok {
                        console.info("torchvision link \(link.path): \(link.dataset) \(link.versionID.prefix(12)), payloads verified")
                    } else {
                        console.info(console.style("torchvision link \(link.path): DAMAGED (a write through the link reached fmnist's copy, not the store)", "31"))
                        for problem in link.problems { console.info("  \(problem)") }
                        console.info("hint: restore it with `fmnist switch \(link.dataset)` or `fmnist verify --repair`")
                    }
                }
                for dataset in result.notFetched {
                    console.info("\(dataset): not fetched, not checked (`fmnist verify all` counts it as missing; fetch it with `fmnist fetch \(dataset)`)")
                }
                let missing = result.datasets.filter { $0.exitStatus == .missing }.map(\.dataset)
                if !missing.isEmpty {
                    console.info("hint: run `fmnist fetch \(missing.count > 1 ? "all" : missing[0])`, "
                                 + "or `fmnist import DIR --as \(missing[0])` on a machine without network")
                }
                return result.exitStatus
            }
        }
    }
}

/// Human rendering of verify reports.
enum VerifyFormatter {
    /// A message without its leading "ok: ", which the "ok" mark already says.
    static func withoutOK(_ message: String) -> String {
        message.hasPrefix("ok: ") ? String(message.dropFirst(4)) : message
    }

    /// "ok    fashion-mnist_train.csv  this is Fashion-MNIST 2017-08-31's train split …".
    static func csvLine(_ report: CSVFileReport, console: Console, name: String) -> String {
        let mark = report.exitStatus == .success ? console.style("ok  ", "32") : console.style("FAIL", "31")
        return "\(mark)  \(name): \(report.message)"
    }

    /// "ok    fashion/train: this is Fashion-MNIST 2017-08-31's train split …, as PNG files".
    static func splitLine(_ report: SplitReport, console: Console, name: String) -> String {
        let mark = report.exitStatus == .success ? console.style("ok  ", "32") : console.style("FAIL", "31")
        return "\(mark)  \(name): \(report.message)"
    }

    static func table(_ report: DatasetReport, console: Console) -> String {
        var lines = ["\(report.title) — \(report.path)"]
        let width = report.files.map { $0.name.count }.max() ?? 0
        for file in report.files {
            let mark: String
            switch file.status {
            case .ok, .recompressed, .acceptedUnknown: mark = console.style("ok  ", "32")
            case .missing: mark = console.style("MISS", "33")
            default: mark = console.style("FAIL", "31")
            }
            let padded = file.name.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(mark)  \(padded)  \(withoutOK(file.message))")
            for note in file.notes where file.status != .recompressed {
                lines.append("        \(String(repeating: " ", count: width))  note: \(note)")
            }
        }
        let verdict = report.isValid ? console.style(report.verdict, "1;32") : console.style(report.verdict, "1;31")
        lines.append("  → \(verdict)")
        return lines.joined(separator: "\n")
    }
}
