import ArgumentParser
import FMNISTCore
import Foundation

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download, verify and place MNIST and/or Fashion-MNIST from their mirrors.",
        discussion: """
            Each file is tried on every mirror in order: transient failures (timeouts, 5xx, resets) are \
            retried with backoff; HTTP errors, HTML pages, wrong sizes, checksum mismatches and the \
            other dataset's bytes move on to the next mirror. Bytes are verified as they arrive and \
            nothing is placed until all four files are verified. Interrupted downloads resume \
            (HTTP Range) from .fmnist/partial on the next attempt, mirror or run. Data already present \
            and verified is not downloaded again. Concurrent fetches wait for each other (workspace lock).

            Mirrors, highest precedence first: --mirror URL (repeatable; DATASET=URL when fetching \
            several datasets), $FMNIST_MIRRORS (space or comma separated), .fmnist/config.json \
            ({"mirrors": {"fashion": ["URL", ...], "mnist": [...]}}), then the manifest's list.

            Bounds: a transfer is cut off at twice the largest known container of its file plus 1 MiB, \
            whatever the server announces; each file gets at most 60 s + size / --min-rate on each \
            mirror (retries included), then the next mirror resumes from the bytes held. A busy \
            mirror (503, 429) is retried until then, waiting at least as long as its Retry-After. \
            Ctrl-C (or SIGTERM) stops the transfers, keeps the partial files, prints the command \
            that resumes, and exits 130.

            Environment: FMNIST_MIRRORS, FMNIST_CA_BUNDLE (like --cacert), FMNIST_CONNECT_TIMEOUT, \
            FMNIST_LOW_SPEED_TIME, FMNIST_RETRIES, FMNIST_RETRY_BASE_MS, FMNIST_MIN_RATE (like \
            --min-rate), FMNIST_DEADLINE_BASE (seconds, default 60), FMNIST_HOST_CONNECTIONS \
            (transfers to one host at once, default 4); proxies from http_proxy, \
            https_proxy, all_proxy and no_proxy (read by libcurl).

            Examples:
              fmnist fetch                  # both datasets, from the manifests' mirrors
              fmnist fetch fashion --mirror http://mirror.local/fashion-mnist/
              fmnist fetch all --offline --mirror fashion=file:///srv/fm/ \\
                               --mirror mnist=file:///srv/mnist/
              fmnist fetch mnist --json     # per file: mirror, skips, bytes, digests
              fmnist fetch mnist --artifact keras   # also keras's mnist.npz

            Exit codes: 0 fetched (or already present) and verified, 2 usage or malformed config, \
            5 every mirror failed for some file, 7 workspace unusable (lock timeout, disk full), \
            8 valid content of no known version refused (pass --accept-unknown), 130 interrupted \
            (partial files kept; rerun to resume).

            --artifact keras also fetches, after the four files, the version's keras artifact: \
            keras's own mnist.npz (MNIST only; keras.datasets.mnist.load_data() reads it, pinned to its \
            SHA-256). Mirrors: --mirror BASE (BASE + mnist.npz), $FMNIST_MIRRORS, the config, else its \
            published URL. It is proven by size and SHA-256, cross-checked array by array against the \
            version's payload digests, stored read-only and recorded; `fmnist export keras --dataset mnist \
            DEST` then copies it. Exit 5 when every mirror failed, 3 when the pinned bytes' arrays are \
            not the version's files.

            --locked fetches exactly the versions pinned by fmnist.lock (or --file PATH), from the \
            lock's mirrors in the manifest's place (--mirror, $FMNIST_MIRRORS and the config still come \
            first), makes each live, and accepts an unknown version the lock \
            names without --accept-unknown; anything else served is refused with exit 3, naming the \
            file and what was served. A malformed lock file is exit 2, naming the field.
            """)

    @Argument(help: ArgumentHelp("fashion, mnist or all.", valueName: "DATASET"), completion: DatasetCompletion.kind(plus: ["all"]))
    var dataset: String = "all"

    @Option(name: .long, help: ArgumentHelp("Mirror base URL to use instead of the configured ones (repeatable; DATASET=URL to name the dataset).", valueName: "URL"))
    var mirror: [String] = []

    @Flag(name: .long, help: "Use only local file:// sources; never touch the network.")
    var offline = false

    @Option(name: .long, parsing: .unconditional, help: "Files downloaded at once (\(FlagBounds.jobs.rangeText)).")
    var jobs: Int = 4

    @Option(name: .long, help: ArgumentHelp("PEM file of CA certificates to trust for https (also $FMNIST_CA_BUNDLE).", valueName: "FILE"))
    var cacert: String?

    @Flag(name: .customLong("accept-unknown"), help: "Keep valid data that matches no known version (recorded as unknown).")
    var acceptUnknown = false

    @Flag(name: .long, help: "Make the fetched version live even when another version of the dataset is live (default: keep it, and print the switch command).")
    var activate = false

    @OptionGroup var lock: LockTimeoutOptions

    func validate() throws {
        try validateFlags {
            try FlagBounds.jobs.check(jobs)
        }
    }

    @Option(name: .customLong("min-rate"), help: ArgumentHelp("Slowest average rate in KiB/s a mirror may take per file before the next mirror is tried (1-1048576, default 64; also $FMNIST_MIN_RATE).", valueName: "KIB"))
    var minRate: Double?

    @Option(name: .long, help: ArgumentHelp("Also fetch the version's artifact for this loader: keras (keras's mnist.npz; MNIST only). Repeatable.", valueName: "LOADER"))
    var artifact: [String] = []

    @Flag(name: .long, help: "Fetch exactly the versions pinned by the lock file (see fmnist lock).")
    var locked = false

    @Option(name: .long, help: ArgumentHelp("The lock file for --locked (default: ./fmnist.lock).", valueName: "PATH"))
    var file: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            var fetch = FetchOptions()
            if file != nil && !locked { throw UsageError("--file names the lock file of --locked", hint: "e.g. fmnist fetch --locked --file \(file!)") }
            if locked {
                if dataset != "all" { throw UsageError("--locked fetches what the lock pins; do not name a dataset (\(dataset))") }
                if acceptUnknown { throw UsageError("--locked accepts exactly the pinned versions; drop --accept-unknown") }
                fetch.pinned = try ProjectLock.read(path: file ?? ProjectLock.defaultFileName, registry: try options.registry()).datasets
            }
            fetch.selection = dataset
            fetch.mirrors = mirror
            fetch.offline = offline
            fetch.jobs = jobs
            fetch.acceptUnknown = acceptUnknown
            fetch.activate = activate
            fetch.artifacts = artifact.map { $0.lowercased() }
            fetch.lockTimeout = lock.lockTimeout
            fetch.settings = try TransferSettings.resolve(caBundle: cacert, minimumRateKiB: minRate)
            fetch.stopOnSignals = true
            fetch.commandLine = Array(CommandLine.arguments.dropFirst())
            let display = FetchProgressDisplay(console: console)
            let service = FetchService(
                layout: options.layout, registry: try options.registry(), options: fetch, onEvent: display.handle)
            let report = try service.run()
            display.finish()
            if options.json { Console.writeStdout(try JSONOutput.encode(report)) }
            FetchSummary.print(report, console: console)
            return report.exitStatus
        }
    }
}

