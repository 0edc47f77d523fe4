import Foundation

/// An IDX payload loaded into memory, verified on the way in.
public struct LoadedIDX: Sendable {
    /// Dimensions from the header, e.g. [60000, 28, 28].
    public let dims: [Int]
    /// The elements after the header (pixels or labels).
    public let elements: [UInt8]
    /// What the one pass measured.
    public let measurement: FileMeasurement
}

/// Loads `.gz` IDX files for training and previews, verifying them in the same pass.
public enum IDXLoader {
    /// Decompresses `url` into memory while measuring it. Throws the integrity fault if the
    /// bytes are not a valid IDX file, or if `expected` is given and the payload differs.
    public static func load(url: URL, expected: ManifestFile? = nil, classCount: Int = 10) throws -> LoadedIDX {
        let limit = expected?.payload.size ?? StreamingVerifier.defaultPayloadLimit
        let verifier = StreamingVerifier(payloadLimit: limit, classCount: classCount)
        var payload: [UInt8] = []
        payload.reserveCapacity(ByteSpan.reservation(min(limit, expected?.payload.size ?? 1 << 20)))
        verifier.onPayload = { chunk in payload.append(contentsOf: chunk) }
        try FileVerifier.stream(url: url) { chunk in
            do { try verifier.feed(chunk); return true } catch { return false }
        }
        let m = verifier.finish()
        verifier.onPayload = nil
        if let fault = m.fault { throw LoadError(path: url.path, problem: fault.description) }
        if let expected, expected.payload.sha256 != m.payloadSHA256 {
            throw LoadError(path: url.path, problem: "payload differs from the expected \(expected.role.rawValue) (run `fmnist verify`)")
        }
        let headerLength = 4 + 4 * m.idxDims.count
        guard payload.count >= headerLength else {
            throw LoadError(path: url.path, problem: "the payload ends inside its IDX header (\(payload.count) bytes)")
        }
        return LoadedIDX(dims: m.idxDims, elements: Array(payload[headerLength...]), measurement: m)
    }

    /// A file that could not be loaded as valid IDX data.
    public struct LoadError: FMNISTError {
        public let path: String
        public let problem: String
        public var exitStatus: ExitStatus { .integrity }
        public var hint: String? { "run `fmnist verify` to see what is wrong, then `fmnist fetch` to repair it" }
        public var description: String { "\(path): \(problem)" }
    }
}
