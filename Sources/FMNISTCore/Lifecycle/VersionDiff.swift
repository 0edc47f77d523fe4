import Foundation

/// How one role's files of two versions compare.
public enum RoleVerdict: String, Sendable, Codable {
    /// Byte-identical containers.
    case identical
    /// The same decompressed payload in another gzip container.
    case samePayload = "same_payload"
    /// Different payloads.
    case different
}

/// One role of `fmnist diff`.
public struct RoleComparison: Sendable, Codable, Equatable {
    public let role: FileRole
    public let verdict: RoleVerdict
    public let aContainerSha256: String
    public let bContainerSha256: String
    public let aPayloadSha256: String
    public let bPayloadSha256: String
}

/// One matched image whose label differs.
public struct LabelChange: Sendable, Codable, Equatable {
    /// Index of the image in A's split and in B's.
    public let indexA: Int
    public let indexB: Int
    public let labelA: Int
    public let labelB: Int
    public let classA: String?
    public let classB: String?
}

/// Exact duplicate images inside one split of one version.
public struct DuplicateCount: Sendable, Codable, Equatable {
    /// Images that repeat an earlier image of the split (extra copies).
    public let duplicates: Int
    /// Distinct images that occur more than once.
    public let groups: Int
}

/// One split (train or test) of `fmnist diff`, images matched by content.
public struct SplitDiff: Sendable, Codable, Equatable {
    public let imagesA: Int
    public let imagesB: Int
    /// Images of A paired with an image of B with the same 784 bytes (each image pairs at most once).
    public let matched: Int
    public let onlyInA: Int
    public let onlyInB: Int
    /// Matched pairs whose labels differ.
    public let labelChanges: Int
    /// The first changes, by A's index (at most ``VersionDiffer/sampleLimit``).
    public let changedSample: [LabelChange]
    public let duplicatesInA: DuplicateCount
    public let duplicatesInB: DuplicateCount
}

/// Per side: what was compared, and images shared between its train and test splits (a leak).
public struct DiffSide: Sendable, Codable, Equatable {
    public let spec: String
    public let label: String
    public let dataset: String?
    public let versionId: String?
    public let path: String?
    /// Test images whose exact bytes also occur in the training split.
    public let testImagesInTrain: Int
}

/// The splits of a diff.
public struct DiffSplits: Sendable, Codable, Equatable {
    public let train: SplitDiff
    public let test: SplitDiff
}

/// `fmnist diff A B`.
public struct DiffReport: Sendable, Codable, Equatable {
    public let a: DiffSide
    public let b: DiffSide
    public let roles: [RoleComparison]
    public let splits: DiffSplits
    /// Every role identical or the same payload.
    public let sameData: Bool
    public let seconds: Double
}

/// Compares two versions by content: per role by digests, per split by a hash table of image
/// digests (``ImageDigest``), streaming each file once. Memory: 16 bytes per image plus the table.
///
/// ```swift
/// let report = try VersionDiffer(layout: layout, registry: registry).diff("fashion@915659908dce", "fashion@a1b2c3d4")
/// print(report.splits.train.labelChanges)
/// ```
public struct VersionDiffer: WorkspaceService {
    public static let sampleLimit = 20
    /// How many identical candidates are searched for one with the same label.
    static let labelSearchLimit = 256
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    public func diff(_ specA: String, _ specB: String, threads: Int = 2) throws -> DiffReport {
        let start = Date()
        let resolver = VersionSpecResolver(context: context)
        let sides = [try resolver.resolve(specA), try resolver.resolve(specB)]
        let jobs = sides.flatMap { side in FileRole.allCases.map { (side, $0) } }
        let manifests = registry.manifests
        let scans = jobs.parallelMap(threads: threads, cost: { $0.1.isImages ? 1 : 0 }) { job -> Result<ScannedIDX, FileAccessError> in
            let (side, role) = job
            let url = side.files[role]!
            let limit = side.recorded[role]?.payloadSize ?? StreamingVerifier.defaultPayloadLimit
            let classCount = manifests.first { $0.name == side.dataset }?.classes.count ?? 256
            do {
                let scanned = try IDXRecordScanner.scan(url: url, payloadLimit: limit, classCount: classCount)
                if let problem = side.recorded[role].flatMap({ RecordedFileCheck.problem(scanned.measurement, recorded: $0) }) {
                    return .failure(FileAccessError(
                        path: url.path, problem: "is not the recorded \(role.rawValue) of \(side.label): \(problem)",
                        exitStatus: .integrity, hint: "run `fmnist verify --repair` (or `fmnist fetch`) to restore it"))
                }
                if let fault = scanned.measurement.fault {
                    return .failure(FileAccessError(path: url.path, problem: fault.description, exitStatus: .integrity,
                                                    hint: "check the file with `fmnist verify \(url.path)`"))
                }
                return .success(scanned)
            } catch let error as FileAccessError {
                return .failure(error)
            } catch {
                return .failure(FileAccessError(path: url.path, problem: "\(error)"))
            }
        }
        var byRole: [[FileRole: ScannedIDX]] = [[:], [:]]
        for (index, outcome) in scans.enumerated() {
            byRole[index / 4][jobs[index].1] = try outcome.get()
        }
        let classes = sides.enumerated().map { index, side in
            classNames(dataset: side.dataset, scans: byRole[index])
        }
        let roles = FileRole.allCases.map { role -> RoleComparison in
            let a = byRole[0][role]!.measurement
            let b = byRole[1][role]!.measurement
            let verdict: RoleVerdict = a.containerSHA256 == b.containerSHA256
                ? .identical : a.payloadSHA256 == b.payloadSHA256 ? .samePayload : .different
            return RoleComparison(
                role: role, verdict: verdict, aContainerSha256: a.containerSHA256, bContainerSha256: b.containerSHA256,
                aPayloadSha256: a.payloadSHA256, bPayloadSha256: b.payloadSHA256)
        }
        let train = try split(byRole, images: .trainImages, labels: .trainLabels, classes: classes)
        let test = try split(byRole, images: .testImages, labels: .testLabels, classes: classes)
        let reportSides = sides.enumerated().map { index, side in
            DiffSide(
                spec: side.spec, label: side.label, dataset: side.dataset ?? identifiedDataset(byRole[index]), versionId: side.versionID,
                path: side.path,
                testImagesInTrain: Self.shared(byRole[index][.trainImages]!.digests, byRole[index][.testImages]!.digests))
        }
        return DiffReport(
            a: reportSides[0], b: reportSides[1], roles: roles, splits: DiffSplits(train: train, test: test),
            sameData: roles.allSatisfy { $0.verdict != .different }, seconds: Date().timeIntervalSince(start))
    }

