import Foundation

extension Catalog {
    /// Records an event and returns its id. `details` is any encodable value (stored as JSON).
    ///
    /// ```swift
    /// try catalog.recordEvent(.verify, dataset: "mnist", versionID: id, result: .ok, details: report)
    /// ```
    @discardableResult
    public func recordEvent<Details: Encodable>(
        _ kind: EventKind, dataset: String?, versionID: String?, result: EventResult, details: Details, at time: Date = Date()
    ) throws -> Int64 {
        let text: String
        do {
            text = try JSONValue.text(of: details)
        } catch {
            text = JSONValue.string("unencodable details: \(error)").description
        }
        return try recordEvent(kind, dataset: dataset, versionID: versionID, result: result, detailsJSON: text, at: time)
    }

    /// Records an event whose details are JSON text (default `{}`) and returns its id.
    @discardableResult
    public func recordEvent(
        _ kind: EventKind, dataset: String?, versionID: String?, result: EventResult, detailsJSON: String = "{}",
        at time: Date = Date()
    ) throws -> Int64 {
        try requireWritable()
        return try mapErrors {
            try db.withLock {
                try db.run(
                    "INSERT INTO events(kind, dataset, version_id, result, details, time) VALUES (?, ?, ?, ?, ?, ?)",
                    // No credential is stored: every URL in the details is redacted (``RedactedURL``).
                    [kind.rawValue, dataset, versionID, result.rawValue, RedactedURL.redact(detailsJSON), time])
                return db.lastInsertRowID
            }
        }
    }

    /// Events, newest first: at most `limit`, optionally only of a dataset or of some kinds.
    public func events(limit: Int = 50, dataset: String? = nil, kinds: Set<EventKind>? = nil) throws -> [CatalogEvent] {
        var conditions: [String] = []
        var values: [(any SQLiteBindable)?] = []
        if let dataset {
            conditions.append("dataset = ?")
            values.append(dataset)
        }
        if let kinds {
            conditions.append("kind IN (\(kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))")
        }
        values.append(max(0, limit))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try mapErrors {
            try db.query(
                "SELECT id, kind, dataset, version_id, result, details, time FROM events \(filter) ORDER BY time DESC, id DESC LIMIT ?",
                values
            ) { row in
                CatalogEvent(
                    id: row.int64(0), kind: EventKind(rawValue: row.string(1)) ?? .verify, dataset: row.optionalString(2),
                    versionID: row.optionalString(3), result: EventResult(rawValue: row.string(4)) ?? .failed,
                    // Redacted on the way out too: a catalog written before redaction may hold a credential.
                    details: JSONValue(parsing: RedactedURL.redact(row.string(5))), time: row.date(6))
            }
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { (try? JSONValue.text(of: self)) ?? "null" }
}
