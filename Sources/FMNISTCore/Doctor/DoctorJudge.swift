import Foundation

/// Measures candidates (one streaming pass each, bounded by the integrity engine) and says what
/// each is against what its place calls for.
public struct DoctorJudge: Sendable {
    let registry: ManifestRegistry
    let index: KnownFileIndex
    /// Files opened for reading so far (the test of "only candidates are read" counts these).
    let opened = LockedBox(0)

    /// fmnist's own framework links (`switch --link`, registered in the catalog) by their
    /// ``DoctorPaths/canonical(_:)`` path, with the dataset each shows now.
    let fmnistLinks: [String: String]

    public init(registry: ManifestRegistry, fmnistLinks: [String: String] = [:]) {
        self.registry = registry
        self.fmnistLinks = fmnistLinks
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

    /// Which dataset a folder's files are judged against, and how that was decided.
    struct Basis: Equatable {
        var dataset: String?
        var from: DatasetBasis?
        /// What the folder's name alone suggests (`MNIST_data` → mnist), when the place is not certain.
        var nameSays: String?
        /// Known files by dataset, when they are of several datasets and nothing decides between them.
        var mixed: [String: Int]?
    }

    /// Judges every candidate; files are measured on both cores, largest first.
    public func judge(_ candidates: [DoctorCandidate]) -> [DoctorFinding] {
        let files = candidates.compactMap { candidate -> (DoctorCandidate, LoaderPlace)? in
            if case .file(let place) = candidate.kind { return (candidate, place) }
            return nil
        }
        let measured = files.parallelMap(cost: { _ in 0 }) { pair in measure(pair.0, pair.1) }
        // One basis per folder (and loader): the place's own word, fmnist's link, or the files.
        var groups: [String: [Measured]] = [:]
        for item in measured { groups[Self.groupKey(item), default: []].append(item) }
        let bases = groups.mapValues(basis)
        var byPath: [String: DoctorFinding] = [:]
        for item in measured {
            byPath[item.candidate.path] = finding(item, basis: bases[Self.groupKey(item)] ?? Basis())
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

    static func groupKey(_ item: Measured) -> String {
        "\(item.candidate.folder)\u{0}\(item.place.loader.rawValue)\u{0}\(item.place.dataset ?? "-")"
    }

    /// Whether the loader's own folder structure names the dataset (the folder is not merely
    /// named like a cache): a place found among the loaders' own folders (``DoctorTurn/loaderFolder``:
    /// torchvision's class folder, keras's `datasets/fashion-mnist`, swift-models' class folder,
    /// TFDS's builder folder, a TFDS download named after its URL) that says a dataset.
    static func isCertain(_ candidate: DoctorCandidate, place: LoaderPlace) -> Bool {
        candidate.placedIn == .loaderFolder && place.dataset != nil
    }

    /// The basis of one folder's files (all of one folder, loader and place dataset).
    func basis(_ items: [Measured]) -> Basis {
        guard let first = items.first else { return Basis() }
        let place = first.place
        if let shown = fmnistLinks[DoctorPaths.canonical(first.candidate.folder)] {
            return Basis(dataset: shown, from: .fmnistLink)
        }
        if first.candidate.inWorkspace || Self.isCertain(first.candidate, place: place) {
            return Basis(dataset: place.dataset, from: place.dataset == nil ? nil : .place)
        }
        // A TFDS download cache holds every dataset's downloads side by side: no vote there.
        if place.loader == .tfdsDownloads { return Basis() }
        let named = place.dataset
        var counts: [String: Int] = [:]
        for item in items { if let known = item.known { counts[known.file.dataset, default: 0] += 1 } }
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return Basis(dataset: named, from: named == nil ? nil : .folderName, nameSays: named) }
        if counts.count == 1, let only = counts.keys.first {
            // A consistent set of one dataset, whatever the folder is called: the user's choice.
            return Basis(dataset: only, from: .files, nameSays: named)
        }
        // Several datasets: the one holding a strict majority, when the name does not say otherwise,
        // makes the others intruders (a single file of the other dataset mixed in).
        if let top = counts.max(by: { $0.value < $1.value }), top.value * 2 > total, named == nil || named == top.key {
            return Basis(dataset: top.key, from: .files, nameSays: named)
        }
        return Basis(nameSays: named, mixed: counts)
    }

    /// Labels are measured with every byte value allowed: a label file of more classes (EMNIST) is
    /// valid IDX of no known version, not a damaged file; a known file's labels are in range anyway.
    static let anyLabel = 256

    /// Whether a file starts like an uncompressed IDX file of any element type and rank
    /// (`00 00 <type> <rank>`), so that it is measured as one rather than as a broken `.gz`.
    static func startsLikeIDX(_ url: URL) -> Bool {
        let head = FileVerifier.head(of: url, count: 4)
        return head.count == 4 && head[0] == 0 && head[1] == 0 && [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(head[2]) && (1...8).contains(head[3])
    }

    private func measure(_ candidate: DoctorCandidate, _ place: LoaderPlace) -> Measured {
        opened.withLock { $0 += 1 }
        let url = URL(fileURLWithPath: candidate.path)
        let compressed = !Self.startsLikeIDX(url)
        do {
            let m = try FileVerifier.measure(url: url, payloadLimit: index.largestPayload, classCount: Self.anyLabel, compressed: compressed)
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

    /// What a fault says about valid IDX data of another kind (larger than any known file, another
    /// element type or rank), which is not proven damaged; nil for a fault that shows broken bytes.
    static func otherIDX(_ m: FileMeasurement, limit: Int64) -> String? {
        let idxTypes: [UInt8: String] = [0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int", 0x0D: "float", 0x0E: "double"]
        switch m.fault {
        case .decompressionBomb:
            // A complete IDX header that declares more than any known file holds: another dataset
            // (EMNIST's 697,932 images), read only up to the bound.
            guard m.idxDims.count == 1 || m.idxDims.count == 3,
                let declared = IDXStreamParser.declaredTotal(headerLength: 4 + 4 * m.idxDims.count, dims: m.idxDims), declared > limit
            else { return nil }
            let shape = m.idxDims.map(String.init).joined(separator: "×")
            return "an IDX header for \(shape) (\(declared) bytes), larger than any known file: read only up to \(limit) bytes"
        case .badIDXMagic(let found):
            // "0x" + four bytes in hex: 00 00 <type> <rank>.
            let hex = String(found.dropFirst(2))
            guard hex.count == 8, let magic = UInt32(hex, radix: 16), magic >> 16 == 0,
                let type = idxTypes[UInt8(truncatingIfNeeded: magic >> 8)], (1...8).contains(magic & 0xFF)
            else { return nil }
            return "an IDX header of \(type) elements in \(magic & 0xFF) dimension(s), not the 1 or 3 MNIST-format files have"
        case .badIDXHeader(let detail):
            let prefix = "element type 0x"
            guard detail.hasPrefix(prefix), let code = UInt8(String(detail.dropFirst(prefix.count).prefix(2)), radix: 16),
                let type = idxTypes[code]
            else { return nil }
            return "an IDX header of \(type) elements, not the unsigned bytes MNIST-format files hold"
        default: return nil
        }
    }

    private func finding(_ item: Measured, basis: Basis) -> DoctorFinding {
        let place = item.place
        let loader = place.loader.rawValue
        var expectedDataset = basis.dataset
        var expectedFrom = basis.from
        if basis.mixed != nil, let named = basis.nameSays, item.known?.file.dataset == named {
            // In a mixed folder a file of the dataset its name says is judged against that dataset.
            expectedDataset = named
            expectedFrom = .folderName
        }
        func make(_ status: DoctorStatus, _ message: String, fault: String? = nil) -> DoctorFinding {
            var finding = DoctorFinding(
                path: item.candidate.path, status: status, loader: place.loader, identity: item.known?.file.description,
                dataset: item.known?.file.dataset, version: item.known?.file.version, role: item.known?.file.role,
                expected: expectation(place.role, dataset: expectedDataset), expectedDataset: expectedDataset,
                expectedRole: place.role, form: place.form, message: message, fault: fault,
                linkedThrough: item.candidate.linkedThrough, fix: nil)
            finding.expectedFrom = expectedFrom
            return finding
        }
        let wanted = expectation(place.role, dataset: expectedDataset)
        if let problem = item.accessProblem { return make(.notData, "\(problem); not read") }
        guard let m = item.measurement else { return make(.notData, "could not be read") }
        if let fault = m.fault {
            if let other = Self.otherIDX(m, limit: index.largestPayload) {
                return make(.unknown, "valid \(item.compressed ? "gzip-compressed" : "uncompressed") data so far: \(other); no known version (\(loader) reads \(wanted) here)", fault: fault.code.rawValue)
            }
            return make(Self.isNotData(fault) ? .notData : .damaged, "\(fault.description) (\(loader) reads \(wanted) here)", fault: fault.code.rawValue)
        }
        guard let (known, exact) = item.known else {
            let shape = m.idxDims.map(String.init).joined(separator: "×")
            let labels = m.isLabels ? m.labelHistogram.lastIndex { $0 > 0 }.map { ", labels 0…\($0)" } ?? "" : ""
            return make(.unknown, "valid \(item.compressed ? "gzip-compressed" : "uncompressed") IDX \(shape)\(labels) that matches no known version (\(loader) reads \(wanted) here)")
        }
        let version = "\(known.version)"
        if let mixed = basis.mixed, known.dataset != expectedDataset {
            let others = mixed.filter { $0.key != known.dataset }.sorted { $0.key < $1.key }
                .map { "\($0.value) of \(title($0.key) ?? $0.key)" }.joined(separator: ", ")
            let name = basis.nameSays.map { "its name suggests \(title($0) ?? $0)" } ?? "its name does not say which dataset"
            return make(.otherDataset, "this is \(known) (\(version)), and the folder also holds known files of another dataset (\(others)); \(name), and nothing proves which files belong: \(loader) would read a mix")
        }
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
        var note = ""
        if expectedFrom == .fmnistLink {
            note = "; shown by a link `fmnist switch --link` keeps, which follows the active dataset (\(title(known.dataset) ?? known.dataset) now)"
        } else if expectedFrom == .files, let named = basis.nameSays, named != known.dataset {
            note = "; the folder's name suggests \(title(named) ?? named), but its known files are all \(title(known.dataset) ?? known.dataset)'s: read as the user's choice"
        }
        return make(.ok, "\(known) (\(version); \(how))\(note)")
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
            status = report.faultCode == .truncated || report.faultCode == .crcMismatch ? .damaged : .notData
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
            form: nil, message: message, fault: report.faultCode?.rawValue, linkedThrough: candidate.linkedThrough, fix: nil)
        finding.artifact = name
        finding.expectedFrom = .place
        return finding
    }

    private func stale(_ candidate: DoctorCandidate, dataset: String) -> DoctorFinding {
        let className = registry.manifests.first { $0.name == dataset }.map { LoaderLayout.torchvisionRaw($0)[0] } ?? dataset
        return DoctorFinding(
            path: candidate.path, status: .staleCache, loader: .torchvision, identity: nil, dataset: nil, version: nil, role: nil,
            expected: "no processed/ folder (torchvision reads raw/)", expectedDataset: dataset, expectedRole: nil, form: nil,
            message: "torchvision.datasets.\(className) loads processed/*.pt before raw/, so raw/ is ignored (a stale cache)",
            fault: nil, linkedThrough: candidate.linkedThrough, fix: nil, expectedFrom: .place)
    }
}
