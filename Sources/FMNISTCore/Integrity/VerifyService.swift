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
        case payloadFolders(PayloadFolderReport)
    }

    /// Runs verify on `fashion|mnist|all|PATH`.
    ///
    /// Workspace folders are checked against the manifests plus any unknown versions the user
    /// accepted earlier, and each result is recorded in the catalog as a `verify` event.
    public func run(target: String, expectedDataset: String? = nil) throws -> Outcome {
        switch try VerifyTarget.resolve(target, layout: layout, registry: registry, expected: expectedDataset) {
        case .file(let url):
            return .file(SingleFileReport.identify(url: url, registry: registry))
        case .payloadFolders(let folders):
            return .payloadFolders(PayloadFolderReport.verify(folders, root: URL(fileURLWithPath: target), registry: registry))
        case .datasets(let requests):
            let hasCatalog = FileManager.default.fileExists(atPath: layout.catalogFile.path)
            var accepted: [String: Set<String>] = [:]
            if hasCatalog {
                let catalog = try Catalog.openReadOnly(layout)
                accepted = try catalog.acceptedUnknownPayloads()
                catalog.close()
            }
            let verifier = DatasetVerifier(registry: registry, acceptedUnknownPayloads: accepted)
            let reports = verifier.verify(requests)
            let status = Self.combine(reports.map(\.exitStatus))
            if hasCatalog {
                record(reports.filter { report in
                    requests.contains { $0.directory.path == report.path && $0.directory == layout.liveDirectory(dataset: $0.manifest.name) }
                })
            }
            return .datasets(DatasetsResult(datasets: reports, ok: status == .success, exitStatus: status, exitCode: status.rawValue))
        }
    }

    /// What a `verify` event stores in the catalog.
    struct VerifyEventDetails: Encodable {
        let path: String
        let verdict: String
        let files: [String: String]
    }

    /// Records a `verify` event per workspace dataset; a catalog that cannot be written only
    /// loses the record, never the verification result.
    func record(_ reports: [DatasetReport]) {
        guard !reports.isEmpty, let catalog = try? Catalog.open(layout) else { return }
        defer { catalog.close() }
        for report in reports where report.exitStatus != .missing || report.files.contains(where: { $0.status != .missing }) {
            let details = VerifyEventDetails(
                path: report.path, verdict: report.verdict,
                files: Dictionary(uniqueKeysWithValues: report.files.map { ($0.role.rawValue, $0.message) }))
            _ = try? catalog.recordEvent(
                .verify, dataset: report.dataset, versionID: report.versionID, result: report.isValid ? .ok : .failed,
                details: details)
        }
    }

    /// The overall status: integrity failures outrank missing files.
    static func combine(_ statuses: [ExitStatus]) -> ExitStatus {
        if statuses.contains(.integrity) { return .integrity }
        if statuses.contains(.missing) { return .missing }
        return statuses.first { $0 != .success } ?? .success
    }
}
