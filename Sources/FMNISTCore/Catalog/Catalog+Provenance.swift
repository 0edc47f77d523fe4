import Foundation

extension Catalog {
    /// Records where one file of a version came from.
    public func recordProvenance(versionID: String, _ provenance: FileProvenance) throws {
        try requireWritable()
        try mapErrors {
            try db.run(
                """
                INSERT INTO provenance(version_id, role, container_sha256, mirror_url, http_status, etag, last_modified,
                    bytes, resumed_from, duration, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [versionID, provenance.role.rawValue, provenance.containerSHA256, provenance.mirrorURL, provenance.httpStatus,
                 provenance.etag, provenance.lastModified, provenance.bytesTransferred, provenance.resumedFrom,
                 provenance.duration, provenance.time])
        }
    }

    /// Every recorded fetch of a version's files, oldest first.
    public func provenance(versionID: String) throws -> [FileProvenance] {
        try mapErrors {
            try db.query(
                """
                SELECT role, container_sha256, mirror_url, http_status, etag, last_modified, bytes, resumed_from, duration, time
                FROM provenance WHERE version_id = ? ORDER BY time, id
                """, [versionID]
            ) { row in
                FileProvenance(
                    role: FileRole(rawValue: row.string(0)) ?? .trainImages, containerSHA256: row.string(1),
                    mirrorURL: row.string(2), httpStatus: row.optionalInt(3), etag: row.optionalString(4),
                    lastModified: row.optionalString(5), bytesTransferred: row.int64(6), resumedFrom: row.int64(7),
                    duration: row.double(8), time: row.date(9))
            }
        }
    }
}