    /// Matches the images of one split by content and compares the labels of the pairs.
    func split(_ scans: [[FileRole: ScannedIDX]], images: FileRole, labels: FileRole, classes: [[String]?]) throws -> SplitDiff {
        let digestsA = scans[0][images]!.digests, digestsB = scans[1][images]!.digests
        let labelsA = scans[0][labels]!.labels, labelsB = scans[1][labels]!.labels
        for (index, pair) in [(digestsA, labelsA), (digestsB, labelsB)].enumerated() where pair.0.count != pair.1.count {
            throw FileAccessError(
                path: index == 0 ? "A" : "B",
                problem: "\(images.rawValue) has \(pair.0.count) images but \(labels.rawValue) \(pair.1.count) labels",
                exitStatus: .integrity)
        }
        // B's images by digest: the indices not yet paired, in order.
        var table: [ImageDigest: [Int]] = [:]
        table.reserveCapacity(digestsB.count)
        for (index, digest) in digestsB.enumerated() { table[digest, default: []].append(index) }
        // Among identical images, pair those with equal labels first (a duplicate is not a label
        // change); the search is bounded so that a split of thousands of copies stays linear.
        var used = [Bool](repeating: false, count: digestsB.count)
        var firstFree: [ImageDigest: Int] = [:]
        var matched = 0, changes = 0
        var sample: [LabelChange] = []
        for (indexA, digest) in digestsA.enumerated() {
            guard let candidates = table[digest] else { continue }
            var start = firstFree[digest, default: 0]
            while start < candidates.count && used[candidates[start]] { start += 1 }
            firstFree[digest] = start
            guard start < candidates.count else { continue }
            let sameLabel = candidates[start..<min(candidates.count, start + Self.labelSearchLimit)].first {
                !used[$0] && labelsB[$0] == labelsA[indexA]
            }
            let indexB = sameLabel ?? candidates[start]
            used[indexB] = true
            matched += 1
            let a = Int(labelsA[indexA]), b = Int(labelsB[indexB])
            if a != b {
                changes += 1
                if sample.count < Self.sampleLimit {
                    sample.append(LabelChange(
                        indexA: indexA, indexB: indexB, labelA: a, labelB: b,
                        classA: classes[0].flatMap { a < $0.count ? $0[a] : nil }, classB: classes[1].flatMap { b < $0.count ? $0[b] : nil }))
                }
            }
        }
        return SplitDiff(
            imagesA: digestsA.count, imagesB: digestsB.count, matched: matched, onlyInA: digestsA.count - matched,
            onlyInB: digestsB.count - matched, labelChanges: changes, changedSample: sample,
            duplicatesInA: Self.duplicates(digestsA), duplicatesInB: Self.duplicates(digestsB))
    }

    static func duplicates(_ digests: [ImageDigest]) -> DuplicateCount {
        var counts: [ImageDigest: Int] = [:]
        counts.reserveCapacity(digests.count)
        for digest in digests { counts[digest, default: 0] += 1 }
        let repeated = counts.values.filter { $0 > 1 }
        return DuplicateCount(duplicates: repeated.reduce(0) { $0 + $1 - 1 }, groups: repeated.count)
    }

    /// How many of `test`'s images also occur in `train`.
    static func shared(_ train: [ImageDigest], _ test: [ImageDigest]) -> Int {
        let trainSet = Set(train)
        return test.reduce(0) { $0 + (trainSet.contains($1) ? 1 : 0) }
    }

    /// The class names of a side: its dataset's, or those of the dataset its label file is identified as.
    func classNames(dataset: String?, scans: [FileRole: ScannedIDX]) -> [String]? {
        let name = dataset ?? identifiedDataset(scans)
        return registry.manifests.first { $0.name == name }?.classes
    }

    /// The dataset any of a folder's payloads belongs to, by the manifests' pinned digests.
    func identifiedDataset(_ scans: [FileRole: ScannedIDX]) -> String? {
        let payloads = Set(scans.values.map(\.measurement.payloadSHA256))
        return registry.manifests.first { manifest in
            manifest.versions.contains { $0.files.contains { payloads.contains($0.payload.sha256) } }
        }?.name
    }
}
