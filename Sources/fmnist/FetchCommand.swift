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

    @OptionGroup var lockFile: LockFileOptions

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            var fetch = FetchOptions()
            let lockFile = try self.lockFile.path(locked: locked, command: "fetch")
            if locked {
                try FetchOptions.checkLocked(selection: dataset, acceptUnknown: acceptUnknown)
                fetch.pinned = try ProjectLock.read(path: lockFile, registry: try options.registry()).datasets
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
            try options.printJSON(report)
            console.emit(FetchSummaryText.lines(report, console: console))
            return report.exitStatus
        }
    }
}
