import Foundation

/// The library side of `fmnist verify`: resolves the target, verifies, and summarises.
public struct VerifyService: Sendable {
    public let context: WorkspaceContext
    /// The layouts a PATH is recognised as, turn by turn (every layout of ``LoaderFormats`` for
    /// `init(context:)`; none is needed to verify datasets by name).
    let formats: [any VerifyFormat]

    package init(context: WorkspaceContext, formats: [any VerifyFormat]) {
        self.context = context
        self.formats = formats
    }

    /// The result of verifying dataset folders.
    public struct DatasetsResult: Sendable, Codable {
        public let datasets: [DatasetReport]
        public let ok: Bool
        public let exitStatus: ExitStatus
        public let exitCode: Int32
        /// The payload folders that registered torchvision links show for the datasets verified
        /// (a framework may have written through the link); empty when there are none.
        public var frameworkLinks: [FrameworkLinkCheck] = []
        /// Datasets left out because this workspace does not hold them (`skipAbsent`: no live
        /// folder and no live version in the catalog); empty otherwise.
        public var notFetched: [String] = []
    }

    /// What a torchvision link (`PATH/<Class>/raw`) shows, checked file by file against the catalog.
    public struct FrameworkLinkCheck: Sendable, Codable {
        /// The symlink, `PATH/<Class>/raw`.
        public let path: String
        public let dataset: String
        public let versionID: String
        /// Files that are not the recorded payload ("name: why"); empty when the folder is proven.
        public let problems: [String]
        public let ok: Bool
    }

    public enum Outcome: Sendable {
        case file(SingleFileReport)
        case datasets(DatasetsResult)
        case payloadFolders(PayloadFolderReport)
        /// An `.npz` file, identified by content (keras's published `mnist.npz`, or arrays by payload digest).
        case npz(NPZFileReport)
        case loaderCache(LoaderCacheReport)
        case csvFile(SplitReport)
        case csvFolder(CSVFolderReport)
        /// One Parquet file of `export hf`, identified by content.
        case parquetFile(SplitReport)
        /// An export folder (`export png|hf|npz`), identified by content.
        case exportFolder(ExportFolderReport)
    }

