import Foundation

/// One `fmnist export` of one dataset (or a failed attempt), as the catalog records it.
public struct ExportRecord: Sendable, Codable, Equatable {
    public let id: Int64
    public let layout: String
    public let dataset: String?
    public let versionID: String?
    /// Absolute path of DEST.
    public let destination: String
    public let files: Int
    public let bytes: Int64
    public let result: EventResult
    /// Layout-specific details (notes, skipped datasets, the error of a failed export).
    public let details: JSONValue
    public let time: Date
}

extension Catalog {
    /// Records an export and returns its id.
    ///
    /// ```swift
    /// try catalog.recordExport(layout: "npz", dataset: "mnist", versionID: id, destination: "/out",
    ///                          files: 1, bytes: 54_880_000, result: .ok, details: ["notes": []])
    /// ```
    @discardableResult
    public func recordExport<Details: Encodable>(
        layout: String, dataset: String?, versionID: String?, destination: String, files: Int, bytes: Int64,
        result: EventResult, details: Details, at time: Date = Date()
    ) throws -> Int64 {
        try requireWritable()
        let text = (try? JSONValue.text(of: details)) ?? "{}"
        return try mapErrors {
            try db.withLock {
                try db.run(
                    """
                    INSERT INTO exports(layout, dataset, version_id, destination, files, bytes, result, details, time)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [layout, dataset, versionID, destination, Int64(files), bytes, result.rawValue, text, time])
                return db.lastInsertRowID
            }
        }
    }

    /// Exports, newest first.
    public func exports(limit: Int = 50) throws -> [ExportRecord] {
        try mapErrors {
            try db.query(
                """
                SELECT id, layout, dataset, version_id, destination, files, bytes, result, details, time
                FROM exports ORDER BY time DESC, id DESC LIMIT ?
                """, [Int64(max(0, limit))]
            ) { row in
                ExportRecord(
                    id: row.int64(0), layout: row.string(1), dataset: row.optionalString(2), versionID: row.optionalString(3),
                    destination: row.string(4), files: Int(row.int64(5)), bytes: row.int64(6),
                    result: EventResult(rawValue: row.string(7)) ?? .failed, details: JSONValue(parsing: row.string(8)),
                    time: row.date(9))
            }
        }
    }
}
