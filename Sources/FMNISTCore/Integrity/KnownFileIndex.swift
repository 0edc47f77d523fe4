/// A file that a manifest knows: which dataset, version and role.
public struct KnownFile: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Dataset short name, e.g. "mnist".
    public let dataset: String
    /// Dataset display name, e.g. "MNIST".
    public let datasetTitle: String
    public let version: String
    public let role: FileRole
    public let file: ManifestFile

    /// e.g. "MNIST's t10k-images".
    public var description: String { "\(datasetTitle)'s \(role.fileStem)" }
}

/// How a file was recognised.
public enum IdentificationMatch: String, Sendable, Codable {
    /// The gzip container is byte-identical to the published one.
    case exactContainer = "exact_container"
    /// The payload is identical, the container differs (re-compressed: "same data, different container").
    case samePayload = "same_payload"
}

/// Identifies any file against every manifest, by container or payload digest.
///
/// ```swift
/// let index = KnownFileIndex(registry: registry)
/// if let (known, match) = index.identify(measurement) { print("this is \(known)") }
/// ```
public struct KnownFileIndex: Sendable {
    private var byContainerSHA: [String: KnownFile] = [:]
    private var byContainerMD5: [String: KnownFile] = [:]
    private var byPayloadSHA: [String: KnownFile] = [:]
    /// The largest payload any known file has: a safe decompression bound for unknown files.
    public private(set) var largestPayload: Int64 = 0

    public init(registry: ManifestRegistry) {
        for manifest in registry.manifests {
            for version in manifest.versions {
                for file in version.files {
                    let known = KnownFile(
                        dataset: manifest.name, datasetTitle: manifest.title, version: version.name, role: file.role,
                        file: file)
                    byContainerSHA[file.container.sha256] = byContainerSHA[file.container.sha256] ?? known
                    byContainerMD5[file.container.md5] = byContainerMD5[file.container.md5] ?? known
                    byPayloadSHA[file.payload.sha256] = byPayloadSHA[file.payload.sha256] ?? known
                    largestPayload = max(largestPayload, file.payload.size)
                }
            }
        }
    }

    /// Which known file these bytes are, if any. A complete measurement is matched by container
    /// SHA-256 first, then by payload SHA-256. A measurement with a fault matches nothing.
    public func identify(_ m: FileMeasurement) -> (KnownFile, IdentificationMatch)? {
        guard m.fault == nil else { return nil }
        if let known = byContainerSHA[m.containerSHA256], known.file.container.size == m.containerSize,
            known.file.container.md5 == m.containerMD5
        {
            return (known, .exactContainer)
        }
        if let known = byPayloadSHA[m.payloadSHA256], known.file.payload.size == m.payloadSize {
            return (known, .samePayload)
        }
        return nil
    }

    /// Identification of an uncompressed IDX file by its payload SHA-256 and size (its identity).
    public func identify(payloadSHA256: String, size: Int64) -> KnownFile? {
        guard let known = byPayloadSHA[payloadSHA256], known.file.payload.size == size else { return nil }
        return known
    }

    /// Identification by container digests alone (before or without decompressing).
    public func identify(containerSHA256: String) -> KnownFile? { byContainerSHA[containerSHA256] }
}