    /// Runs verify on `fashion|mnist|all|PATH`.
    ///
    /// Workspace folders are checked against the manifests plus any unknown versions the user
    /// accepted earlier, and each result is recorded in the catalog as a `verify` event.
    ///
    /// `skipAbsent` (`fmnist verify` without an argument): a workspace dataset that was never
    /// fetched here (no `data/<dataset>` entry and no live version in the catalog) is left out and
    /// named in `notFetched` instead of counting as missing, unless no dataset is here at all.
    public func run(target: String, expectedDataset: String? = nil, skipAbsent: Bool = false) throws -> Outcome {
        // A PATH that is or passes through a symlink (data/current, data/fashion, a link of one's
        // own) is resolved once, here: every file is then read under that one real folder, so a
        // concurrent `switch` cannot make it read files of two datasets or versions.
        let given = resolvedOnce(target)
        if given.shown != nil {
            // Layouts told by folder names (a torchvision `<Class>/raw`, a keras `datasets/`, a TFDS
            // `manual/` that is itself a link) are recognised where the user pointed; each folder
            // is then read at its real path, resolved once.
            switch try VerifyTarget.resolve(target, layout: layout, registry: registry, formats: formats, expected: expectedDataset) {
            case .payloadFolders(let folders):
                var shownAs: [URL: URL] = [:]
                let real = folders.map { folder -> URL in
                    let read = URL(fileURLWithPath: FilePaths.real(folder.standardizedFileURL.path))
                    shownAs[read] = folder
                    return read
                }
                return .payloadFolders(PayloadFolderReport.verify(
                    real, root: URL(fileURLWithPath: target), registry: registry, followingSwitch: torchvisionLinkFolders(), shownAs: shownAs))
            case .loaderCache(let cache):
                func real(_ place: LoaderCache.Place) -> LoaderCache.Place {
                    LoaderCache.Place(dataset: place.dataset, url: URL(fileURLWithPath: FilePaths.real(place.url.standardizedFileURL.path)))
                }
                let resolved = LoaderCache(loader: cache.loader, root: cache.root, folders: cache.folders.map(real), npz: cache.npz.map(real))
                return .loaderCache(LoaderCacheReport.verify(resolved, registry: registry))
            default: break
            }
        }
        switch try VerifyTarget.resolve(
            given.read, layout: layout, registry: registry, formats: formats, expected: expectedDataset, named: given.named) {
        case .file(let url):
            if NPZFileReport.looksLikeNPZ(url) { return .npz(NPZFileReport.identify(url: url, registry: registry)) }
            return .file(SingleFileReport.identify(url: url, registry: registry))
        case .payloadFolders(let folders):
            return .payloadFolders(PayloadFolderReport.verify(
                folders, root: URL(fileURLWithPath: target), registry: registry, followingSwitch: torchvisionLinkFolders()))
        case .loaderCache(let cache):
            return .loaderCache(LoaderCacheReport.verify(cache, registry: registry))
        case .csvFile(let url):
            return .csvFile(SplitReport.identify(url: url, registry: registry))
        case .csvFolder(let folder, let files):
            return .csvFolder(CSVFolderReport.verify(folder: folder, files: files, registry: registry))
        case .parquetFile(let url):
            return .parquetFile(SplitReport.identify(url, layout: "hf", named: parquetSplitName(url.lastPathComponent), registry: registry, workspace: layout))
        case .exportFolder(let url):
            let parts = ExportFolderReport.parts(in: url) ?? ExportFolderReport.Parts()
            return .exportFolder(ExportFolderReport.verify(folder: url, parts: parts, registry: registry, workspace: layout))
        case .datasets(var requests):
            // A dataset name (or all) reads the workspace: a --root holding none says so.
            if requests.contains(where: { $0.directory == layout.liveDirectory(dataset: $0.manifest.name) }) {
                try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
            }
            let hasCatalog = FileManager.default.fileExists(atPath: layout.catalogFile.path)
            var accepted: [String: Set<String>] = [:]
            var liveInCatalog: Set<String> = []
            var admissions: [String: UnknownAdmission?] = [:]
            if hasCatalog {
                let catalog = try Catalog.openReadOnly(layout)
                accepted = try catalog.acceptedUnknownPayloads()
                admissions = try catalog.unknownAdmissions()
                for manifest in registry.manifests where try catalog.liveVersion(dataset: manifest.name) != nil {
                    liveInCatalog.insert(manifest.name)
                }
                catalog.close()
            }
            var notFetched: [String] = []
            if skipAbsent {
                let absent = requests.filter { request in
                    let live = layout.liveDirectory(dataset: request.manifest.name)
                    return request.directory == live && FilePaths.lstat(live.path) == nil && !liveInCatalog.contains(request.manifest.name)
                }.map(\.manifest.name)
                if absent.count < requests.count {
                    notFetched = absent
                    requests.removeAll { absent.contains($0.manifest.name) }
                }
            }
            // A live folder is resolved once (data/fashion -> .fmnist/versions/fashion/<id>), so a
            // concurrent switch cannot give a mix of two versions; reports keep the live path.
            let store = VersionStore(layout: layout)
            var shown: [Int: String] = [:]
            // The link is read once: the directory verified is the one of the version it shows.
            let resolved = requests.enumerated().map { index, request -> (directory: URL, manifest: Manifest) in
                guard request.directory == layout.liveDirectory(dataset: request.manifest.name) else { return request }
                if let id = store.liveLinkVersionID(dataset: request.manifest.name) {
                    shown[index] = id
                    return (layout.versionDirectory(dataset: request.manifest.name, versionID: id), request.manifest)
                }
                return (URL(fileURLWithPath: FilePaths.real(request.directory.path)), request.manifest)
            }
            let started = Date()
            var verifier = DatasetVerifier(registry: registry, acceptedUnknownPayloads: accepted)
            verifier.admissions = admissions
            let reports = zip(requests, verifier.verify(resolved)).map { request, report in
                // A resolved PATH is reported as the user gave it.
                report.relocated(to: given.shown.flatMap { request.directory.path == given.read ? URL(fileURLWithPath: $0) : nil } ?? request.directory)
            }
            let linkChecks = hasCatalog ? checkFrameworkLinks(datasets: Set(requests.map(\.manifest.name))) : []
            let status = ExitStatus.combine(reports.map(\.exitStatus) + (linkChecks.allSatisfy(\.ok) ? [] : [.integrity]))
            if hasCatalog {
                record(reports.enumerated().compactMap { index, report in
                    requests[index].directory == layout.liveDirectory(dataset: requests[index].manifest.name)
                        ? (report, shown[index]) : nil
                }, measuredSince: started)
            }
            var result = DatasetsResult(
                datasets: reports, ok: status == .success, exitStatus: status, exitCode: status.rawValue, frameworkLinks: linkChecks)
            result.notFetched = notFetched
            return .datasets(result)
        }
    }

