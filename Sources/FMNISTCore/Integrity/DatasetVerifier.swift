import Foundation

/// Checks a folder of the four files against a dataset's manifest, and names what it finds.
///
/// ```swift
/// let verifier = DatasetVerifier(registry: registry)
/// let report = verifier.verify(directory: layout.liveDirectory(dataset: "fashion"), expecting: fashion)
/// print(report.verdict)    // "Fashion-MNIST 2017-08-31 (3f1a0c9be2d4): all 4 files verified"
/// ```
public struct DatasetVerifier: Sendable {
    public let registry: ManifestRegistry
    public let index: KnownFileIndex
    /// Payload digests of versions the user accepted as unknown (from the catalog), per dataset.
    public let acceptedUnknownPayloads: [String: Set<String>]
    /// Files measured at once (the machine's cores by default).
    public let threads: Int
    /// How each accepted unknown payload was admitted (by payload SHA-256), so that a note says
    /// what really happened: accepted with `--accept-unknown`, pinned by a lock, recovered.
    public var admissions: [String: UnknownAdmission?] = [:]

    public init(
        registry: ManifestRegistry, acceptedUnknownPayloads: [String: Set<String>] = [:],
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.registry = registry
        self.index = KnownFileIndex(registry: registry)
        self.acceptedUnknownPayloads = acceptedUnknownPayloads
        self.threads = max(1, threads)
    }

    /// Verifies several folders, measuring all their files in parallel (largest first).
    public func verify(_ requests: [(directory: URL, manifest: Manifest)]) -> [DatasetReport] {
        struct Job: Sendable {
            let request: Int
            let role: FileRole
            let url: URL
            let limit: Int64
            let classCount: Int
            let size: Int64
        }
        var jobs: [Job] = []
        for (requestIndex, request) in requests.enumerated() {
            let version = request.manifest.defaultVersion
            for role in FileRole.allCases {
                let file = version.file(role)
                let url = request.directory.appendingPathComponent(file.name)
                let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0
                // Bound decompression by the largest payload this role may have in any known version.
                let limit = request.manifest.versions.map { $0.file(role).payload.size }.max() ?? file.payload.size
                jobs.append(Job(request: requestIndex, role: role, url: url, limit: limit,
                                classCount: request.manifest.classes.count, size: size))
            }
        }
        let outcomes: [Result<FileMeasurement, FileAccessError>] = jobs.parallelMap(threads: threads, cost: { $0.size }) { job in
            do {
                return .success(try FileVerifier.measure(url: job.url, payloadLimit: job.limit, classCount: job.classCount))
            } catch let error as FileAccessError {
                return .failure(error)
            } catch {
                return .failure(FileAccessError(path: job.url.path, problem: "\(error)"))
            }
        }
        return requests.enumerated().map { requestIndex, request in
            let mine = jobs.indices.filter { jobs[$0].request == requestIndex }
            let files = mine.map { i in
                judge(outcome: outcomes[i], role: jobs[i].role, url: jobs[i].url, manifest: request.manifest)
            }
            return summarize(files: files, directory: request.directory, manifest: request.manifest)
        }
    }

    /// Verifies one folder against one manifest.
    public func verify(directory: URL, expecting manifest: Manifest) -> DatasetReport {
        verify([(directory, manifest)])[0]
    }

    /// Judges one measured file against the role it should fill in `manifest`.
    public func judge(outcome: Result<FileMeasurement, FileAccessError>, role: FileRole, url: URL, manifest: Manifest) -> FileReport {
        let name = url.lastPathComponent
        let measurement: FileMeasurement
        switch outcome {
        case .failure(let error):
            let isMissing = error.exitStatus == .missing
            return FileReport(role: role, name: name, path: url.path, status: isMissing ? .missing : .corrupt,
                              message: error.problem, identifiedAs: nil, measurement: nil, notes: [])
        case .success(let m):
            measurement = m
        }
        return judge(measurement: measurement, role: role, url: url, manifest: manifest)
    }

    /// Judges a measurement (from disk or from a download) against the role it should fill.
    public func judge(measurement m: FileMeasurement, role: FileRole, url: URL, manifest: Manifest) -> FileReport {
        let name = url.lastPathComponent
        func report(_ status: FileStatus, _ message: String, _ identified: String? = nil, notes: [String] = []) -> FileReport {
            FileReport(role: role, name: name, path: url.path, status: status, message: message, identifiedAs: identified,
                       measurement: m, notes: notes)
        }
        if let fault = m.fault {
            if Self.isDamagedPublishedFile(m, name: name, manifest: manifest) {
                return report(.corrupt, "damaged: differs from the published \(name) of the same size (\(m.containerSize) bytes); "
                    + "decompressing it then finds: \(fault.description)")
            }
            return report(.corrupt, fault.description)
        }
        if let (known, match) = index.identify(m) {
            if known.dataset == manifest.name && known.role == role {
                var notes: [String] = []
                if match == .samePayload {
                    notes.append("same data, different container (re-compressed by a mirror or distribution)")
                }
                if let problem = shapeProblem(m, expected: known.file, manifest: manifest, role: role) {
                    return report(.corrupt, problem)
                }
                return report(match == .exactContainer ? .ok : .recompressed,
                              "ok: " + Self.contentSummary(m, manifest: manifest, role: role)
                                  + (match == .exactContainer ? "" : " (same data, different container)"),
                              known.description, notes: notes)
            }
            let what = known.dataset == manifest.name
                ? "this is \(known.description), not \(role.fileStem)"
                : "this is \(known.description), not \(manifest.title)'s \(role.fileStem)"
            return report(.wrongFile, what, known.description)
        }
        if acceptedUnknownPayloads[manifest.name]?.contains(m.payloadSHA256) == true {
            return report(.acceptedUnknown, "ok (unknown content this workspace admitted)", nil,
                          notes: ["matches no known version; " + Self.admissionNote(admissions[m.payloadSHA256] ?? nil)])
        }
        let expected = manifest.defaultVersion.file(role)
        var detail = "valid IDX \(m.idxDims.map(String.init).joined(separator: "×")) but matches no known version of \(manifest.title)"
        if let problem = shapeProblem(m, expected: expected, manifest: manifest, role: role) {
            detail += " (\(problem))"
        } else if m.isLabels, m.labelHistogram != manifest.histogram.counts(for: role) {
            detail += " (class histogram differs from the published one)"
        }
        return report(.unknown, detail)
    }

