import Foundation

/// One pinned dataset checked by `fmnist verify --locked`.
public struct LockedDatasetCheck: Sendable, Codable, Equatable {
    public let dataset: String
    public let pinnedVersionId: String
    public let pinnedLabel: String
    /// What the live folder holds (its files' version id), when it holds valid files.
    public let liveVersionId: String?
    /// The verify verdict of the live folder.
    public let verdict: String
    /// What differs from the lock; empty when the dataset is as pinned and verifies.
    public let drift: [String]
    public var ok: Bool { drift.isEmpty }

    enum CodingKeys: String, CodingKey { case dataset, pinnedVersionId, pinnedLabel, liveVersionId, verdict, drift, ok }

    init(dataset: String, pinnedVersionId: String, pinnedLabel: String, liveVersionId: String?, verdict: String, drift: [String]) {
        self.dataset = dataset
        self.pinnedVersionId = pinnedVersionId
        self.pinnedLabel = pinnedLabel
        self.liveVersionId = liveVersionId
        self.verdict = verdict
        self.drift = drift
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            dataset: try c.decode(String.self, forKey: .dataset), pinnedVersionId: try c.decode(String.self, forKey: .pinnedVersionId),
            pinnedLabel: try c.decode(String.self, forKey: .pinnedLabel), liveVersionId: try c.decodeIfPresent(String.self, forKey: .liveVersionId),
            verdict: try c.decode(String.self, forKey: .verdict), drift: try c.decode([String].self, forKey: .drift))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(pinnedVersionId, forKey: .pinnedVersionId)
        try c.encode(pinnedLabel, forKey: .pinnedLabel)
        try c.encode(liveVersionId, forKey: .liveVersionId)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(drift, forKey: .drift)
        try c.encode(ok, forKey: .ok)
    }
}

/// `fmnist verify --locked`.
public struct LockedVerifyResult: Sendable, Codable, Equatable {
    public let lockFile: String
    public let datasets: [LockedDatasetCheck]
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32
}

/// Checks that every dataset the lock pins is live in the workspace at the pinned version and
/// that its live files verify (the full `verify` of each, recorded as usual). Any difference is
/// drift: exit 3, each named.
///
/// ```swift
/// let result = try LockedVerifier(layout: layout, registry: registry).verify(lockFile: "fmnist.lock")
/// for check in result.datasets where !check.ok { print(check.drift) }
/// ```
public struct LockedVerifier: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    public func verify(lockFile: String) throws -> LockedVerifyResult {
        let lock = try ProjectLock.read(path: lockFile, registry: registry)
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        // Pinned datasets are verified by name: no PATH to recognise, so no layouts.
        let service = VerifyService(context: context, formats: [])
        var checks: [LockedDatasetCheck] = []
        for pinned in lock.datasets {
            var drift: [String] = []
            var liveID: String?
            var verdict = "not verified"
            do {
                guard case .datasets(let result) = try service.run(target: pinned.dataset), let report = result.datasets.first else {
                    throw WorkspaceError.datasetMissing(dataset: pinned.dataset)
                }
                verdict = report.verdict
                liveID = report.versionID
                if let id = report.versionID, id != pinned.versionId {
                    let label = VersionIdentity(full: id).label(knownAs: report.versionName.flatMap { $0 == "unknown" ? nil : $0 })
                    drift.append("\(pinned.dataset) is \(label), the lock pins \(pinned.label)")
                } else if report.versionID == nil {
                    drift.append("\(pinned.dataset) does not hold the pinned \(pinned.label): \(report.verdict)")
                }
                if !report.isValid && report.versionID != nil { drift.append("\(pinned.dataset): \(report.verdict)") }
            } catch let error as FMNISTError {
                drift.append("\(pinned.dataset): \(error.description)")
            }
            checks.append(LockedDatasetCheck(
                dataset: pinned.dataset, pinnedVersionId: pinned.versionId, pinnedLabel: pinned.label, liveVersionId: liveID,
                verdict: verdict, drift: drift))
        }
        let ok = checks.allSatisfy(\.ok)
        let status: ExitStatus = ok ? .success : .integrity
        return LockedVerifyResult(lockFile: lockFile, datasets: checks, ok: ok, exitStatus: status, exitCode: status.rawValue)
    }
}

extension LockedVerifyResult {
    /// The human lines of `verify --locked`: each dataset as pinned, or each of its drifts as an
    /// error, and what to run when anything drifted.
    public var lines: [ConsoleLine] {
        var lines: [ConsoleLine] = []
        for check in datasets {
            if check.ok {
                lines.append(.info("ok    \(check.dataset) \(check.pinnedLabel): live and verified, as pinned"))
            } else {
                lines += check.drift.map { .error("drift: \($0)") }
            }
        }
        if !ok { lines.append(.hint("run `fmnist fetch --locked` to restore the pinned versions, or `fmnist lock` to pin the new ones")) }
        return lines
    }
}