    /// The path to read for `target`: `target` itself, or, when it is a PATH that is or passes
    /// through a symlink, its real path (resolved once), with the path to show and the folder name to
    /// go by (the given name, or the dataset of a version folder of this workspace).
    func resolvedOnce(_ target: String) -> (read: String, shown: String?, named: String?) {
        let lower = target.lowercased()
        guard lower != "all", lower != "current", target.contains("/") || (try? registry.manifest(named: target)) == nil else {
            return (target, nil, nil)
        }
        let absolute = URL(fileURLWithPath: target).standardizedFileURL.path
        guard DoctorPaths.firstSymlink(in: absolute) != nil, let real = realpath(absolute, nil) else { return (target, nil, nil) }
        defer { free(real) }
        let read = String(cString: real)
        let folder = URL(fileURLWithPath: read)
        let versions = FilePaths.real(layout.versionsDirectory.standardizedFileURL.path)
        let named = folder.deletingLastPathComponent().deletingLastPathComponent().path == versions
            ? folder.deletingLastPathComponent().lastPathComponent : URL(fileURLWithPath: absolute).lastPathComponent
        return (read, target, named)
    }

    /// Checks the payload folder each registered torchvision link shows, for links showing one of
    /// `datasets` (fingerprints trusted, changed files re-hashed; nothing is written).
    func checkFrameworkLinks(datasets: Set<String>) -> [FrameworkLinkCheck] {
        guard let catalog = try? Catalog.openReadOnly(layout) else { return [] }
        defer { catalog.close() }
        let links = LinkSwitcher(layout: layout)
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        var checks: [FrameworkLinkCheck] = []
        for path in torchvisionLinkFolders().sorted() {
            guard let destination = links.destination(of: URL(fileURLWithPath: path)), let dataset = links.payloadDataset(of: destination),
                datasets.contains(dataset), let manifest = try? registry.manifest(named: dataset)
            else { continue }
            let versionID = destination.lastPathComponent
            guard let files = try? catalog.files(versionID: versionID), !files.isEmpty else { continue }
            var problems: [String] = []
            for file in files {
                let name = PayloadStore.payloadName(file.name)
                let url = destination.appendingPathComponent(name)
                switch checker.check(url, recorded: file, classCount: manifest.classes.count, compressed: false) {
                case .proven: break
                case .missing: problems.append("\(name): missing")
                case .damaged(let why): problems.append("\(name): \(why)")
                }
            }
            checks.append(FrameworkLinkCheck(path: path, dataset: dataset, versionID: versionID, problems: problems, ok: problems.isEmpty))
        }
        return checks
    }

    /// The symlinks of every registered link that show the payloads (torchvision's `raw`) and are
    /// still fmnist's (standardized paths).
    func torchvisionLinkFolders() -> Set<String> {
        guard FileManager.default.fileExists(atPath: layout.catalogFile.path), let catalog = try? Catalog.openReadOnly(layout) else { return [] }
        defer { catalog.close() }
        let links = LinkSwitcher(layout: layout)
        let registered = (try? catalog.registeredLinkLayouts(in: layout)) ?? []
        return Set(registered.compactMap { registration in linkPlacements.known(registration.layout).map { (registration.path, $0) } }
            .flatMap { path, layout in linkPlacements.placements(layout, root: path, registry: registry) }
            .filter { $0.shows == .payloads && links.problem(of: $0) == nil && links.isOurs($0.path) }
            .map { URL(fileURLWithPath: $0.path).standardizedFileURL.path })
    }

