import Foundation

/// Identification of a single file given to `fmnist verify PATH`.
public struct SingleFileReport: Sendable, Codable {
    public let path: String
    public let status: FileStatus
    public let message: String
    public let identifiedAs: String?
    public let dataset: String?
    public let role: FileRole?
    public let measurement: FileMeasurement?
    public let exitStatus: ExitStatus

    /// Measures and identifies any file.
    public static func identify(url: URL, registry: ManifestRegistry) -> SingleFileReport {
        let index = KnownFileIndex(registry: registry)
        let m: FileMeasurement
        let compressed = !FileVerifier.looksLikeUncompressedIDX(url)
        do {
            m = try FileVerifier.measure(url: url, payloadLimit: index.largestPayload,
                                         classCount: registry.manifests.map { $0.classes.count }.max() ?? 10, compressed: compressed)
        } catch let error as FileAccessError {
            return SingleFileReport(path: url.path, status: .missing, message: error.problem, identifiedAs: nil,
                                    dataset: nil, role: nil, measurement: nil, exitStatus: error.exitStatus)
        } catch {
            return SingleFileReport(path: url.path, status: .corrupt, message: "\(error)", identifiedAs: nil,
                                    dataset: nil, role: nil, measurement: nil, exitStatus: .integrity)
        }
        if let fault = m.fault {
            return SingleFileReport(path: url.path, status: .corrupt, message: fault.description, identifiedAs: nil,
                                    dataset: nil, role: nil, measurement: m, exitStatus: .integrity)
        }
        if !compressed, let known = index.identify(payloadSHA256: m.payloadSHA256, size: m.payloadSize) {
            return SingleFileReport(path: url.path, status: .ok,
                                    message: "this is \(known) (\(known.version); the uncompressed payload of the published file)",
                                    identifiedAs: known.description, dataset: known.dataset, role: known.role, measurement: m,
                                    exitStatus: .success)
        }
        if let (known, match) = index.identify(m) {
            let how = match == .exactContainer ? "byte-identical to the published file" : "same data, different container"
            return SingleFileReport(path: url.path, status: match == .exactContainer ? .ok : .recompressed,
                                    message: "this is \(known) (\(known.version); \(how))", identifiedAs: known.description,
                                    dataset: known.dataset, role: known.role, measurement: m, exitStatus: .success)
        }
        let shape = m.idxDims.map(String.init).joined(separator: "×")
        let what = compressed
            ? "valid IDX \(shape)"
            : "an uncompressed IDX file\(url.pathExtension == "gz" ? " (named .gz but not compressed)" : ""), valid IDX \(shape),"
        return SingleFileReport(path: url.path, status: .unknown,
                                message: "\(what) but matches no known file",
                                identifiedAs: nil, dataset: nil, role: nil, measurement: m, exitStatus: .integrity)
    }
}
