import Foundation

extension Catalog {
    /// Records a version and its four files in one transaction, and returns it.
    ///
    /// Recording a version that exists already keeps its first-seen time and source and updates its
    /// files (e.g. the same payload in another gzip container); an unknown version that a manifest
    /// now names becomes known.
    ///
    /// - Parameters:
    ///   - name: the manifest's version name, or nil for content no manifest knows ("unknown").
    @discardableResult
    public func recordVersion(
        dataset: String, identity: VersionIdentity, name: String?, source: VersionSource, files: [CatalogFile],
        admitted: UnknownAdmission? = nil, at time: Date = Date()
    ) throws -> CatalogVersion {
        try requireWritable()
        return try transaction {
            try db.run("INSERT OR IGNORE INTO datasets(name, first_seen) VALUES (?, ?)", [dataset, time])
            try db.run(
                """
                INSERT INTO versions(id, short_id, dataset, name, known, source, first_seen, admitted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    name = CASE WHEN excluded.known = 1 AND versions.known = 0 THEN excluded.name ELSE versions.name END,
                    known = MAX(versions.known, excluded.known),
                    admitted = CASE WHEN MAX(versions.known, excluded.known) = 1 THEN NULL ELSE COALESCE(versions.admitted, excluded.admitted) END
                """,
                [identity.full, identity.short, dataset, name ?? "unknown", name != nil, source.rawValue, time,
                 name == nil ? admitted?.rawValue : nil])
            for file in files {
                let dims = file.idx.dims.map(String.init).joined(separator: ",")
                try db.run(
                    """
                    INSERT OR REPLACE INTO files(version_id, role, name, container_size, container_md5, container_sha256,
                        payload_size, payload_sha256, idx_type, idx_dims) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [identity.full, file.role.rawValue, file.name, file.containerSize, file.containerMD5, file.containerSHA256,
                     file.payloadSize, file.payloadSHA256, file.idx.type, "[\(dims)]"])
            }
            guard let version = try version(id: identity.full) else {
                throw CatalogError.sqlite(path: path, error: SQLiteError(code: 1, message: "version vanished after insert"))
            }
            return version
        }
    }

    static let versionColumns = "id, dataset, name, known, source, first_seen, admitted"

    static func version(from row: SQLiteRow) -> CatalogVersion {
        CatalogVersion(
            id: row.string(0), dataset: row.string(1), name: row.string(2), known: row.bool(3),
            source: VersionSource(rawValue: row.string(4)) ?? .fetch, firstSeen: row.date(5),
            admitted: row.optionalString(6).flatMap(UnknownAdmission.init(rawValue:)))
    }

    /// The version with this full id, if recorded.
    public func version(id: String) throws -> CatalogVersion? {
        try mapErrors {
            try db.queryFirst("SELECT \(Catalog.versionColumns) FROM versions WHERE id = ?", [id], Catalog.version(from:))
        }
    }

    /// Every recorded version, oldest first; only those of `dataset` when given.
    public func versions(dataset: String? = nil) throws -> [CatalogVersion] {
        try mapErrors {
            if let dataset {
                return try db.query(
                    "SELECT \(Catalog.versionColumns) FROM versions WHERE dataset = ? ORDER BY first_seen, id", [dataset],
                    Catalog.version(from:))
            }
            return try db.query(
                "SELECT \(Catalog.versionColumns) FROM versions ORDER BY dataset, first_seen, id", [], Catalog.version(from:))
        }
    }

    /// The versions of `dataset` that `selector` names: a known name (e.g. "2017-08-31"),
    /// "unknown", or a prefix of at least 4 hex digits of the id. Several means ambiguous.
    public func versions(dataset: String, matching selector: String) throws -> [CatalogVersion] {
        let all = try versions(dataset: dataset)
        let byName = all.filter { $0.name == selector && ($0.known || selector == "unknown") }
        if !byName.isEmpty { return byName }
        return all.filter { $0.identity.matches(prefix: selector) }
    }

    /// The datasets that have at least one recorded version.
    public func datasets() throws -> [String] {
        try mapErrors { try db.query("SELECT name FROM datasets ORDER BY name", []) { $0.string(0) } }
    }

    /// The files of a version, in role order.
    public func files(versionID: String) throws -> [CatalogFile] {
        try mapErrors {
            try db.query(
                """
                SELECT role, name, container_size, container_md5, container_sha256, payload_size, payload_sha256, idx_type, idx_dims
                FROM files WHERE version_id = ?
                """, [versionID]
            ) { row in
                let dims = row.string(8).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                    .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                return CatalogFile(
                    role: FileRole(rawValue: row.string(0)) ?? .trainImages, name: row.string(1), containerSize: row.int64(2),
                    containerMD5: row.string(3), containerSHA256: row.string(4), payloadSize: row.int64(5),
                    payloadSHA256: row.string(6), idx: IDXShape(type: row.string(7), dims: dims))
            }.sorted { $0.role < $1.role }
        }
    }

    /// How each unknown version's payloads were admitted, by payload SHA-256 (for
    /// ``DatasetVerifier``'s notes); a payload of no recorded way maps to nil.
    public func unknownAdmissions() throws -> [String: UnknownAdmission?] {
        try mapErrors {
            var result: [String: UnknownAdmission?] = [:]
            let rows = try db.query(
                "SELECT f.payload_sha256, v.admitted FROM files f JOIN versions v ON v.id = f.version_id WHERE v.known = 0", []
            ) { ($0.string(0), $0.optionalString(1).flatMap(UnknownAdmission.init(rawValue:))) }
            for (digest, admitted) in rows where result[digest] == nil || admitted != nil { result[digest] = admitted }
            return result
        }
    }

    /// Payload digests of the unknown versions the user accepted, per dataset
    /// (for ``DatasetVerifier``'s `acceptedUnknownPayloads`).
    public func acceptedUnknownPayloads() throws -> [String: Set<String>] {
        try mapErrors {
            var result: [String: Set<String>] = [:]
            let rows = try db.query(
                "SELECT v.dataset, f.payload_sha256 FROM files f JOIN versions v ON v.id = f.version_id WHERE v.known = 0", []
            ) { ($0.string(0), $0.string(1)) }
            for (dataset, digest) in rows { result[dataset, default: []].insert(digest) }
            return result
        }
    }

    /// The latest event that checked this version's bytes (fetch, import, verify, or a deep switch),
    /// with its result; nil when it was never checked.
    public func lastVerification(versionID: String) throws -> VerificationStamp? {
        try mapErrors {
            try db.queryFirst(
                """
                SELECT kind, result, time FROM events
                WHERE version_id = ? AND (kind IN ('fetch', 'import', 'verify')
                    OR (kind = 'switch' AND json_extract(details, '$.deep') = 1))
                ORDER BY time DESC, id DESC LIMIT 1
                """, [versionID]
            ) { row in
                VerificationStamp(
                    kind: EventKind(rawValue: row.string(0)) ?? .verify, result: EventResult(rawValue: row.string(1)) ?? .failed,
                    time: row.date(2))
            }
        }
    }
}