/// The human summary printed after a fetch.
enum FetchSummary {
    static func print(_ report: FetchReport, console: Console) {
        if report.interrupted {
            printInterrupted(report, console: console)
            return
        }
        for dataset in report.datasets {
            switch dataset.status {
            case .interrupted:
                break
            case .present, .fetched:
                console.info(console.style(dataset.message, "1;32"))
                // One mirror for every downloaded file: named once, so that file lines stay short.
                let bases = Set(dataset.files.compactMap { $0.mirror.map(FetchDiagnosis.mirrorBase(of:)) })
                let oneMirror = bases.count == 1 ? bases.first : nil
                if let oneMirror { console.info("  from \(oneMirror)") }
                // Mirrors --offline passed over are not news when the fetch succeeded.
                for file in dataset.files where file.status == .downloaded || file.skipped.contains(where: { $0.code != "offline" }) {
                    var line = "  \(file.name): \(file.message)"
                    if let mirror = file.mirror {
                        line += ", \(FetchProgressDisplay.bytes(file.bytesDownloaded))" + (oneMirror == nil ? " from \(mirror)" : "")
                    }
                    if file.resumedFrom > 0 { line += " (resumed at \(FetchProgressDisplay.bytes(file.resumedFrom)))" }
                    console.info(line)
                    for skip in file.skipped where skip.code != "offline" { console.info("    skipped: \(skip)") }
                    for note in file.notes { console.info("    note: \(note)") }
                }
                printArtifacts(dataset, console: console)
            case .failed, .unknownRefused, .notPinned:
                // One line per mirror, all files together.
                // One line per mirror when every file failed there for one reason; else each file's own.
                for failure in dataset.mirrorFailures {
                    if failure.sameReason {
                        let what = failure.files.count == 1 ? failure.files[0] : "\(failure.files.count) files"
                        console.info("  mirror \(failure.mirror): \(failure.reason) (\(what))")
                    } else {
                        console.info("  mirror \(failure.mirror): \(failure.files.count) files, \(failure.reasons.count) different reasons:")
                        for group in failure.reasons {
                            console.info("    \(group.files.joined(separator: ", ")): \(group.reason)")
                        }
                    }
                }
                console.error(dataset.message + "; nothing was changed in \(dataset.path)")
                Console.writeStderr("hint: \(hint(for: dataset))\n")
            }
        }
        if let dataset = report.currentCreated {
            let other = report.datasets.map(\.dataset).first { $0 != dataset } ?? (dataset == "fashion" ? "mnist" : "fashion")
            console.info("created \(report.currentLinkPath ?? "data/current") -> \(dataset) (there was no drop-in link yet); "
                + "`fmnist switch \(other)` points it at \(other)")
        }
    }

