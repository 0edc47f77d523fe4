import FMNISTTraining
import Foundation

/// `fmnist smoke-train --compare`: the same LeNet-5 (same configuration and seed) trained on the
/// live version of every dataset, side by side — the Fashion-MNIST README's point that MNIST is
/// too easy, shown. Each run is recorded against its own version like a single smoke-train.
public struct SmokeTrainComparison: Sendable, Codable {
    /// Two classes the network mixes up, both directions counted together.
    public struct ConfusedPair: Sendable, Codable, Equatable {
        public let first: Int
        public let second: Int
        public let firstName: String
        public let secondName: String
        /// Test images of `first` predicted as `second`, plus the other way round.
        public let count: Int
    }

    /// One dataset's column of the table.
    public struct Column: Sendable, Codable {
        public let run: SmokeTrainService.Result
        public let mostConfused: [ConfusedPair]
    }

    public let columns: [Column]
    /// The first failing run's exit status (0 when every run passed its dataset's band or was
    /// inconclusive: run with settings the bands are not calibrated for).
    public let exitStatus: ExitStatus
    /// Whether the comparison exits 0 (no run failed its band; see `exitStatus`).
    public let ok: Bool
    /// The process exit status.
    public let exitCode: Int32

    public init(runs: [SmokeTrainService.Result], pairs: Int = 3) {
        columns = runs.map { Column(run: $0, mostConfused: Self.mostConfused($0.report.confusion, names: $0.classes, count: pairs)) }
        exitStatus = runs.first { $0.exitStatus != .success }?.exitStatus ?? .success
        ok = exitStatus == .success
        exitCode = exitStatus.rawValue
    }

    /// The `count` class pairs with the most confusions (off-diagonal counts of both directions),
    /// most first; ties by class order; pairs never confused are left out.
    public static func mostConfused(_ confusion: [[Int]], names: [String], count: Int) -> [ConfusedPair] {
        var pairs: [ConfusedPair] = []
        for i in confusion.indices {
            for j in confusion.indices where j > i {
                let total = confusion[i][j] + confusion[j][i]
                guard total > 0 else { continue }
                pairs.append(ConfusedPair(
                    first: i, second: j, firstName: i < names.count ? names[i] : "\(i)",
                    secondName: j < names.count ? names[j] : "\(j)", count: total))
            }
        }
        return Array(pairs.sorted { $0.count != $1.count ? $0.count > $1.count : ($0.first, $0.second) < ($1.first, $1.second) }.prefix(count))
    }
}

extension SmokeTrainService {
    /// Trains the same configuration on the live version of every dataset in the registry (in its
    /// order), recording each run; a dataset that is not in the workspace is a `.missing` error
    /// before anything is trained.
    public func compare(
        configuration: TrainingConfiguration, progress: (String, EpochReport) -> Void = { _, _ in },
        status: (String) -> Void = { _ in }
    ) throws -> SmokeTrainComparison {
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let names = registry.manifests.map(\.name)
        let absent = names.filter { !FileManager.default.fileExists(atPath: layout.liveDirectory(dataset: $0).path) }
        if let first = absent.first {
            throw FileAccessError(
                path: layout.liveDirectory(dataset: first).path,
                problem: "--compare trains on every dataset, and \(absent.joined(separator: ", ")) \(absent.count > 1 ? "are" : "is") not in this workspace",
                exitStatus: .missing,
                hint: "run: fmnist fetch \(absent.count > 1 ? "all" : first) (or fmnist import DIR --as \(first))")
        }
        var runs: [Result] = []
        for name in names {
            runs.append(try run(dataset: name, version: nil, configuration: configuration,
                                progress: { progress(name, $0) }, status: status))
        }
        return SmokeTrainComparison(runs: runs)
    }
}
