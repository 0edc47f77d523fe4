import Foundation

/// What `fmnist fetch` was asked to do.
public struct FetchOptions: Sendable {
    /// `fashion`, `mnist`, `all`, or any dataset name or alias.
    public var selection: String = "all"
    /// `--mirror` entries (`URL` or `DATASET=URL`), highest precedence.
    public var mirrors: [String] = []
    /// Only file:// sources.
    public var offline = false
    /// Files transferred at once.
    public var jobs = 4
    /// Keep valid content that matches no known version (recorded as "unknown").
    public var acceptUnknown = false
    /// Make the fetched version live even when another version of the dataset is live.
    public var activate = false
    /// Seconds to wait for another process's workspace lock (nil: wait as long as it takes);
    /// 0…``maxLockTimeout``, finite.
    public var lockTimeout: TimeInterval? = nil
    /// The longest `--lock-timeout` accepted: a week.
    public static let maxLockTimeout: TimeInterval = 7 * 24 * 3600
    public var settings = TransferSettings()
    /// Polled by every transfer and backoff wait; when set, the fetch stops, keeps its partial
    /// files, places nothing and reports `.interrupted` (exit 130).
    public var cancellation: Cancellation? = nil
    /// Let SIGINT (Ctrl-C) and SIGTERM set the cancellation while the transfers run (the CLI does).
    public var stopOnSignals = false
    /// The command's arguments after the program name, quoted into the resume command.
    public var commandLine: [String]? = nil
    /// `fetch --locked`: fetch exactly these versions (``ProjectLock``), replacing `selection`. Their
    /// files are the only ones accepted (an unknown pinned version needs no `--accept-unknown`),
    /// their mirrors come before the manifest's, and each becomes live. Anything else is refused (exit 3).
    public var pinned: [PinnedVersion] = []
    /// `--artifact LOADER`: after the four files, also fetch the version's artifact for each loader
    /// (`keras`: keras's `mnist.npz`), for every selected dataset whose manifest has one.
    public var artifacts: [String] = []

    public init() {}

    /// `fetch --locked` fetches what the lock pins: naming a dataset (other than `all`) or
    /// passing `--accept-unknown` with it is a usage error.
    public static func checkLocked(selection: String, acceptUnknown: Bool) throws {
        if selection != "all" { throw UsageError("--locked fetches what the lock pins; do not name a dataset (\(selection))") }
        if acceptUnknown { throw UsageError("--locked accepts exactly the pinned versions; drop --accept-unknown") }
    }
}

