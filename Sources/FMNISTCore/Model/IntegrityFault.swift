/// A precise reason why the bytes of a file are not a valid MNIST-format `.gz` file.
/// Every fault is detected while streaming; none of them crashes or reads unbounded data.
public enum IntegrityFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file has no bytes at all.
    case empty
    /// The bytes look like an HTML (or XML) page: an error page served with status 200.
    case htmlPage(snippet: String)
    /// The bytes are not gzip (first bytes shown in hex), e.g. an uncompressed file or other data.
    case notGzip(firstBytes: String, detail: String?)
    /// The gzip stream is damaged (zlib's message), e.g. invalid deflate data.
    case corruptGzip(message: String)
    /// The gzip CRC-32 or length trailer does not match the data: bytes were altered.
    case crcMismatch
    /// The gzip stream ends before its end marker: the file was cut short.
    case truncatedGzip(containerBytes: Int64)
    /// Bytes follow the end of the gzip stream that are not another gzip member.
    case trailingGarbage(bytes: Int64)
    /// Decompression produced more than the bound: a gzip bomb or a different, larger file.
    case decompressionBomb(limit: Int64)
    /// The payload does not start with a known IDX magic (0x00000801 labels / 0x00000803 images).
    case badIDXMagic(found: String)
    /// The IDX header is incomplete or declares an impossible shape.
    case badIDXHeader(detail: String)
    /// The payload length differs from what the IDX header declares.
    case idxLengthMismatch(declared: Int64, actual: Int64)
    /// A label value is outside 0..<classCount.
    case labelOutOfRange(value: Int, index: Int64, classCount: Int)
    /// More bytes than the pinned size of a file checked by size and SHA-256 only (an artifact).
    case largerThanPinned(size: Int64)

    public var description: String {
        switch self {
        case .empty: return "the file is empty (0 bytes)"
        case .htmlPage(let snippet): return "the file is an HTML page, not gzip data (starts with \"\(snippet)\")"
        case .notGzip(let first, let detail):
            return "not a gzip file (first bytes \(first))" + (detail.map { ": \($0)" } ?? "")
        case .corruptGzip(let message): return "corrupt gzip data (\(message))"
        case .crcMismatch: return "gzip CRC check failed: the compressed bytes were altered"
        case .truncatedGzip(let bytes): return "truncated gzip stream: it ends after \(bytes) bytes without its end marker"
        case .trailingGarbage(let bytes): return "\(bytes) byte(s) of trailing garbage after the end of the gzip stream"
        case .decompressionBomb(let limit):
            return "decompresses to more than \(limit) bytes, the most this file may hold: a gzip bomb or a different file (stopped)"
        case .badIDXMagic(let found): return "wrong IDX magic \(found) (expected 0x00000801 for labels or 0x00000803 for images)"
        case .badIDXHeader(let detail): return "bad IDX header: \(detail)"
        case .idxLengthMismatch(let declared, let actual):
            return actual < declared
                ? "IDX payload is truncated: header declares \(declared) bytes, the stream holds \(actual)"
                : "IDX payload has \(actual - declared) extra byte(s) after the \(declared) its header declares"
        case .labelOutOfRange(let value, let index, let classCount):
            return "label \(value) at index \(index) is outside 0…\(classCount - 1)"
        case .largerThanPinned(let size): return "more than the pinned \(size) bytes: a different file (stopped)"
        }
    }

    /// A short machine-readable code for `--json` output (its raw value).
    public var code: Code {
        switch self {
        case .empty: return .empty
        case .htmlPage: return .htmlPage
        case .notGzip: return .notGzip
        case .corruptGzip: return .corruptGzip
        case .crcMismatch: return .crcMismatch
        case .truncatedGzip: return .truncatedGzip
        case .trailingGarbage: return .trailingGarbage
        case .decompressionBomb: return .decompressionBomb
        case .badIDXMagic: return .badIDXMagic
        case .badIDXHeader: return .badIDXHeader
        case .idxLengthMismatch: return .idxLengthMismatch
        case .labelOutOfRange: return .labelOutOfRange
        case .largerThanPinned: return .largerThanPinned
        }
    }

    /// What kind of fault it is, without its details: what `--json` prints as `fault`/`code`.
    ///
    /// ```swift
    /// IntegrityFault.crcMismatch.code.rawValue   // "crc_mismatch"
    /// ```
    public enum Code: String, Sendable, Codable, Hashable, CaseIterable {
        case empty
        case htmlPage = "html_page"
        case notGzip = "not_gzip"
        case corruptGzip = "corrupt_gzip"
        case crcMismatch = "crc_mismatch"
        case truncatedGzip = "truncated_gzip"
        case trailingGarbage = "trailing_garbage"
        case decompressionBomb = "decompression_bomb"
        case badIDXMagic = "bad_idx_magic"
        case badIDXHeader = "bad_idx_header"
        case idxLengthMismatch = "idx_length_mismatch"
        case labelOutOfRange = "label_out_of_range"
        case largerThanPinned = "too_large"
    }
}
