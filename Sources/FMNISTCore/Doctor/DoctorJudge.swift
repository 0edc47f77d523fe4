import Foundation

/// Measures candidates (one streaming pass each, bounded by the integrity engine) and says what
/// each is against what its place calls for.
public struct DoctorJudge: Sendable {
    let registry: ManifestRegistry
    let index: KnownFileIndex
    /// Files opened for reading so far (the test of "only candidates are read" counts these).
    let opened = LockedBox(0)

    public init(registry: ManifestRegistry) {
        self.registry = registry
        index = KnownFileIndex(registry: registry)
    }

    public var filesOpened: Int { opened.withLock { $0 } }

    /// What one pass over a file gave.
    struct Measured: Sendable {
        let candidate: DoctorCandidate
        let place: LoaderPlace
        let compressed: Bool
        let measurement: FileMeasurement?
        let accessProblem: String?
        var known: (file: KnownFile, exactContainer: Bool)?
    }

    /// Judges every candidate; files are measured on both cores, largest first.
    public func judge(_ candidates: [DoctorCandidate]) -> [DoctorFinding] {
        let files = candidates.compactMap { candidate -> (DoctorCandidate, LoaderPlace)? in
            if case .file(let place) = candidate.kind { return (candidate, place) }
            return nil
        }
        let classCount = registry.manifests.map { $0.classes.count }.max() ?? 10
        let measured = files.parallelMap(cost: { _ in 0 }) { pair in measure(pair.0, pair.1, classCount: classCount) }
        // Where the folder does not say which dataset belongs (a flat TFDS manual dir), the
        // dataset most of its identified files belong to does.
        var votes: [String: [String: Int]] = [:]
        for item in measured where item.place.dataset == nil {
            if let known = item.known { votes[item.candidate.folder, default: [:]][known.file.dataset, default: 0] += 1 }
        }
        func inferred(_ folder: String) -> String? {
            guard let tally = votes[folder], let best = tally.max(by: { $0.value < $1.value }) else { return nil }
            return tally.values.filter { $0 == best.value }.count == 1 ? best.key : nil
        }
        var byPath: [String: DoctorFinding] = [:]
        for item in measured {
            byPath[item.candidate.path] = finding(item, expectedDataset: item.place.dataset ?? inferred(item.candidate.folder))
        }
        let npzFindings = candidates.compactMap { candidate -> (String, DoctorFinding)? in
            guard case .kerasNPZ(let dataset) = candidate.kind else { return nil }
            return (candidate.path, kerasNPZ(candidate, dataset: dataset))
        }
        for (path, finding) in npzFindings { byPath[path] = finding }
        return candidates.compactMap { candidate in
            if case .staleProcessed(let dataset) = candidate.kind { return stale(candidate, dataset: dataset) }
            return byPath[candidate.path]
        }
    }

    private func measure(_ candidate: DoctorCandidate, _ place: LoaderPlace, classCount: Int) -> Measured {
        opened.withLock { $0 += 1 }
        let url = URL(fileURLWithPath: candidate.path)
        let compressed = !FileVerifier.looksLikeUncompressedIDX(url)
        do {
            let m = try FileVerifier.measure(url: url, payloadLimit: index.largestPayload, classCount: classCount, compressed: compressed)
            var item = Measured(candidate: candidate, place: place, compressed: compressed, measurement: m, accessProblem: nil)
            if m.fault == nil {
                if !compressed, let known = index.identify(payloadSHA256: m.payloadSHA256, size: m.payloadSize) {
                    item.known = (known, false)
                } else if compressed, let (known, match) = index.identify(m) {
                    item.known = (known, match == .exactContainer)
                }
            }
            return item
        } catch let error as FileAccessError {
            return Measured(candidate: candidate, place: place, compressed: compressed, measurement: nil, accessProblem: error.problem)
        } catch {
            return Measured(candidate: candidate, place: place, compressed: compressed, measurement: nil, accessProblem: "\(error)")
        }
    }

    private func title(_ dataset: String?) -> String? {
        dataset.flatMap { name in registry.manifests.first { $0.name == name }?.title }
    }

    private func expectation(_ role: FileRole, dataset: String?) -> String {
        title(dataset).map { "\($0)'s \(role.fileStem)" } ?? role.fileStem
    }

    /// Faults that mean "this is not MNIST-format data at all" (as opposed to a damaged file).
    static func isNotData(_ fault: IntegrityFault) -> Bool {
        switch fault {
        case .empty, .htmlPage, .notGzip, .badIDXMagic, .badIDXHeader: return true
        default: return false
        }
    }

