import Foundation

/// Artifacts (keras's `mnist.npz`) in the content-addressed store: `.fmnist/store/sha256/<sha256>`,
/// read-only (0444) like the stored `.gz` files. An artifact is proven by its size and SHA-256
/// (its pin); which roles its arrays hold was checked once, when it was stored, and is recorded in
/// the catalog.
extension VersionStore {
    /// Whether the file at `url` (a regular file, no symlink followed) is exactly `size` bytes with this SHA-256.
    package static func proveArtifact(_ url: URL, size: Int64, sha256: String) -> Bool {
        guard let info = FilePaths.lstat(url.path), FilePaths.isRegular(info), Int64(info.st_size) == size else { return false }
        let check = DigestVerifier(size: size, sha256: sha256)
        var faulty = false
        do {
            try FileVerifier.stream(url: url, followSymlinks: false) { chunk in
                do { try check.feed(chunk) } catch { faulty = true }
                return !faulty
            }
        } catch {
            return false
        }
        return !faulty && check.finish() == nil
    }

    /// The stored path of an artifact when the store holds it proven, else nil.
    package func provenArtifact(sha256: String, size: Int64) -> URL? {
        guard let url = try? url(containerSHA256: sha256), Self.proveArtifact(url, size: size, sha256: sha256) else { return nil }
        return url
    }

    /// Moves a proven artifact (a `.part` file, same file system) into the store, read-only. A
    /// stored file that is not proven (damaged) is replaced; a proven one is kept and the temporary dropped.
    package func installArtifact(fileAt temporary: URL, sha256: String, size: Int64) throws -> URL {
        let destination = try url(containerSHA256: sha256)
        try boundary.ensureOwnedDirectory(layout.storeDirectory)
        try WorkspaceBoundary.refuseSymlinkOrDirectory(destination)
        if Self.proveArtifact(destination, size: size, sha256: sha256) {
            unlink(temporary.path)
            return destination
        }
        try placeInStore(temporary, at: destination)
        return destination
    }
}
