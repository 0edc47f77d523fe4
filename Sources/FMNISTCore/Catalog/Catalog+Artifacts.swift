import Foundation

/// An artifact of a version as the catalog records it (migration 5): keras's `mnist.npz`, kept in
/// the store under its SHA-256, and which role each of its arrays matched when it was stored.
public struct CatalogArtifact: Sendable, Codable, Equatable {
    public let versionID: String
    /// The loader that reads it, e.g. `keras`.
    public let loader: String
    /// Its file name, e.g. `mnist.npz`.
    public let name: String
    public let size: Int64
    public let sha256: String
    /// The URL it came from (nil when it was taken from the store after the catalog lost its row).
    public let mirrorURL: String?
    public let httpStatus: Int?
    public let etag: String?
    public let lastModified: String?
    /// Bytes transferred when it was fetched.
    public let bytes: Int64
    /// Array name → the role it matched (see ``ArtifactCrossCheck``).
    public let arrays: [String: FileRole]
    public let time: Date

    public init(
        versionID: String, loader: String, name: String, size: Int64, sha256: String, mirrorURL: String?, httpStatus: Int?,
        etag: String?, lastModified: String?, bytes: Int64, arrays: [String: FileRole], time: Date = Date()
    ) {
        self.versionID = versionID
        self.loader = loader
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.mirrorURL = mirrorURL
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
        self.bytes = bytes
        self.arrays = arrays
        self.time = time
    }
}

extension Catalog {
    /// Records (or replaces) a version's artifact for its loader.
    ///
    /// ```swift
    /// try catalog.recordArtifact(CatalogArtifact(versionID: id, loader: "keras", name: "mnist.npz", …))
    /// ```
    public func recordArtifact(_ artifact: CatalogArtifact) throws {
        try requireWritable()
        let arrays = String(decoding: try JSONEncoder.sortedKeys.encode(artifact.arrays.mapValues(\.rawValue)), as: UTF8.self)
        try mapErrors {
            try db.withLock {
                try db.run(
                    """
                    INSERT OR REPLACE INTO artifacts(version_id, loader, name, size, sha256, mirror_url, http_status, etag,
                        last_modified, bytes, arrays, time)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [artifact.versionID, artifact.loader, artifact.name, artifact.size, artifact.sha256, artifact.mirrorURL,
                     artifact.httpStatus.map(Int64.init), artifact.etag, artifact.lastModified, artifact.bytes, arrays, artifact.time])
            }
        }
    }

    /// A version's artifact for `loader`, if one is recorded.
    public func artifact(versionID: String, loader: String) throws -> CatalogArtifact? {
        try artifacts(where: "version_id = ? AND loader = ?", [versionID, loader]).first
    }

    /// Every recorded artifact of a version.
    public func artifacts(versionID: String) throws -> [CatalogArtifact] {
        try artifacts(where: "version_id = ?", [versionID])
    }

    private func artifacts(where condition: String, _ values: [(any SQLiteBindable)?]) throws -> [CatalogArtifact] {
        try mapErrors {
            try db.query(
                """
                SELECT version_id, loader, name, size, sha256, mirror_url, http_status, etag, last_modified, bytes, arrays, time
                FROM artifacts WHERE \(condition) ORDER BY loader
                """, values
            ) { row in
                let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(row.string(10).utf8))) ?? [:]
                return CatalogArtifact(
                    versionID: row.string(0), loader: row.string(1), name: row.string(2), size: row.int64(3), sha256: row.string(4),
                    mirrorURL: row.optionalString(5), httpStatus: row.optionalInt(6), etag: row.optionalString(7),
                    lastModified: row.optionalString(8), bytes: row.int64(9),
                    arrays: decoded.compactMapValues(FileRole.init(rawValue:)), time: row.date(11))
            }
        }
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys (stable text in the catalog).
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