    /// One line per artifact (`--artifact`): what happened, each mirror skipped, and a hint when it failed.
    static func printArtifacts(_ dataset: DatasetFetchReport, console: Console) {
        for artifact in dataset.artifacts {
            let good = artifact.exitStatus == .success
            var line = artifact.message
            if artifact.status == .downloaded, let mirror = artifact.mirror {
                line += ", \(FetchProgressDisplay.bytes(artifact.bytesDownloaded)) from \(mirror)"
                if artifact.resumedFrom > 0 { line += " (resumed at \(FetchProgressDisplay.bytes(artifact.resumedFrom)))" }
            }
            if good { console.info(console.style(line, "1;32")) } else { console.error(line) }
            for skip in artifact.skipped where skip.code != "offline" || !good { console.info("    skipped: \(skip)") }
            for check in artifact.arrays where !check.matched {
                console.info("    \(check.array) (\(check.role?.rawValue ?? "?")): \(check.problem ?? "does not match")")
            }
            switch artifact.status {
            case .failed:
                Console.writeStderr("hint: give a mirror that holds \(artifact.name) with --mirror BASE (fmnist appends \(artifact.name)), "
                    + "or a local copy with --offline --mirror file:///path/to/folder/; the four files are in place\n")
            case .refused:
                Console.writeStderr("hint: the manifest's \(artifact.name) pin and its files disagree: check the manifest (--manifests) against the published files\n")
            case .interrupted:
                Console.writeStderr("hint: rerun the same command to resume \(artifact.name) from the bytes kept\n")
            default:
                break
            }
        }
    }

