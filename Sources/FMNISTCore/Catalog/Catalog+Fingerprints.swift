import Foundation

extension Catalog {
    /// The fingerprint recorded when the file at `path` (relative to the workspace root) was last
    /// proven to hold the payload `payloadSHA256`; nil when none is recorded for that payload.
    package func fingerprint(path: String, payloadSHA256: String) throws -> FileFingerprint? {
        try mapErrors {
            try db.queryFirst(
                """
                SELECT device, inode, size, mtime_ns, ctime_ns FROM fingerprints
                WHERE path = ? AND payload_sha256 = ?
                """, [path, payloadSHA256]
            ) { row in
                FileFingerprint(
                    device: UInt64(bitPattern: row.int64(0)), inode: UInt64(bitPattern: row.int64(1)), size: row.int64(2),
                    modifiedNanoseconds: row.int64(3), changedNanoseconds: row.int64(4))
            }
        }
    }

    /// Records that the file at `path` (relative to the root) was just proven to hold `payloadSHA256`.
    package func recordFingerprint(path: String, payloadSHA256: String, _ fingerprint: FileFingerprint, at time: Date = Date()) throws {
        try requireWritable()
        try mapErrors {
            try db.run(
                """
                INSERT OR REPLACE INTO fingerprints(path, payload_sha256, device, inode, size, mtime_ns, ctime_ns, checked)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [path, payloadSHA256, Int64(bitPattern: fingerprint.device), Int64(bitPattern: fingerprint.inode), fingerprint.size,
                 fingerprint.modifiedNanoseconds, fingerprint.changedNanoseconds, time])
        }
    }

    /// Forgets what was proven of `path` (it was found damaged, or removed).
    package func forgetFingerprint(path: String) throws {
        try requireWritable()
        try mapErrors { try db.run("DELETE FROM fingerprints WHERE path = ?", [path]) }
    }
}
