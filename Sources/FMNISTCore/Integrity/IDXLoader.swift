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
    /// `payloadSize`, when the caller knows it (a recorded file), sizes the array once;
    /// `containerDigests: false` skips the container's MD5 and SHA-256 where the payload SHA-256
    /// alone is judged (the measurement's container digests are then "").
    public static func load(
        url: URL, expected: ManifestFile? = nil, classCount: Int = 10, payloadSize: Int64? = nil, containerDigests: Bool = true
    ) throws -> LoadedIDX {
        let limit = expected?.payload.size ?? StreamingVerifier.defaultPayloadLimit
        let verifier = StreamingVerifier(payloadLimit: limit, classCount: classCount, containerDigests: containerDigests)
        // The header goes to `header`, the elements straight into the array returned (no second copy).
        var header: [UInt8] = []
        var headerLength = 4
        var elements: [UInt8] = []
        elements.reserveCapacity(ByteSpan.reservation(min(limit, payloadSize ?? expected?.payload.size ?? 1 << 20)))
        verifier.onPayload = { chunk in
            var rest = chunk[...]
            while header.count < headerLength, let byte = rest.first {
                header.append(byte)
                rest = rest.dropFirst()
                if header.count == 4 { headerLength = 4 + 4 * Int(byte) }
            }
            elements.append(contentsOf: rest)
        }
        try FileVerifier.stream(url: url) { chunk in
            do { try verifier.feed(chunk); return true } catch { return false }
        }
        let m = verifier.finish()
        verifier.onPayload = nil
        if let fault = m.fault { throw LoadError(path: url.path, problem: fault.description) }
        if let expected, expected.payload.sha256 != m.payloadSHA256 {
            throw LoadError(path: url.path, problem: "payload differs from the expected \(expected.role.rawValue) (run `fmnist verify`)")
        }
        guard header.count == headerLength, headerLength == 4 + 4 * m.idxDims.count else {
            throw LoadError(path: url.path, problem: "the payload ends inside its IDX header (\(header.count) bytes)")
        }
        return LoadedIDX(dims: m.idxDims, elements: elements, measurement: m)
    }

    /// A file that could not be loaded as valid IDX data.
    public struct LoadError: FMNISTError {
        public let path: String
        /// What is wrong with the file, without advice.
        public let problem: String
        /// What the command line does about it (e.g. "refusing to train it (run `fmnist switch …`)"),
        /// appended to ``description``; the `FMNIST` front door says ``remedy`` instead.
        public let commandLineAdvice: String?

        public init(path: String, problem: String, commandLineAdvice: String? = nil) {
            self.path = path
            self.problem = problem
            self.commandLineAdvice = commandLineAdvice
        }

        public var exitStatus: ExitStatus { .integrity }
        public var remedy: Remedy? { .repair(dataset: nil) }
        public var description: String { "\(path): \(problem)" + (commandLineAdvice.map { "; \($0)" } ?? "") }
    }
}
