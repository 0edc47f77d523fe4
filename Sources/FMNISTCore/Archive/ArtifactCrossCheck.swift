import Foundation

/// One array of an artifact (or of any `.npz`) against the role it must hold (or was found to hold).
public struct ArrayCheck: Sendable, Codable, Equatable {
    /// The array's name, e.g. `x_train`.
    public let array: String
    /// The role it is pinned to (cross-check) or identified as (verify of any npz); nil when unknown.
    public let role: FileRole?
    /// Whether the array's IDX identity equals that role's payload SHA-256.
    public let matched: Bool
    /// Why it did not match (missing, dtype, order, shape, digest); nil when it matched.
    public let problem: String?
    public let dtype: String?
    public let shape: [Int]?
    /// SHA-256 of the IDX file the array's bytes make (see ``NPZArray/idxSHA256``).
    public let idxSHA256: String?
}

/// The cross-check by identity: an `.npz` array equals an IDX payload exactly when SHA-256(IDX
/// header for its shape + its bytes) is that payload's pinned SHA-256 (the payload SHA-256 is what
/// identifies a file in fmnist). So an artifact is checked against a version's four files with no
/// IDX file on disk.
///
/// ```swift
/// let checks = ArtifactCrossCheck.check(contents, artifact: artifact, version: manifest.defaultVersion)
/// checks.allSatisfy(\.matched)
/// ```
public enum ArtifactCrossCheck {
    /// Each array the artifact maps to a role, checked against the version's file of that role.
    public static func check(_ contents: NPZContents, artifact: ManifestArtifact, version: ManifestVersion) -> [ArrayCheck] {
        artifact.orderedArrays.map { name, role in
            check(contents.array(named: name), name: name, against: version.file(role))
        }
    }

    /// One array against one pinned file (nil array: missing from the archive).
    public static func check(_ array: NPZArray?, name: String, against file: ManifestFile) -> ArrayCheck {
        let role = file.role
        guard let array else {
            return ArrayCheck(array: name, role: role, matched: false, problem: "missing from the archive", dtype: nil, shape: nil, idxSHA256: nil)
        }
        func result(_ problem: String?) -> ArrayCheck {
            ArrayCheck(
                array: name, role: role, matched: problem == nil, problem: problem, dtype: array.header.descr, shape: array.header.shape,
                idxSHA256: array.idxSHA256)
        }
        let header = array.header
        if !header.isUInt8 { return result("dtype \(header.descr), not uint8 (\(role.rawValue) is IDX u8)") }
        if header.fortranOrder { return result("stored in Fortran order (fortran_order True); \(role.rawValue) is row-major") }
        if header.shape != file.idx.dims {
            return result("shape \(shapeText(header.shape)), but \(role.rawValue) is \(shapeText(file.idx.dims))")
        }
        guard let digest = array.idxSHA256 else { return result("cannot be an IDX payload") }
        if digest != file.payload.sha256 || array.idxSize != file.payload.size {
            return result("same shape, other bytes: its IDX SHA-256 is \(digest.prefix(12))…, \(role.rawValue)'s payload is \(file.payload.sha256.prefix(12))…")
        }
        return result(nil)
    }

    /// `(60000, 28, 28)` as numpy prints a shape.
    public static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The zip bounds for a dataset's artifact: no entry larger than its largest payload plus a header.
    static func limits(for manifest: Manifest) -> ZipLimits {
        NPZReader.limits(largestPayload: manifest.versions.flatMap(\.files).map(\.payload.size).max() ?? 0)
    }

    /// The cross-check of the archive at `url` (already proven by its pin): the checks, and the
    /// problem that refuses it (a fault in the archive, or the first array that does not match).
    static func checkArchive(_ url: URL, manifest: Manifest, version: ManifestVersion, artifact: ManifestArtifact) -> ([ArrayCheck], String?) {
        let contents: NPZContents
        do {
            contents = try NPZReader.read(url: url, limits: limits(for: manifest), followSymlinks: false)
        } catch let fault as NPZFault {
            return ([], "it is not a readable npz: \(fault.description); the manifest pins a file that is not the data")
        } catch {
            return ([], "it cannot be read: \(error)")
        }
        let checks = ArtifactCrossCheck.check(contents, artifact: artifact, version: version)
        if let bad = checks.first(where: { !$0.matched }) {
            let role = bad.role?.rawValue ?? "?"
            return (checks, "array \(bad.array) is not \(manifest.title) \(version.name)'s \(role): \(bad.problem ?? "")"
                + " (the manifest's artifact and its files disagree)")
        }
        return (checks, nil)
    }
}
