/// A precise reason why a file is not a readable numpy `.npz` archive of `.npy` arrays. Every
/// fault is found with bounded reads; none crashes, hangs or inflates without a limit.
public enum NPZFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file has no bytes at all.
    case empty
    /// The bytes look like an HTML (or XML) page: an error page served with status 200.
    case htmlPage(snippet: String)
    /// No zip end-of-central-directory record: not a zip archive (first bytes shown in hex).
    case notZip(firstBytes: String)
    /// The archive ends before a structure it declares (cut short).
    case truncated(detail: String)
    /// A zip structure is inconsistent (bad signature, offsets outside the file, sizes that disagree).
    case malformedZip(detail: String)
    /// More entries, or a larger central directory, than an npz of a dataset can have.
    case tooManyEntries(count: Int, limit: Int)
    /// An entry name that is empty, too long, not UTF-8, or a path.
    case badEntryName(detail: String)
    /// Two entries with one name.
    case duplicateEntry(name: String)
    /// An encrypted entry (fmnist never decrypts).
    case encrypted(name: String)
    /// A compression method other than stored (0) and deflate (8).
    case unsupportedMethod(name: String, method: Int)
    /// An entry that declares (or inflates to) more bytes than the bound: a zip bomb or another file.
    case entryTooLarge(name: String, size: Int64, limit: Int64)
    /// zlib refused the deflate data of an entry.
    case corruptDeflate(name: String, message: String)
    /// An entry inflated to another size than its header declares.
    case sizeMismatch(name: String, declared: Int64, actual: Int64)
    /// The CRC-32 of an entry's bytes differs from the recorded one: the bytes were altered.
    case crcMismatch(name: String)
    /// An entry that is not a `.npy` array (`np.savez` writes nothing else).
    case notAnArray(name: String)
    /// The `.npy` header of an entry is missing, too long or not what numpy writes.
    case badNPYHeader(name: String, detail: String)
    /// The array data is not as long as the header's dtype and shape say.
    case arrayLengthMismatch(name: String, expected: Int64, actual: Int64)
    /// The file could not be read (an I/O error).
    case readFailed(detail: String)

    public var description: String {
        switch self {
        case .empty: return "the file is empty (0 bytes)"
        case .htmlPage(let snippet): return "the file is an HTML page, not a zip archive (starts with \"\(snippet)\")"
        case .notZip(let first): return "not a zip archive (first bytes \(first); no end-of-central-directory record)"
        case .truncated(let detail): return "the archive is cut short: \(detail)"
        case .malformedZip(let detail): return "malformed zip archive: \(detail)"
        case .tooManyEntries(let count, let limit): return "\(count) entries, more than the \(limit) an npz of a dataset may have"
        case .badEntryName(let detail): return "bad entry name: \(detail)"
        case .duplicateEntry(let name): return "two entries are named \(name)"
        case .encrypted(let name): return "entry \(name) is encrypted"
        case .unsupportedMethod(let name, let method):
            return "entry \(name) uses compression method \(method) (only stored, 0, and deflate, 8, are read)"
        case .entryTooLarge(let name, let size, let limit):
            return "entry \(name) holds \(size) bytes, more than the \(limit) any known array may have: a zip bomb or a different file (not inflated)"
        case .corruptDeflate(let name, let message): return "entry \(name): corrupt deflate data (\(message))"
        case .sizeMismatch(let name, let declared, let actual):
            return "entry \(name) inflates to \(actual) bytes, its header declares \(declared)"
        case .crcMismatch(let name): return "entry \(name): CRC-32 check failed, the bytes were altered"
        case .notAnArray(let name): return "entry \(name) is not a .npy array"
        case .badNPYHeader(let name, let detail): return "entry \(name): bad .npy header: \(detail)"
        case .arrayLengthMismatch(let name, let expected, let actual):
            return "entry \(name): the array holds \(actual) data bytes, its dtype and shape say \(expected)"
        case .readFailed(let detail): return "cannot be read: \(detail)"
        }
    }

    /// A short machine-readable code for `--json` output (its raw value).
    public var code: Code {
        switch self {
        case .empty: return .empty
        case .htmlPage: return .htmlPage
        case .notZip: return .notZip
        case .truncated: return .truncated
        case .malformedZip: return .malformedZip
        case .tooManyEntries: return .tooManyEntries
        case .badEntryName: return .badEntryName
        case .duplicateEntry: return .duplicateEntry
        case .encrypted: return .encrypted
        case .unsupportedMethod: return .unsupportedMethod
        case .entryTooLarge: return .entryTooLarge
        case .corruptDeflate: return .corruptDeflate
        case .sizeMismatch: return .sizeMismatch
        case .crcMismatch: return .crcMismatch
        case .notAnArray: return .notAnArray
        case .badNPYHeader: return .badNPYHeader
        case .arrayLengthMismatch: return .arrayLengthMismatch
        case .readFailed: return .readFailed
        }
    }

    /// What kind of npz fault it is, without its details: what `--json` prints as `fault_code`.
    ///
    /// ```swift
    /// NPZFault.crcMismatch(name: "x.npy").code.rawValue   // "crc_mismatch"
    /// ```
    public enum Code: String, Sendable, Codable, Hashable, CaseIterable {
        case empty
        case htmlPage = "html_page"
        case notZip = "not_zip"
        case truncated = "truncated_zip"
        case malformedZip = "malformed_zip"
        case tooManyEntries = "too_many_entries"
        case badEntryName = "bad_entry_name"
        case duplicateEntry = "duplicate_entry"
        case encrypted = "encrypted_entry"
        case unsupportedMethod = "unsupported_method"
        case entryTooLarge = "entry_too_large"
        case corruptDeflate = "corrupt_deflate"
        case sizeMismatch = "size_mismatch"
        case crcMismatch = "crc_mismatch"
        case notAnArray = "not_an_array"
        case badNPYHeader = "bad_npy_header"
        case arrayLengthMismatch = "array_length_mismatch"
        case readFailed = "read_failed"
    }
}