    /// Why an accepted unknown file is accepted, as a note.
    static func admissionNote(_ admission: UnknownAdmission?) -> String {
        switch admission {
        case .acceptUnknown?: return "accepted earlier as unknown on request"
        case .lock?: return "unknown version, pinned by the lock file"
        case .recovered?: return "its version was recorded again from verified files after the catalog was lost"
        case nil: return "its version is recorded in this workspace's catalog as unknown"
        }
    }

    /// Whether `m` has the name and container size of a file `manifest` publishes but other bytes:
    /// a damaged copy of that file (a flipped byte), whatever decompressing it then runs into.
    static func isDamagedPublishedFile(_ m: FileMeasurement, name: String, manifest: Manifest) -> Bool {
        manifest.versions.flatMap(\.files).contains { file in
            file.name == name && file.container.size == m.containerSize && file.container.sha256 != m.containerSHA256
        }
    }

    /// e.g. "60000×28×28 images" or "10000 labels, 1000 per class as published".
    static func contentSummary(_ m: FileMeasurement, manifest: Manifest, role: FileRole) -> String {
        let dims = m.idxDims.map(String.init).joined(separator: "×")
        guard m.isLabels else { return "\(dims) images" }
        let published = manifest.histogram.counts(for: role)
        let asPublished = m.labelHistogram == published ? " as published" : " (histogram differs from the published one)"
        if let first = m.labelHistogram.first, m.labelHistogram.allSatisfy({ $0 == first }) {
            return "\(dims) labels, \(first) per class" + asPublished
        }
        return "\(dims) labels, \(m.labelHistogram.min() ?? 0)–\(m.labelHistogram.max() ?? 0) per class" + asPublished
    }

    /// Compares IDX shape and label histogram with what the manifest publishes.
    func shapeProblem(_ m: FileMeasurement, expected: ManifestFile, manifest: Manifest, role: FileRole) -> String? {
        if m.idxDims != expected.idx.dims {
            return "IDX dimensions \(m.idxDims) differ from the expected \(expected.idx.dims)"
        }
        if role.isImages == m.isLabels {
            return role.isImages ? "holds labels where images are expected" : "holds images where labels are expected"
        }
        return nil
    }

    /// Builds the verdict of a folder from its file reports.
    func summarize(files: [FileReport], directory: URL, manifest: Manifest) -> DatasetReport {
        let allValid = files.allSatisfy { $0.status.isValid }
        var versionID: VersionIdentity? = nil
        var versionName: String? = nil
        if allValid {
            let digests = Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.measurement!.payloadSHA256) })
            let identity = VersionIdentity(payloadDigests: digests)
            versionID = identity
            versionName = manifest.versions.first { $0.identity == identity }?.name ?? "unknown"
        }
        let status: ExitStatus
        let verdict: String
        if allValid {
            status = .success
            let recompressed = files.filter { $0.status == .recompressed }.count
            verdict = "\(manifest.title) \(versionName!) (\(versionID!.short)): all \(files.count) files verified"
                + (recompressed > 0 ? "; \(recompressed) re-compressed (same data, different container)" : "")
        } else if files.contains(where: { [.corrupt, .wrongFile, .unknown].contains($0.status) }) {
            status = .integrity
            let bad = files.filter { !$0.status.isValid && $0.status != .missing }
            let foreign = Set(bad.compactMap { $0.identifiedAs })
            verdict = "\(manifest.title) at \(directory.path) FAILED: \(bad.count) of \(files.count) files bad"
                + (foreign.isEmpty ? "" : " (found \(foreign.sorted().joined(separator: ", ")))")
        } else {
            status = .missing
            let missing = files.filter { $0.status == .missing }.count
            verdict = missing == files.count
                ? "\(manifest.title) is not present at \(directory.path)"
                : "\(manifest.title) at \(directory.path) is incomplete: \(missing) of \(files.count) files missing"
        }
        return DatasetReport(
            dataset: manifest.name, title: manifest.title, path: directory.path, files: files,
            versionID: versionID?.full, versionShortID: versionID?.short, versionName: versionName,
            verdict: verdict, exitStatus: status)
    }
}