/// `fmnist fetch`: downloads the four files of each selected dataset from its mirrors, verifying
/// every byte as it arrives, then installs them into the store, places them live atomically and
/// records the version, its provenance and a fetch event in the catalog — all under the
/// workspace lock, so that concurrent fetches download each file once.
///
/// Data already present and verified is not downloaded again; files found in the store (an
/// earlier version) or complete in `.fmnist/partial` are reused. A dataset that cannot be
/// completed leaves its live folder and the catalog as they were.
///
/// ```swift
/// var options = FetchOptions()
/// options.selection = "fashion"
/// options.mirrors = ["http://127.0.0.1:8080/fashion-mnist/"]
/// let report = try FetchService(layout: layout, registry: registry, options: options).run()
/// print(report.datasets[0].message)
/// ```
public final class FetchService: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry
    public let options: FetchOptions
    let environment: [String: String]
    let emit: @Sendable (FetchEvent) -> Void
    /// The run's mirror secrets (``MirrorAccess``), known once the configuration is read.
    private let mirrorAccess = LockedBox(MirrorAccess())
    /// `options.settings` with the run's mirror secrets: what every transfer gets.
    var transferSettings: TransferSettings {
        var settings = options.settings
        settings.access = mirrorAccess.withLock { $0 }
        return settings
    }

    /// What each download of this run shares.
    func downloadContext(_ cancellation: Cancellation) -> DownloadContext {
        DownloadContext(offline: options.offline, settings: transferSettings, cancellation: cancellation, emit: emit)
    }

    public init(
        layout: WorkspaceLayout, registry: ManifestRegistry, options: FetchOptions,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        onEvent: @escaping @Sendable (FetchEvent) -> Void = { _ in }
    ) {
        self.layout = layout
        self.registry = registry
        self.options = options
        self.environment = environment
        self.emit = onEvent
    }

    /// Runs the fetch. Data problems (mirrors failing, unknown content) are reported in the
    /// result's `exitStatus`; usage, lock and file-system problems are thrown.
    public func run() throws -> FetchReport {
        let started = DispatchTime.now().uptimeNanoseconds
        guard (1...32).contains(options.jobs) else {
            throw UsageError("--jobs \(options.jobs) is out of range", hint: "give a number of parallel downloads from 1 to 32")
        }
        if let timeout = options.lockTimeout, !(timeout.isFinite && (0...FetchOptions.maxLockTimeout).contains(timeout)) {
            throw UsageError(
                "--lock-timeout \(timeout) is out of range",
                hint: "give the seconds to wait for another fmnist process, from 0 to \(Int(FetchOptions.maxLockTimeout)), or leave it out to wait as long as it takes")
        }
        let manifests = options.pinned.isEmpty
            ? try registry.select(options.selection)
            : try options.pinned.map { try registry.manifest(named: $0.dataset).pinned(to: $0) }
        try Self.checkArtifacts(options.artifacts, for: manifests)
        let config = try WorkspaceConfig.load(layout, registry: registry, environment: environment)
        let mirrorLists = try MirrorResolver.resolve(
            for: manifests, commandLine: options.mirrors, environment: environment, config: config, registry: registry)
        let secrets = try MirrorResolver.access(
            for: manifests, commandLine: options.mirrors, environment: environment, config: config, registry: registry)
        mirrorAccess.withLock { $0 = secrets }

        let lock: WorkspaceLock
        do {
            lock = try WorkspaceLock.acquire(layout, command: "fetch", timeout: options.lockTimeout) { message in
                self.emit(.waitingForLock(message: message))
            }
        } catch let error as WorkspaceError {
            // A workspace fmnist cannot write to (read-only media, another user's folder) that
            // already holds every file verified needs nothing written: that is success.
            guard case .lockFailed = error, let present = presentWithoutWriting(manifests, mirrors: mirrorLists, started: started) else {
                throw error
            }
            return present
        }
        defer { lock.release() }
        // Signals are taken over only while the lock is held: before it, Ctrl-C ends the wait at once.
        let cancellation = options.cancellation ?? Cancellation()
        let signals = options.stopOnSignals ? cancellation.cancelOnSignals() : nil
        defer { signals?.stop() }
        // Read-only media take the lock (an advisory flock needs no write) but no folder or catalog
        // write: fine when every file is here and verified, since nothing needs writing.
        if access(layout.privateDirectory.path, W_OK) != 0,
            let present = presentWithoutWriting(manifests, mirrors: mirrorLists, started: started)
        {
            return present
        }
        do {
            try layout.createPrivateDirectories()
        } catch let error as WorkspaceError {
            throw error  // e.g. a foreign symlink: its own message names the path and what to do
        } catch {
            // Read-only media can hold the lock file but not new folders: fine when nothing is to be written.
            if let present = presentWithoutWriting(manifests, mirrors: mirrorLists, started: started) { return present }
            if let error = error as? WorkspaceError { throw error }
            throw WorkspaceError.fileSystem(
                operation: "create directory", path: layout.privateDirectory.path, detail: ErrorReason.describe(error))
        }
        let catalog = try Catalog.open(layout)
        defer { catalog.close() }
        // 0. A catalog that lost versions (or live rows) whose verified files are still here is
        // rebuilt first; what it called live before is kept, to say what was recorded again.
        var liveBefore: [String: String] = [:]
        for manifest in manifests { liveBefore[manifest.name] = try catalog.liveVersion(dataset: manifest.name)?.versionID }
        try CatalogRecovery(layout: layout, registry: registry, catalog: catalog).run()
        var accepted = try catalog.acceptedUnknownPayloads()
        var admissions = try catalog.unknownAdmissions()
        for pinned in options.pinned where !pinned.known {
            accepted[pinned.dataset, default: []].formUnion(pinned.files.map(\.payload.sha256))
            for file in pinned.files { admissions[file.payload.sha256] = .lock }  // this run accepts them because the lock pins them
        }
        let judge = {
            var judge = DatasetVerifier(registry: registry, acceptedUnknownPayloads: accepted)
            judge.admissions = admissions
            return judge
        }()

        // 1. What is here already: the live version (proven, repaired from the store where needed),
        // a folder of files copied in by hand, then the store.
        var plans: [DatasetPlan] = []
        for manifest in manifests {
            let plan = try plan(manifest, mirrors: mirrorLists[manifest.name]!, judge: judge, catalog: catalog)
            if let present = plan.present {
                plan.recordedAsLive = present.recordedAsLive || liveBefore[manifest.name] != present.version.id
            }
            plans.append(plan)
        }

        // 2. Download what is missing: all files of all datasets share one bounded pool.
        let jobs = plans.flatMap { plan in plan.downloads.map { (plan, $0) } }
        let outcomes = LockedBox([FileFetchOutcome?](repeating: nil, count: jobs.count))
        let fatal = LockedBox<Error?>(nil)
        let order = jobs.indices.sorted { jobs[$0].1.expectedSize > jobs[$1].1.expectedSize }
        let options = self.options
        let workspace = self.layout
        let emit = self.emit
        WorkLoop.run(count: jobs.count, width: options.jobs, order: order) { index in
            let (plan, target) = jobs[index]
            if fatal.withLock({ $0 != nil }) || cancellation.isCancelled { return }
            let fetcher = FileFetcher(
                target: target, manifest: plan.manifest, mirrors: plan.mirrors.mirrors, acceptUnknown: options.acceptUnknown,
                judge: judge, layout: workspace, context: self.downloadContext(cancellation))
            do {
                let outcome = try fetcher.run()
                switch outcome {
                case .success(let file): emit(.finished(target, file.report))
                case .failure(let failure): emit(.finished(target, failure.report))
                case .interrupted: break
                }
                outcomes.withLock { $0[index] = outcome }
            } catch {
                fatal.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = fatal.withLock({ $0 }) {
            for plan in plans { plan.discardReused() }
            throw error
        }
        if cancellation.isCancelled && !jobs.isEmpty {
            for plan in plans { plan.discardReused() }
            let transferred = outcomes.withLock { results in
                results.reduce(Int64(0)) { sum, outcome in
                    switch outcome {
                    case .success(let file)?: return sum + file.report.bytesDownloaded
                    case .failure(let failure)?: return sum + failure.report.bytesDownloaded
                    case .interrupted(_, let bytes)?: return sum + bytes
                    case nil: return sum
                    }
                }
            }
            return interrupted(plans, targets: jobs.map(\.1), transferred: transferred, started: started)
        }

        // 3. Complete each dataset: refuse, or install, record and place it.
        let results = outcomes.withLock { $0 }
        var reports: [DatasetFetchReport] = []
        for plan in plans {
            var fetched: [FetchedFile] = []
            var failures: [FileFetchFailure] = []
            for (index, job) in jobs.enumerated() where job.0.manifest.name == plan.manifest.name {
                switch results[index] {
                case .success(let file)?: fetched.append(file)
                case .failure(let failure)?: failures.append(failure)
                case .interrupted?, nil: break
                }
            }
            var report = try complete(plan, fetched: fetched, failures: failures, catalog: catalog)
            if report.exitStatus == .success, !cancellation.isCancelled {
                try fetchArtifacts(into: &report, manifest: plan.manifest, mirrors: plan.mirrors, catalog: catalog, cancellation: cancellation)
            }
            emit(.datasetDone(report))
            reports.append(report)
        }
        // 4. A workspace without a drop-in link yet gets one, so that `smoke-train`, `preview` and
        // code reading data/current work right after a first fetch. An existing data/current (even
        // one that dangles) is never touched: only `switch` changes what it serves. The data is in
        // place by now: a link that cannot be made leaves things as before, never fails the fetch.
        let currentCreated = (try? createCurrentIfMissing(reports, catalog: catalog)) ?? nil
        let status: ExitStatus
        if reports.contains(where: { $0.exitStatus == .interrupted }) {
            status = .interrupted
        } else if reports.contains(where: { $0.exitStatus == .fetchFailed }) {
            status = .fetchFailed
        } else if let other = reports.first(where: { $0.exitStatus != .success }) {
            status = other.exitStatus
        } else {
            status = .success
        }
        var report = FetchReport(
            datasets: reports, bytesDownloaded: reports.flatMap(\.files).reduce(0) { $0 + $1.bytesDownloaded },
            seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, exitStatus: status)
        report.currentCreated = currentCreated
        report.currentLinkPath = currentCreated.map { _ in layout.currentLink.path }
        return report
    }

    /// Points `data/current` at a dataset this fetch left live when nothing is at `data/current`
    /// yet: the first such dataset in the registry's order (Fashion-MNIST before MNIST, so
    /// `fetch all` gives Fashion-MNIST, the tool's default). Records it as a switch event. Returns
    /// the dataset, or nil when a link (or anything) is already there or no dataset is live.
    func createCurrentIfMissing(_ reports: [DatasetFetchReport], catalog: Catalog) throws -> String? {
        let current = layout.currentLink.standardizedFileURL.path
        var info = stat()
        guard lstat(current, &info) != 0, errno == ENOENT else { return nil }
        let links = LinkSwitcher(layout: layout)
        let live = reports.filter { $0.exitStatus == .success && ($0.status == .fetched || $0.status == .present) }.compactMap { report -> (String, String)? in
            let folder = layout.liveDirectory(dataset: report.dataset)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue,
                let versionID = try? catalog.liveVersion(dataset: report.dataset)?.versionID
            else { return nil }
            return (report.dataset, versionID)
        }
        guard let (dataset, versionID) = registry.manifests.lazy.compactMap({ manifest in live.first { $0.0 == manifest.name } }).first
        else { return nil }
        let text = try links.flip(link: layout.currentLink, to: layout.liveDirectory(dataset: dataset))
        FilePaths.syncDirectory(layout.root.path)
        try catalog.recordSwitch(
            dataset: dataset, versionID: versionID, links: [(current, text)],
            details: SwitchDetails(deep: false, links: [current], problems: [], restored: []))
        return dataset
    }

    // MARK: - Read-only workspaces

    /// The report of a fetch with nothing to do, found without the lock or the catalog: every
    /// selected dataset's live folder verifies as a known version. Nil when anything is missing or
    /// not known (then something would have to be written, and the lock error stands).
    func presentWithoutWriting(_ manifests: [Manifest], mirrors: [String: MirrorList], started: UInt64) -> FetchReport? {
        // An artifact's proof needs the catalog; without writing, the lock error stands.
        guard options.artifacts.isEmpty else { return nil }
        let verifier = DatasetVerifier(registry: registry, acceptedUnknownPayloads: [:])
        let reports = verifier.verify(manifests.map { (layout.liveDirectory(dataset: $0.name), $0) })
        guard reports.allSatisfy({ $0.isValid && $0.versionShortID != nil }) else { return nil }
        let datasets = zip(manifests, reports).map { manifest, report in
            DatasetFetchReport(
                dataset: manifest.name, title: manifest.title, status: .present,
                message: "\(manifest.title) \(report.versionName ?? "") (\(report.versionShortID ?? "")): already present and verified, "
                    + "nothing downloaded (the workspace is not writable, and nothing needed writing)",
                mirrors: mirrors[manifest.name]!, versionID: report.versionID, versionShortID: report.versionShortID,
                versionName: report.versionName, path: report.path, files: [], exitStatus: .success)
        }
        return FetchReport(
            datasets: datasets, bytesDownloaded: 0, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
            exitStatus: .success)
    }

    // MARK: - Artifacts

    /// Refuses an unknown loader, and an artifact no selected dataset's manifest has.
    static func checkArtifacts(_ loaders: [String], for manifests: [Manifest]) throws {
        for loader in loaders {
            guard ManifestArtifact.knownLoaders.contains(loader) else {
                throw UsageError(
                    "--artifact \(loader): unknown loader",
                    hint: "give one of: \(ManifestArtifact.knownLoaders.sorted().joined(separator: ", ")) (e.g. fmnist fetch mnist --artifact keras)")
            }
            let having = manifests.filter { $0.versions.contains { $0.artifact(loader: loader) != nil } }
            if having.isEmpty || (manifests.count == 1 && having.count != 1) {
                let titles = manifests.map(\.title).joined(separator: ", ")
                throw UsageError(
                    "--artifact \(loader): \(titles) \(manifests.count == 1 ? "has" : "have") no \(loader) artifact in \(manifests.count == 1 ? "its manifest" : "their manifests")",
                    hint: loader == "keras"
                        ? "keras reads Fashion-MNIST's four .gz files (fmnist export keras writes them); only MNIST has one: fmnist fetch mnist --artifact keras"
                        : "run `fmnist fetch DATASET --artifact \(loader)` for a dataset whose manifest lists one")
            }
        }
    }

    /// Fetches the artifacts asked for of the dataset's fetched (or present) version, and folds their
    /// outcome into the dataset's report: exit 5 when every mirror failed, 3 when the pinned bytes'
    /// arrays are not the version's payloads, 130 when interrupted.
    private func fetchArtifacts(
        into report: inout DatasetFetchReport, manifest: Manifest, mirrors: MirrorList, catalog: Catalog, cancellation: Cancellation
    ) throws {
        let loaders = options.artifacts.filter { loader in manifest.versions.contains { $0.artifact(loader: loader) != nil } }
        guard !loaders.isEmpty, let versionID = report.versionID else { return }
        let recordAs = (try? registry.manifest(named: manifest.name)) ?? manifest
        guard let version = recordAs.versions.first(where: { $0.identity.full == versionID }) ?? manifest.versions.first(where: { $0.identity.full == versionID })
        else {
            for loader in loaders {
                report.artifacts.append(ArtifactFetchReport(
                    dataset: manifest.name, loader: loader, name: "", status: .unavailable, mirror: nil, skipped: [], bytesDownloaded: 0,
                    resumedFrom: 0, size: 0, sha256: "", path: nil, arrays: [],
                    message: "\(manifest.title) version \(report.versionShortID ?? "") is no version its manifest knows, so it has no \(loader) artifact",
                    exitStatus: .missing))
            }
            report.exitStatus = .missing
            return
        }
        let fetch = ArtifactFetch(layout: layout, catalog: catalog, context: downloadContext(cancellation))
        for loader in loaders {
            let artifact = try fetch.run(manifest: manifest, version: version, versionID: versionID, loader: loader, mirrors: mirrors)
            report.artifacts.append(artifact)
            if artifact.exitStatus != .success && report.exitStatus == .success { report.exitStatus = artifact.exitStatus }
        }
    }

    // MARK: - Interruption

    /// The report of a fetch stopped by Ctrl-C: what each partial file holds, and how to resume.
    /// Nothing was placed or recorded; complete but uninstalled files stay in `.fmnist/partial`
    /// and are verified (not downloaded) by the next run.
    private func interrupted(_ plans: [DatasetPlan], targets: [FileTarget], transferred: Int64, started: UInt64) -> FetchReport {
        let kept = targets.map { target in
            let partial = PartialDownload(layout: layout, dataset: target.dataset, name: target.name)
            return KeptPartial(
                dataset: target.dataset, name: target.name, path: partial.url.path, bytes: partial.size,
                expectedBytes: target.expectedSize)
        }
        let reports = plans.map { plan in
            let mine = kept.filter { $0.dataset == plan.manifest.name }
            let held = mine.reduce(Int64(0)) { $0 + $1.bytes }
            let expected = mine.reduce(Int64(0)) { $0 + $1.expectedBytes }
            let present = plan.present
            return datasetReport(
                plan, present != nil ? .present : .interrupted,
                present.map { "\(plan.manifest.title) \($0.label): already present and verified, nothing downloaded" }
                    ?? "\(plan.manifest.title) not fetched: interrupted; \(held) of \(expected) bytes kept in .fmnist/partial, nothing placed",
                files: plan.reused.map(\.1), exit: present != nil ? .success : .interrupted, version: present?.version)
        }
        return FetchReport(
            datasets: reports, bytesDownloaded: transferred, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
            exitStatus: .interrupted, kept: kept, resumeCommand: resumeCommand())
    }

    /// The command that resumes this fetch: the same arguments (quoted for a POSIX shell).
    func resumeCommand() -> String {
        let arguments = options.commandLine ?? ["fetch", options.selection, "--root", layout.root.path]
        return (["fmnist"] + arguments).map { Self.shellQuoted(RedactedURL.redact($0)) }.joined(separator: " ")
    }

    /// `word` as one POSIX shell word.
    static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0)) }
        if plain && !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    // MARK: - Planning

    /// One dataset's files: reused from the live version, a hand-filled folder or the store, or to download.
    final class DatasetPlan: @unchecked Sendable {
        let manifest: Manifest
        let mirrors: MirrorList
        /// Set when the live version is proven (and repaired where needed): nothing to do.
        var present: LiveCheck.Present?
        /// Whether the catalog did not call the present version live before this run.
        var recordedAsLive = false
        /// Why the live version could not be proven, when it could not.
        var liveProblems: [String] = []
        var reused: [(VerifiedFile, FileFetchReport)] = []
        var downloads: [FileTarget] = []

        init(manifest: Manifest, mirrors: MirrorList) {
            self.manifest = manifest
            self.mirrors = mirrors
        }

        /// Removes the temporary links made for reused files.
        func discardReused() {
            for (file, _) in reused { unlink(file.temporaryURL.path) }
        }
    }

    private func plan(_ manifest: Manifest, mirrors: MirrorList, judge: DatasetVerifier, catalog: Catalog) throws -> DatasetPlan {
        let plan = DatasetPlan(manifest: manifest, mirrors: mirrors)
        let liveCheck = LiveCheck(layout: layout, catalog: catalog)
        let pinned = options.pinned.first { $0.dataset == manifest.name }
        switch try liveCheck.run(manifest) {
        case .present(let present) where pinned.map({ $0.versionId == present.version.id }) ?? present.version.known:
            plan.present = present
            emit(.present(dataset: manifest.name, message: "\(present.label) verified; nothing to download"))
            return plan
        case .present:
            // Another version than the pinned one is live, or (unpinned) the live version is content no
            // manifest knows (kept with --accept-unknown): it stays live, and fetch still gets the pinned or
            // published version (stored, made live only with --activate).
            break
        case .damaged(let problems):
            plan.liveProblems = problems
        case .handFilledFolder(let directory) where pinned == nil:
            // Files copied into data/<dataset> by hand (or by an older fmnist): use them when they verify.
            let live = judge.verify(directory: directory, expecting: manifest)
            if live.isValid {
                for report in live.files {
                    guard let measurement = report.measurement else { continue }
                    let target = FileTarget(
                        dataset: manifest.name, datasetTitle: manifest.title, role: report.role, name: report.name,
                        expectedSize: measurement.containerSize)
                    plan.reused.append(try reuse(
                        directory.appendingPathComponent(report.name), target: target, measurement: measurement,
                        judgement: report, how: "taken from the files in \(directory.path)"))
                }
                return plan
            }
        case .absent, .handFilledFolder:
            break
        }
        let store = VersionStore(layout: layout)
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        let expected = manifest.defaultVersion
        for role in FileRole.allCases {
            let file = expected.file(role)
            let target = FileTarget(
                dataset: manifest.name, datasetTitle: manifest.title, role: role, name: file.name,
                expectedSize: file.container.size)
            // The store holds proven published bytes (an earlier fetch): no download.
            if let stored = try? store.url(containerSHA256: file.container.sha256),
                checker.check(stored, recorded: CatalogFile(file), classCount: manifest.classes.count).isProven,
                let measurement = try? FileVerifier.measure(
                    url: stored, payloadLimit: file.payload.size, classCount: manifest.classes.count)
            {
                let destination = layout.liveDirectory(dataset: manifest.name).appendingPathComponent(file.name)
                let judgement = judge.judge(measurement: measurement, role: role, url: destination, manifest: manifest)
                if judgement.status.isValid {
                    plan.reused.append(try reuse(stored, target: target, measurement: measurement, judgement: judgement, how: "taken from the store"))
                    continue
                }
            }
            plan.downloads.append(target)
        }
        return plan
    }

    /// Links a verified local file under `.fmnist/tmp/` so that the installer can take it.
    private func reuse(
        _ source: URL, target: FileTarget, measurement: FileMeasurement, judgement: FileReport, how: String
    ) throws -> (VerifiedFile, FileFetchReport) {
        let store = VersionStore(layout: layout)
        let temporary = try store.temporaryURL("reuse-\(target.name)")
        // A stored file may be hard-linked (the installer then finds it proven and drops the link);
        // anything else (a file the user put in data/<dataset>) is copied, so the store never
        // shares an inode with a file outside it.
        let fromStore = source.deletingLastPathComponent().standardizedFileURL == layout.storeDirectory.standardizedFileURL
        if !fromStore || link(source.path, temporary.path) != 0 {
            try VersionStore.copyFile(from: source.path, to: temporary.path)
        }
        let verified = VerifiedFile(role: target.role, name: target.name, temporaryURL: temporary, measurement: measurement)
        let report = FileFetchReport(
            dataset: target.dataset, role: target.role, name: target.name, status: .reused, mirror: nil, skipped: [],
            bytesDownloaded: 0, resumedFrom: 0, seconds: 0, verdict: judgement.status, message: "verified; \(how)",
            notes: judgement.notes, httpStatus: nil, etag: nil, lastModified: nil, measurement: measurement)
        return (verified, report)
    }

    // MARK: - Completion

    /// A dataset's line in the report: of a recorded `version`, or of an `identity` not recorded
    /// (named `name`), or of none.
    private func datasetReport(
        _ plan: DatasetPlan, _ status: DatasetFetchStatus, _ message: String, files: [FileFetchReport], exit: ExitStatus,
        version: CatalogVersion? = nil, identity: VersionIdentity? = nil, name: String? = nil
    ) -> DatasetFetchReport {
        DatasetFetchReport(
            dataset: plan.manifest.name, title: plan.manifest.title, status: status, message: message, mirrors: plan.mirrors,
            versionID: version?.id ?? identity?.full, versionShortID: version?.shortID ?? identity?.short,
            versionName: version?.name ?? name, path: layout.liveDirectory(dataset: plan.manifest.name).path, files: files,
            exitStatus: exit)
    }

    /// What the catalog's fetch event records.
    struct EventDetails: Encodable {
        let mirrors: MirrorList
        let files: [FileFetchReport]
    }

    private func complete(
        _ plan: DatasetPlan, fetched: [FetchedFile], failures: [FileFetchFailure], catalog: Catalog
    ) throws -> DatasetFetchReport {
        let manifest = plan.manifest
        if let present = plan.present {
            let files = present.files.map { file in
                FileFetchReport(
                    dataset: manifest.name, role: file.role, name: file.name, status: .present, mirror: nil, skipped: [],
                    bytesDownloaded: 0, resumedFrom: 0, seconds: 0, verdict: .ok,
                    message: present.repaired.contains(file.name) ? "restored from the store and verified" : "already present and verified",
                    notes: [], httpStatus: nil, etag: nil, lastModified: nil, measurement: nil)
            }
            var message = "\(manifest.title) \(present.label): already present and verified, nothing downloaded"
            if !present.repaired.isEmpty {
                message += "; restored \(present.repaired.sorted().joined(separator: ", ")) (found damaged) from verified copies"
            }
            if plan.recordedAsLive {
                message += "; recorded as live (the catalog did not call it live: an earlier run was interrupted, or the catalog lost it)"
            }
            var report = datasetReport(plan, .present, message, files: files, exit: .success, version: present.version)
            report.repaired = present.repaired
            return report
        }
        let fileReports = (plan.reused.map(\.1) + fetched.map(\.report) + failures.map(\.report)).sorted { $0.role < $1.role }
        let pinned = options.pinned.first { $0.dataset == manifest.name }
        if let pinned, !failures.isEmpty, failures.allSatisfy(\.sawUnknownContent) {
            plan.discardReused()
            let served = failures.flatMap { failure in failure.report.skipped.map { "\(failure.target.name) from \($0.url): \($0.reason)" } }
            return datasetReport(
                plan, .notPinned,
                "\(manifest.title) not fetched: no mirror served the pinned \(pinned.label) files "
                    + "(\(failures.map(\.target.name).sorted().joined(separator: ", "))); served instead: \(served.joined(separator: "; "))",
                files: fileReports, exit: .integrity)
        }
        if !failures.isEmpty {
            plan.discardReused()
            let onlyUnknown = failures.allSatisfy(\.sawUnknownContent)
            let names = failures.map(\.target.name).sorted().joined(separator: ", ")
            let message = onlyUnknown
                ? "\(manifest.title) not fetched: no mirror served a known version of \(names) (content of no known version refused)"
                : "\(manifest.title) not fetched: every mirror failed for \(names)"
            return datasetReport(
                plan, onlyUnknown ? .unknownRefused : .failed, message, files: fileReports, exit: onlyUnknown ? .unknownContent : .fetchFailed)
        }
        var verified = plan.reused.map(\.0)
        for file in fetched {
            verified.append(
                VerifiedFile(
                    role: file.target.role, name: file.target.name, temporaryURL: file.partial.url, measurement: file.measurement,
                    provenance: file.provenance))
        }
        let identity = VersionIdentity(
            payloadDigests: Dictionary(uniqueKeysWithValues: verified.map { ($0.role, $0.measurement.payloadSHA256) }))
        // A pinned fetch judges and records against the dataset's own manifest, not the pinned copy.
        let recordAs = pinned == nil ? manifest : ((try? registry.manifest(named: manifest.name)) ?? manifest)
        if let pinned, identity.full != pinned.versionId {
            plan.discardReused()
            let pinnedFiles = Dictionary(uniqueKeysWithValues: pinned.files.map { ($0.role, $0) })
            // Not the pinned bytes: a later run must not resume from them (pinned ones are kept).
            for file in fetched where pinnedFiles[file.target.role]?.payload.sha256 != file.measurement.payloadSHA256 { file.partial.discard() }
            let wrong = verified.filter { pinnedFiles[$0.role]?.payload.sha256 != $0.measurement.payloadSHA256 }.map { file in
                "\(file.name) is payload \(file.measurement.payloadSHA256.prefix(12))…, pinned \(pinnedFiles[file.role].map { String($0.payload.sha256.prefix(12)) } ?? "?")…"
            }
            return datasetReport(
                plan, .notPinned,
                "\(manifest.title) not placed: the mirrors served version \(identity.short), the lock pins \(pinned.label): "
                    + wrong.sorted().joined(separator: "; "),
                files: fileReports, exit: .integrity, identity: identity)
        }
        let knownName = recordAs.versions.first { $0.identity == identity }?.name
        let allAccepted = fileReports.allSatisfy { $0.verdict == .acceptedUnknown }
        let admission = VersionAdmission(acceptUnknown: options.acceptUnknown, pinned: pinned != nil, activate: options.activate)
        if !admission.admits(known: knownName != nil, acceptedBefore: allAccepted) {
            plan.discardReused()
            return datasetReport(
                plan, .unknownRefused, "\(manifest.title) not placed: the four files together (version \(identity.short)) match no known version",
                files: fileReports, exit: .unknownContent, identity: identity, name: "unknown")
        }
        let installer = VersionInstaller(layout: layout, catalog: catalog)
        let installed = try installer.commit(
            dataset: recordAs, files: verified, source: .fetch, eventDetails: EventDetails(mirrors: plan.mirrors, files: fileReports),
            activate: admission.activates, admitted: admission.admitted)
        for file in fetched { file.partial.removeSidecar() }
        let downloaded = fetched.filter { $0.report.status == .downloaded }.count
        let recompressed = fileReports.filter { $0.verdict == .recompressed }.count
        var message = "\(manifest.title) \(installed.version.label): "
        message += downloaded == 0
            ? "verified from local copies, nothing downloaded"
            : "fetched and verified (\(downloaded) downloaded, \(4 - downloaded) reused)".replacingOccurrences(of: ", 0 reused", with: "")
        if recompressed > 0 { message += "; \(recompressed) re-compressed by the mirror (same data, different container)" }
        if !installed.version.known { message += "; " + admission.unknownKept(earlier: installed.version.admitted) }
        message += installed.sentences(title: manifest.title, damagedLive: plan.liveProblems)
        var report = datasetReport(plan, .fetched, message, files: fileReports, exit: .success, version: installed.version)
        report.activated = installed.activated
        report.activateCommand = installed.activationCommand
        report.repaired = installed.repaired
        return report
    }
}