    /// `fmnist verify --repair`: under the workspace lock, records again every verified version the
    /// catalog lost, re-hashes every recorded version (store, version directory and, when made, its
    /// uncompressed payloads for torchvision links) and restores
    /// each damaged or missing copy from the other, and puts back a missing live link. Returns what
    /// it did; then verify as usual.
    public func repair(lockTimeout: TimeInterval? = nil, progress: (String) -> Void = { _ in }) throws -> RepairReport {
        let session = try WorkspaceSession.open(context, command: "verify --repair", lockTimeout: lockTimeout, onWait: progress)
        defer { session.close() }
        let catalog = session.catalog, recovered = session.recovered
        let store = VersionStore(layout: layout)
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        var restored: [String] = []
        var unrepairable: [String] = []
        for manifest in registry.manifests {
            for version in try catalog.versions(dataset: manifest.name) {
                let files = try catalog.files(versionID: version.id)
                guard files.count == FileRole.allCases.count else { continue }
                progress("re-hashing \(manifest.title) \(version.label)")
                do {
                    let prepared = try store.prepareVersion(
                        dataset: manifest.name, versionID: version.id, files: files, checker: checker,
                        classCount: manifest.classes.count, rehash: true)
                    restored += (prepared.restored + prepared.restoredStore).map { "\(manifest.name) \(version.shortID) \($0)" }
                    // The uncompressed payloads torchvision links show, when this version has them.
                    if FilePaths.lstat(layout.payloadDirectory(dataset: manifest.name, versionID: version.id).path) != nil {
                        let payloads = try PayloadStore(layout: layout).prepare(
                            dataset: manifest.name, versionID: version.id, files: files, checker: checker,
                            classCount: manifest.classes.count, rehash: true)
                        restored += payloads.restored.map { "\(manifest.name) \(version.shortID) \($0) (payload)" }
                    }
                    try catalog.recordEvent(
                        .verify, dataset: manifest.name, versionID: version.id, result: .ok,
                        details: ["note": "re-hashed by verify --repair"])
                } catch WorkspaceError.corruptStore(_, _, let problems) {
                    unrepairable += problems.map { "\(manifest.name) \(version.shortID) \($0)" }
                    try catalog.recordEvent(
                        .verify, dataset: manifest.name, versionID: version.id, result: .failed,
                        details: ["problems": problems.joined(separator: "; ")])
                }
            }
            if let live = try catalog.liveVersion(dataset: manifest.name)?.versionID, store.liveLinkVersionID(dataset: manifest.name) == nil,
                FilePaths.lstat(layout.liveDirectory(dataset: manifest.name).path) == nil
            {
                try store.pointLive(dataset: manifest.name, versionID: live)
                restored.append("\(manifest.name): the live link \(layout.liveDirectory(dataset: manifest.name).path)")
            }
        }
        return RepairReport(recovered: recovered.map(VersionSummary.init), restored: restored, unrepairable: unrepairable)
    }

    struct VerifyEventDetails: Encodable {
        let path: String
        let verdict: String
        let files: [String: String]
    }

    /// Records a `verify` event per workspace dataset; a catalog that cannot be written only
    /// loses the record, never the verification result.
    /// Records each live folder's verification against the version its live link shows (a failure
    /// then blocks the fast switch until it verifies again); a pass also records the files' fingerprints.
    ///
    /// A fingerprint is recorded only for a file whose ctime is well before the measurement began
    /// (`measuredSince`, less a margin for the kernel's coarse clock): a file written while it was
    /// being read could otherwise be remembered as proven with content that was never measured.
    func record(_ reports: [(DatasetReport, String?)], measuredSince: Date) {
        let limit = Int64((measuredSince.timeIntervalSince1970 - Self.fingerprintMargin) * 1_000_000_000)
        guard !reports.isEmpty, let catalog = try? Catalog.open(layout) else { return }
        defer { catalog.close() }
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        for (report, shownID) in reports where report.exitStatus != .missing || report.files.contains(where: { $0.status != .missing }) {
            let details = VerifyEventDetails(
                path: report.path, verdict: report.verdict,
                files: Dictionary(uniqueKeysWithValues: report.files.map { ($0.role.rawValue, $0.message) }))
            let passed = report.isValid && (shownID == nil || shownID == report.versionID)
            _ = try? catalog.recordEvent(
                .verify, dataset: report.dataset, versionID: shownID ?? report.versionID, result: passed ? .ok : .failed,
                details: details)
            guard passed, let id = shownID else { continue }
            let directory = layout.versionDirectory(dataset: report.dataset, versionID: id)
            for file in report.files {
                let url = directory.appendingPathComponent(file.name)
                if let measurement = file.measurement, let now = FileFingerprint(path: url.path), now.changedNanoseconds < limit {
                    checker.remember(url, payloadSHA256: measurement.payloadSHA256)
                }
            }
        }
    }

    /// Seconds before a verification's start that a file must have last changed for its fingerprint
    /// to be recorded by that verification.
    static let fingerprintMargin: TimeInterval = 2

    /// What `verify --repair` did.
    public struct RepairReport: Sendable, Codable {
        /// Versions recorded again from their verified files (the catalog had lost them).
        public let recovered: [VersionSummary]
        /// Copies restored from a verified copy ("dataset id file").
        public let restored: [String]
        /// Files with no good copy left ("dataset id file: why"): fetch them again.
        public let unrepairable: [String]
    }
}
