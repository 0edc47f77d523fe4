import FMNISTTraining
import Foundation

extension Catalog {
    /// Records a smoke-train run and its `smoke-train` event in one transaction.
    ///
    /// - Parameters:
    ///   - passed: whether the accuracy is inside the sanity band (the event's result).
    ///   - report: the full run report (confusion matrix, timings...), stored as JSON.
    ///
    /// A diverged run's NaN figures are stored as +infinity in the (NOT NULL) columns, which SQLite
    /// keeps as a real number, and as `null` in the JSON of the event and the report.
    @discardableResult
    public func recordSmokeTrain<Report: Encodable>(
        dataset: String, versionID: String, accuracy: Double, loss: Double, imagesPerSecond: Double, epochs: Int,
        verdict: String, passed: Bool, report: Report, at time: Date = Date()
    ) throws -> SmokeTrainRecord {
        let reportText = (try? JSONValue.text(of: report)) ?? "{}"
        return try transaction {
            let eventID = try recordEvent(
                .smokeTrain, dataset: dataset, versionID: versionID, result: passed ? .ok : .failed,
                details: SmokeTrainSummary(accuracy: accuracy, loss: loss, imagesPerSecond: imagesPerSecond, epochs: epochs, verdict: verdict),
                at: time)
            try db.run(
                """
                INSERT INTO smoke_train_runs(event_id, dataset, version_id, accuracy, loss, images_per_second, epochs, verdict,
                    report, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [eventID, dataset, versionID, Self.storable(accuracy), Self.storable(loss), Self.storable(imagesPerSecond), epochs,
                 verdict, reportText, time])
            return SmokeTrainRecord(
                id: db.lastInsertRowID, dataset: dataset, versionID: versionID, accuracy: Self.storable(accuracy),
                loss: Self.storable(loss), imagesPerSecond: Self.storable(imagesPerSecond), epochs: epochs, verdict: verdict, report: JSONValue(parsing: reportText), time: time)
        }
    }

    /// Smoke-train runs, newest first; only those of a version when given.
    public func smokeTrainRuns(versionID: String? = nil, limit: Int = 50) throws -> [SmokeTrainRecord] {
        let filter = versionID == nil ? "" : "WHERE version_id = ?"
        let values: [(any SQLiteBindable)?] = (versionID.map { [$0] } ?? []) + [limit]
        return try mapErrors {
            try db.query(
                """
                SELECT id, dataset, version_id, accuracy, loss, images_per_second, epochs, verdict, report, time
                FROM smoke_train_runs \(filter) ORDER BY time DESC, id DESC LIMIT ?
                """, values
            ) { row in
                SmokeTrainRecord(
                    id: row.int64(0), dataset: row.string(1), versionID: row.string(2), accuracy: row.double(3),
                    loss: row.double(4), imagesPerSecond: row.double(5), epochs: row.int(6), verdict: row.string(7),
                    report: JSONValue(parsing: row.string(8)), time: row.date(9))
            }
        }
    }
}

extension Catalog {
    /// NaN as +infinity: SQLite stores a NaN as NULL, which the NOT NULL figure columns refuse.
    static func storable(_ value: Double) -> Double { value.isNaN ? .infinity : value }
}

/// The details of a `smoke-train` event (non-finite figures of a diverged run are `null`).
struct SmokeTrainSummary: Encodable {
    @FiniteOrNull var accuracy: Double
    @FiniteOrNull var loss: Double
    @FiniteOrNull var imagesPerSecond: Double
    let epochs: Int
    let verdict: String
}
