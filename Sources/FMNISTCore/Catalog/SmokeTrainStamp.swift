import Foundation

/// A version's last smoke-train, as `versions` and `status` show it.
public struct SmokeTrainStamp: Sendable, Codable, Equatable {
    /// Whether the accuracy was inside the dataset's sanity band.
    public let passed: Bool
    /// Test accuracy (nil when the run diverged).
    public let accuracy: Double?
    public let epochs: Int
    /// The verdict's sentence, e.g. "pass: accuracy 0.853 inside Fashion-MNIST's band 0.80–0.95".
    public let verdict: String
    public let time: Date

    /// e.g. "smoke-train pass 85.3% (1 epoch, 2026-12-01T09:30:00Z)".
    public var text: String {
        let shown = accuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "diverged"
        let word = passed ? "pass" : verdict.hasPrefix("inconclusive") ? "inconclusive" : "FAIL"
        return "smoke-train \(word) \(shown) (\(epochs) epoch\(epochs == 1 ? "" : "s"), \(ISO8601DateFormatter().string(from: time)))"
    }
}

extension Catalog {
    /// The latest smoke-train run of a version, or nil when it was never trained.
    public func lastSmokeTrain(versionID: String) throws -> SmokeTrainStamp? {
        try mapErrors {
            try db.queryFirst(
                """
                SELECT r.accuracy, r.epochs, r.verdict, r.time, e.result FROM smoke_train_runs r
                LEFT JOIN events e ON e.id = r.event_id
                WHERE r.version_id = ? ORDER BY r.time DESC, r.id DESC LIMIT 1
                """, [versionID]
            ) { row in
                let accuracy = row.double(0)
                let verdict = row.string(2)
                let passed = row.optionalString(4).map { $0 == EventResult.ok.rawValue } ?? verdict.hasPrefix("pass")
                return SmokeTrainStamp(
                    passed: passed, accuracy: accuracy.isFinite ? accuracy : nil, epochs: row.int(1), verdict: verdict, time: row.date(3))
            }
        }
    }
}
