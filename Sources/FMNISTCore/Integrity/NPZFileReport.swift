import Foundation

/// One array of an `.npz` given to `fmnist verify`, identified by content.
public struct IdentifiedArray: Sendable, Codable, Equatable {
    /// The array's name, e.g. `x_train`.
    public let array: String
    public let dtype: String
    public let shape: [Int]
    /// SHA-256 of the IDX file its bytes make (see ``NPZArray/idxSHA256``); nil when it cannot be one.
    public let idxSHA256: String?
    /// e.g. "MNIST's train-images", when a manifest knows the payload.
    public let identifiedAs: String?
    public let dataset: String?
    public let version: String?
    public let role: FileRole?
    /// Why it is not a known payload (dtype, order, or no manifest knows its digest).
    public let problem: String?
}

/// A manifest's pinned artifact, as a file is identified with it.
public struct PublishedArtifact: Sendable, Codable, Equatable {
    public let dataset: String
    public let version: String
    public let loader: String
    public let name: String
}

/// `fmnist verify PATH.npz`: what an `.npz` holds, by content. Keras's published `mnist.npz` (its
/// size and SHA-256 are a manifest's pin) is named as such; any other npz (fmnist's own `export npz`,
/// a `np.savez` of the arrays) is identified array by array by the payload digests every manifest
/// pins (``KnownFileIndex``): an array is a file's content exactly when SHA-256(IDX header + its
/// bytes) is that file's payload SHA-256.
public struct NPZFileReport: Sendable, Codable {
    public let path: String
    /// Always `npz` (tells this report from a single `.gz`/IDX file's in `--json`).
    public let kind: String
    public let status: FileStatus
    public let message: String
    public let size: Int64?
    public let sha256: String?
    /// Set when the file is byte-identical to a manifest's pinned artifact (keras's `mnist.npz`).
    public let publishedArtifact: PublishedArtifact?
    public let arrays: [IdentifiedArray]
    /// The fault that makes it unreadable (`--json`: its code), when it is.
    public let fault: String?
    public let faultCode: NPZFault.Code?
    public let exitStatus: ExitStatus

    /// Whether `url` should be read as an npz: its name ends in `.npz`, or it starts like a zip.
    public static func looksLikeNPZ(_ url: URL) -> Bool {
        if url.pathExtension.lowercased() == "npz" { return true }
        let head = FileVerifier.head(of: url, count: 4)
        return head == [0x50, 0x4B, 0x03, 0x04] || head == [0x50, 0x4B, 0x05, 0x06]
    }

