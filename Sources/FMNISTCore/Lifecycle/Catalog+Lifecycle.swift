import Foundation

extension Catalog {
    /// Forgets a version in one transaction: its live row (when live), its files and provenance
    /// (cascade), and the fingerprints of its version directory. Its events and smoke-train runs
    /// stay as history. Returns whether a version row was deleted.
    @discardableResult
    public func removeVersion(id: String, dataset: String) throws -> Bool {
        try requireWritable()
        return try transaction {
            let existed = try version(id: id) != nil
            try mapErrors {
                try db.run("DELETE FROM live WHERE version_id = ?", [id])
                try db.run("DELETE FROM fingerprints WHERE path LIKE ? ESCAPE '\\'",
                           [".fmnist/versions/\(Self.likeEscaped(dataset))/\(id)/%"])
                try db.run("DELETE FROM files WHERE version_id = ?", [id])
                try db.run("DELETE FROM artifacts WHERE version_id = ?", [id])
                try db.run("DELETE FROM provenance WHERE version_id = ?", [id])
                try db.run("DELETE FROM versions WHERE id = ?", [id])
            }
            return existed
        }
    }

    /// The container digests every recorded version needs (what `gc` keeps in the store), its
    /// artifacts' SHA-256s included.
    public func neededContainerDigests() throws -> Set<String> {
        try mapErrors {
            Set(try db.query("SELECT container_sha256 FROM files UNION SELECT sha256 FROM artifacts", []) { $0.string(0) })
        }
    }

    /// Forgets the fingerprint of every path under `prefix` (root-relative, e.g. `.fmnist/store/sha256/ab…`).
    public func forgetFingerprints(underPrefix prefix: String) throws {
        try requireWritable()
        try mapErrors { try db.run("DELETE FROM fingerprints WHERE path = ? OR path LIKE ? ESCAPE '\\'", [prefix, Self.likeEscaped(prefix) + "/%"]) }
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
