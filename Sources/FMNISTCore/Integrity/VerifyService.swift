import Foundation

/// The library side of `fmnist verify`: resolves the target, verifies, and summarises.
public struct VerifyService: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }

    /// The result of verifying dataset folders.
    public struct DatasetsResult: Sendable, Codable {
        public let datasets: [DatasetReport]
        public let ok: Bool
        public let exitStatus: ExitStatus
        public let exitCode: Int32
    }

    public enum Outcome: Sendable {
        case file(SingleFileReport)
        case datasets(DatasetsResult)
    }

    /// Runs verify on `fashion|mnist|all|PATH`.
    public func run(target: String, expectedDataset: String? = nil, acceptedUnknownPayloads: [String: Set<String>] = [:]) throws -> Outcome {
        switch try VerifyTarget.resolve(target, layout: layout, registry: registry, expected: expectedDataset) {
        case .file(let url):
            return .file(SingleFileReport.identify(url: url, registry: registry))
        case .datasets(let requests):
            let verifier = DatasetVerifier(registry: registry, acceptedUnknownPayloads: acceptedUnknownPayloads)
            let reports = verifier.verify(requests)
            let status = Self.combine(reports.map(\.exitStatus))
            return .datasets(DatasetsResult(datasets: reports, ok: status == .success, exitStatus: status, exitCode: status.rawValue))
        }
    }

    /// The overall status: integrity failures outrank missing files.
    static func combine(_ statuses: [ExitStatus]) -> ExitStatus {
        if statuses.contains(.integrity) { return .integrity }
        if statuses.contains(.missing) { return .missing }
        return statuses.first { $0 != .success } ?? .success
    }
}
