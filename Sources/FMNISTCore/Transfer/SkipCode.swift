/// Why a mirror was not used for a file, or what one request came to, as a machine-readable code:
/// the `code` of a ``MirrorSkip`` and of ``MirrorFailure`` in `--json` (its ``rawValue``). Typed,
/// so that the diagnosis (``FetchDiagnosis``), the progress display and the retry rules compare
/// cases, never strings.
///
/// ```swift
/// SkipCode.http(404).rawValue              // "http_404"
/// SkipCode(rawValue: "wrong_file")         // .wrongFile
/// SkipCode(IntegrityFault.Code.htmlPage)   // .htmlPage
/// ```
public enum SkipCode: Sendable, Hashable, Codable, RawRepresentable, CustomStringConvertible {
    /// The request delivered the file (a verdict, never a skip).
    case ok
    /// Cancelled (Ctrl-C, SIGTERM).
    case interrupted
    /// `--offline`, and the mirror is not a local `file://` source.
    case offline
    /// The mirror was busy (503, 429, refused under load) for the file's whole time on it.
    case overloaded
    /// The file's time on the mirror ran out.
    case deadline
    /// The server answered a Range request with something that does not continue the bytes held.
    case badRange
    /// The size announced is larger than any file of this role.
    case wrongSize
    /// A `file://` source that is a FIFO, a folder, … rather than a regular file.
    case notRegularFile
    /// The body ran past any file of this role (an endless or wrong body), or past a pinned size.
    case tooLarge
    /// Valid data of no known version, refused.
    case unknownContent
    /// Another known file (the other dataset, another role).
    case wrongFile
    /// Bad bytes with no more precise fault.
    case corrupt
    /// An artifact shorter than its pinned size.
    case truncated
    /// An artifact of its pinned size whose SHA-256 differs.
    case wrongSHA256
    /// A fault found in the bytes (``IntegrityFault/Code``), except ``IntegrityFault/Code/largerThanPinned``
    /// (that one is ``tooLarge``).
    case empty, htmlPage, notGzip, corruptGzip, crcMismatch, truncatedGzip, trailingGarbage, decompressionBomb
    case badIDXMagic, badIDXHeader, idxLengthMismatch, labelOutOfRange
    /// How a transfer failed (``TransferFailure``).
    case redirectRefused, tooManyRedirects, certificate, timeout, connectionLost, unreachable, refused, localFile, aborted
    /// Any other libcurl failure.
    case transferError
    /// An HTTP error status (`http_404`, `http_503`, …).
    case http(Int)

    /// Every code but ``http(_:)``: those whose raw value is a fixed word.
    public static let fixed: [SkipCode] = [
        .ok, .interrupted, .offline, .overloaded, .deadline, .badRange, .wrongSize, .notRegularFile, .tooLarge, .unknownContent,
        .wrongFile, .corrupt, .truncated, .wrongSHA256, .redirectRefused, .tooManyRedirects, .certificate, .timeout,
        .connectionLost, .unreachable, .refused, .localFile, .aborted, .transferError, .empty, .htmlPage, .notGzip, .corruptGzip,
        .crcMismatch, .truncatedGzip, .trailingGarbage, .decompressionBomb, .badIDXMagic, .badIDXHeader, .idxLengthMismatch,
        .labelOutOfRange,
    ]
    private static let byWord: [String: SkipCode] = Dictionary(uniqueKeysWithValues: fixed.map { ($0.rawValue, $0) })

    public var rawValue: String {
        switch self {
        case .http(let status): return "http_\(status)"
        case .ok: return "ok"
        case .interrupted: return "interrupted"
        case .offline: return "offline"
        case .overloaded: return "overloaded"
        case .deadline: return "deadline"
        case .badRange: return "bad_range"
        case .wrongSize: return "wrong_size"
        case .notRegularFile: return "not_regular_file"
        case .tooLarge: return "too_large"
        case .unknownContent: return "unknown_content"
        case .wrongFile: return "wrong_file"
        case .corrupt: return "corrupt"
        case .truncated: return "truncated"
        case .wrongSHA256: return "wrong_sha256"
        case .redirectRefused: return "redirect_refused"
        case .tooManyRedirects: return "too_many_redirects"
        case .certificate: return "certificate"
        case .timeout: return "timeout"
        case .connectionLost: return "connection_lost"
        case .unreachable: return "unreachable"
        case .refused: return "refused"
        case .localFile: return "local_file"
        case .aborted: return "aborted"
        case .transferError: return "transfer_error"
        case .empty: return "empty"
        case .htmlPage: return "html_page"
        case .notGzip: return "not_gzip"
        case .corruptGzip: return "corrupt_gzip"
        case .crcMismatch: return "crc_mismatch"
        case .truncatedGzip: return "truncated_gzip"
        case .trailingGarbage: return "trailing_garbage"
        case .decompressionBomb: return "decompression_bomb"
        case .badIDXMagic: return "bad_idx_magic"
        case .badIDXHeader: return "bad_idx_header"
        case .idxLengthMismatch: return "idx_length_mismatch"
        case .labelOutOfRange: return "label_out_of_range"
        }
    }

    public init?(rawValue: String) {
        if let code = Self.byWord[rawValue] {
            self = code
        } else if rawValue.hasPrefix("http_"), let status = Int(rawValue.dropFirst(5)) {
            self = .http(status)
        } else {
            return nil
        }
    }

    /// The skip code of a fault found in the bytes (same raw value).
    public init(_ fault: IntegrityFault.Code) {
        self = SkipCode(rawValue: fault.rawValue)!
    }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = SkipCode(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown skip code \(text)"))
        }
        self = code
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Codes that mean "the mirror answered with the wrong bytes".
    static let content: Set<SkipCode> = [.wrongFile, .unknownContent, .htmlPage, .notGzip, .wrongSize, .tooLarge]
    /// Codes that mean "the mirror did not answer" (could not be reached, or stopped answering).
    static let unanswered: Set<SkipCode> = [.unreachable, .timeout, .connectionLost, .deadline, .refused]
}