    /// The hint that fits why the dataset could not be fetched.
    static func hint(for dataset: DatasetFetchReport) -> String {
        if dataset.status == .notPinned {
            return "the lock pins other bytes than the mirrors serve; point --mirror at a copy of the pinned version, or write a new lock with `fmnist lock`"
        }
        if dataset.status == .unknownRefused {
            return "this may be an older release; pass --accept-unknown to keep it (recorded as an unknown version)"
        }
        let importLine = "fmnist import DIR --as \(dataset.dataset) takes the four .gz files from a folder"
        switch dataset.failureCause {
        case .noNetwork:
            let debian = dataset.dataset == "fashion"
                ? "; or install Debian's dataset-fashion-mnist package and run fmnist fetch fashion --offline" : ""
            return "no mirror host could be resolved: you seem to be offline. Without a network, \(importLine)\(debian)"
        case .unreachable:
            return "no mirror could be reached (refused, timed out or cut): check the network or proxy (http_proxy, "
                + "https_proxy), or give another mirror with --mirror URL; a rerun resumes partial downloads"
        case .overloaded:
            return "the mirror is overloaded (503/429: the lines above say how often it was retried and for how long); "
                + "rerun later (partial downloads resume), give each file more time on it with FMNIST_DEADLINE_BASE or a lower "
                + "--min-rate, or give another mirror with --mirror URL"
        case .notFound:
            return "every mirror answered 404: check the mirror base URL (fmnist appends the file name, e.g. "
                + "BASE/\(dataset.files.first?.name ?? "train-images-idx3-ubyte.gz"))"
        case .wrongContent:
            return "the mirrors answer, but serve something else (another dataset or file, an HTML page): "
                + "give another mirror with --mirror URL"
        case .authentication:
            return "a mirror answered 401 (authentication required or failed): give credentials as user:password@ in the "
                + "mirror URL, in ~/.netrc (or the file named by NETRC), or a header in .fmnist/config.json, e.g. "
                + "{\"headers\": {\"https://host/base/\": {\"Authorization\": \"Bearer ${TOKEN}\"}}} (see README, Private mirrors)"
        case .s3Access:
            return "an s3:// mirror refused the request (403; the lines above name the S3 error): check the AWS credentials "
                + "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE in ~/.aws/credentials), the region (AWS_REGION) "
                + "and the endpoint (AWS_ENDPOINT_URL) (see README, Private mirrors)"
        case .certificate:
            return "an https mirror's certificate is not trusted: pass --cacert FILE (or set FMNIST_CA_BUNDLE) for a private CA"
        case .localSourceMissing:
            let folders = dataset.mirrorFailures.map(\.mirror).joined(separator: ", ")
            let debian = folders.contains("/usr/share/datasets/") && dataset.dataset == "fashion"
                ? " (Debian's dataset-fashion-mnist package installs the files there)" : ""
            return "the local source \(folders) could not be read\(debian): give a folder that holds the files with "
                + "--mirror file:///path/to/folder/, or \(importLine)"
        case .offlineOnly:
            return "--offline uses only file:// sources: give one with --mirror file:///path/to/folder/, or \(importLine)"
        case .other:
            return "check the network or proxy (http_proxy, https_proxy), or give another mirror with --mirror URL; "
                + "a rerun resumes partial downloads"
        }
    }

    /// Ctrl-C: what each partial file holds, and the command that resumes.
    static func printInterrupted(_ report: FetchReport, console: Console) {
        if report.kept.isEmpty, report.datasets.contains(where: { $0.artifacts.contains { $0.status == .interrupted } }) {
            // The four files of each dataset were placed; only an artifact was stopped.
            for dataset in report.datasets {
                console.info(console.style(dataset.message, "1;32"))
                printArtifacts(dataset, console: console)
            }
            console.error("interrupted while fetching an artifact: the datasets above are in place; its partial download was kept")
            return
        }
        for dataset in report.datasets where dataset.status == .present {
            console.info(console.style(dataset.message, "1;32"))
        }
        console.error("interrupted: nothing was placed or recorded; the partial downloads were kept")
        for file in report.kept {
            let held = FetchProgressDisplay.bytes(file.bytes)
            let whole = FetchProgressDisplay.bytes(file.expectedBytes)
            let state = file.bytes == 0 ? "nothing kept yet" : file.bytes >= file.expectedBytes ? "complete, \(held) (verified on the next run)" : "kept \(held) of \(whole)"
            Console.writeStderr("  \(file.dataset)/\(file.name): \(state)\n")
        }
        if let command = report.resumeCommand {
            let redacted = RedactedURL.isRedacted(command)
                ? " (credentials shown as ***: put them back, or keep them in ~/.netrc or .fmnist/config.json headers)" : ""
            Console.writeStderr("hint: resume with: \(command)\(redacted)\n")
        }
    }
}