    /// Reads and identifies the npz at `url`.
    public static func identify(url: URL, registry: ManifestRegistry) -> NPZFileReport {
        let index = KnownFileIndex(registry: registry)
        func broken(_ status: FileStatus, _ message: String, _ exit: ExitStatus, fault: String? = nil, code: NPZFault.Code? = nil) -> NPZFileReport {
            NPZFileReport(
                path: url.path, kind: "npz", status: status, message: message, size: nil, sha256: nil, publishedArtifact: nil,
                arrays: [], fault: fault, faultCode: code, exitStatus: exit)
        }
        let contents: NPZContents
        do {
            contents = try NPZReader.read(url: url, limits: NPZReader.limits(largestPayload: index.largestPayload))
        } catch let error as FileAccessError {
            return broken(.missing, error.problem, error.exitStatus)
        } catch let fault as NPZFault {
            return broken(.corrupt, "not a readable npz: \(fault.description)", .integrity, fault: fault.description, code: fault.code)
        } catch {
            return broken(.corrupt, "\(error)", .integrity)
        }
        let arrays = contents.arrays.map { identify($0, index: index) }
        let mapping = arrays.map { "\($0.array) = \($0.role?.rawValue ?? "?")" }.joined(separator: ", ")
        func report(_ status: FileStatus, _ message: String, _ exit: ExitStatus, published: PublishedArtifact? = nil) -> NPZFileReport {
            NPZFileReport(
                path: url.path, kind: "npz", status: status, message: message, size: contents.size, sha256: contents.sha256,
                publishedArtifact: published, arrays: arrays, fault: nil, faultCode: nil, exitStatus: exit)
        }
        // 1. A manifest's pinned artifact, byte for byte.
        for manifest in registry.manifests {
            for version in manifest.versions {
                for artifact in version.artifacts ?? [] where artifact.sha256 == contents.sha256 && artifact.size == contents.size {
                    let published = PublishedArtifact(dataset: manifest.name, version: version.name, loader: artifact.loader, name: artifact.name)
                    let checks = ArtifactCrossCheck.check(contents, artifact: artifact, version: version)
                    if let bad = checks.first(where: { !$0.matched }) {
                        return report(
                            .corrupt,
                            "the pinned \(artifact.name) of \(manifest.title) \(version.name), but its array \(bad.array) is not the "
                                + "version's \(bad.role?.rawValue ?? "?"): \(bad.problem ?? "") (the manifest disagrees with itself)",
                            .integrity, published: published)
                    }
                    return report(
                        .ok,
                        "this is \(artifact.loader)'s published \(artifact.name) (byte-identical; \(manifest.title) \(version.name): \(mapping))",
                        .success, published: published)
                }
            }
        }
        // 2. Any other npz: array by array.
        if arrays.isEmpty { return report(.unknown, "an npz with no arrays", .integrity) }
        if let unknown = arrays.first(where: { $0.identifiedAs == nil }) {
            let known = arrays.filter { $0.identifiedAs != nil }.map { "\($0.array) is \($0.identifiedAs!) (\($0.version!))" }
            return report(
                .unknown,
                "array \(unknown.array) \(unknown.problem ?? "matches no known file")"
                    + (known.isEmpty ? "" : "; \(known.joined(separator: ", "))"),
                .integrity)
        }
        let versions = Set(arrays.map { "\($0.dataset!) \($0.version!)" })
        let titles = Dictionary(registry.manifests.map { ($0.name, $0.title) }, uniquingKeysWith: { a, _ in a })
        if versions.count > 1 {
            let each = arrays.map { "\($0.array) is \($0.identifiedAs!) (\($0.version!))" }.joined(separator: ", ")
            return report(.wrongFile, "an npz mixing datasets or versions: \(each)", .integrity)
        }
        let first = arrays[0]
        let title = titles[first.dataset!] ?? first.dataset!
        let roles = Set(arrays.compactMap(\.role))
        let whole = roles.count == FileRole.allCases.count ? "all four files of " : ""
        var message = "an npz holding \(whole)\(title) \(first.version!) (\(mapping)), identified by payload SHA-256"
        let pins = registry.manifests.first { $0.name == first.dataset }?.versions.first { $0.name == first.version }?.artifacts ?? []
        if let pin = pins.first {
            message += "; not \(pin.loader)'s published \(pin.name) (SHA-256 \(contents.sha256.prefix(12))…, pinned \(pin.sha256.prefix(12))…): "
                + "\(pin.loader) would refuse and delete it as \(pin.name)"
        }
        return report(.ok, message, .success)
    }

    static func identify(_ array: NPZArray, index: KnownFileIndex) -> IdentifiedArray {
        let header = array.header
        func make(_ known: KnownFile?, _ problem: String?) -> IdentifiedArray {
            IdentifiedArray(
                array: array.name, dtype: header.descr, shape: header.shape, idxSHA256: array.idxSHA256,
                identifiedAs: known?.description, dataset: known?.dataset, version: known?.version, role: known?.role, problem: problem)
        }
        if !header.isUInt8 { return make(nil, "has dtype \(header.descr), not uint8: no MNIST-format file") }
        if header.fortranOrder { return make(nil, "is in Fortran order (fortran_order True): no MNIST-format file's byte order") }
        guard let digest = array.idxSHA256, let size = array.idxSize else { return make(nil, "cannot be an IDX payload (shape \(header.shape))") }
        guard let known = index.identify(payloadSHA256: digest, size: size) else {
            return make(nil, "matches no known file (shape \(ArtifactCrossCheck.shapeText(header.shape)), IDX SHA-256 \(digest.prefix(12))…)")
        }
        return make(known, nil)
    }
}