    private func finding(_ item: Measured, expectedDataset: String?) -> DoctorFinding {
        let place = item.place
        let loader = place.loader.rawValue
        func make(_ status: DoctorStatus, _ message: String, fault: String? = nil) -> DoctorFinding {
            DoctorFinding(
                path: item.candidate.path, status: status, loader: place.loader, identity: item.known?.file.description,
                dataset: item.known?.file.dataset, version: item.known?.file.version, role: item.known?.file.role,
                expected: expectation(place.role, dataset: expectedDataset), expectedDataset: expectedDataset,
                expectedRole: place.role, form: place.form, message: message, fault: fault,
                linkedThrough: item.candidate.linkedThrough, fix: nil)
        }
        let wanted = expectation(place.role, dataset: expectedDataset)
        if let problem = item.accessProblem { return make(.notData, "\(problem); not read") }
        guard let m = item.measurement else { return make(.notData, "could not be read") }
        if let fault = m.fault {
            return make(Self.isNotData(fault) ? .notData : .damaged, "\(fault.description) (\(loader) reads \(wanted) here)", fault: fault.code)
        }
        guard let (known, exact) = item.known else {
            let shape = m.idxDims.map(String.init).joined(separator: "×")
            return make(.unknown, "valid \(item.compressed ? "gzip-compressed" : "uncompressed") IDX \(shape) that matches no known version")
        }
        let version = "\(known.version)"
        if let expectedDataset, known.dataset != expectedDataset {
            return make(.otherDataset, "this is \(known) (\(version)), not \(wanted): \(loader) would read \(title(known.dataset) ?? known.dataset) as \(title(expectedDataset) ?? expectedDataset)")
        }
        if known.role != place.role {
            return make(.damaged, "this is \(known) (\(version)) where \(wanted) belongs: the wrong file for its name")
        }
        switch (place.form, item.compressed) {
        case (.gzip, false):
            return make(.damaged, "this is \(known) (\(version)), but uncompressed: \(loader) reads the .gz here")
        case (.uncompressed, true):
            return make(.damaged, "this is \(known) (\(version)), but gzip-compressed: \(loader) reads uncompressed IDX here")
        default: break
        }
        if place.needsPublishedContainer && !exact {
            return make(.damaged, "same data as \(known) (\(version)), but not the published .gz: TFDS checks its size and SHA-256 and refuses it")
        }
        let how = !item.compressed ? "the uncompressed payload of the published file" : exact ? "byte-identical to the published file" : "same data, different container"
        return make(.ok, "\(known) (\(version); \(how))")
    }

    /// keras's `mnist.npz`: `ok` only as the manifest's pinned file (keras deletes any other file
    /// there); otherwise what it holds instead, by content (``NPZFileReport``).
    private func kerasNPZ(_ candidate: DoctorCandidate, dataset: String) -> DoctorFinding {
        opened.withLock { $0 += 1 }
        let report = NPZFileReport.identify(url: URL(fileURLWithPath: candidate.path), registry: registry)
        let name = (candidate.path as NSString).lastPathComponent
        let arrays = report.arrays.compactMap(\.dataset)
        let holds = Set(arrays).count == 1 ? arrays.first : nil
        let status: DoctorStatus
        if report.publishedArtifact?.dataset == dataset && report.exitStatus == .success {
            status = .ok
        } else if report.fault != nil || report.status == .missing {
            status = report.faultCode == "truncated_zip" || report.faultCode == "crc_mismatch" ? .damaged : .notData
        } else if let holds, holds != dataset {
            status = .otherDataset
        } else if report.exitStatus == .success {
            status = .damaged  // the right arrays, but not the published file: keras refuses and deletes it
        } else {
            status = .unknown
        }
        let message = status == .damaged && report.fault == nil && !report.message.contains("refuse")
            ? "\(report.message); keras refuses a file that fails its pin and deletes it"
            : report.message
        var finding = DoctorFinding(
            path: candidate.path, status: status, loader: .keras,
            identity: report.publishedArtifact.map { "\($0.loader)'s \($0.name)" }, dataset: holds, version: report.arrays.first?.version,
            role: nil, expected: "keras's published \(name) (\(title(dataset) ?? dataset))", expectedDataset: dataset, expectedRole: nil,
            form: nil, message: message, fault: report.faultCode, linkedThrough: candidate.linkedThrough, fix: nil)
        finding.artifact = name
        return finding
    }

    private func stale(_ candidate: DoctorCandidate, dataset: String) -> DoctorFinding {
        let className = LoaderLayout.torchvisionRaw(dataset)[0]
        return DoctorFinding(
            path: candidate.path, status: .staleCache, loader: .torchvision, identity: nil, dataset: nil, version: nil, role: nil,
            expected: "no processed/ folder (torchvision reads raw/)", expectedDataset: dataset, expectedRole: nil, form: nil,
            message: "torchvision.datasets.\(className) loads processed/*.pt before raw/, so raw/ is ignored (a stale cache)",
            fault: nil, linkedThrough: candidate.linkedThrough, fix: nil)
    }
}
