import Foundation

/// The images an `fmnist audit --json` report lists, read back for `preview --from-audit`:
/// the version it audited, its label suspects and its near-duplicate pairs, as the report's
/// ``LabelIssue`` and ``NearDuplicate`` records.
///
/// ```swift
/// let selection = try AuditSelection.read("fashion-audit.json")
/// selection.labelIssues.first?.index   // the most suspicious training image
/// ```
public struct AuditSelection: Sendable, Decodable, Equatable {
    public let dataset: String
    public let versionId: String
    /// The report's own records (one definition for writing and reading them back).
    public let labelIssues: [LabelIssue]
    public let nearDuplicates: [NearDuplicate]

    enum CodingKeys: String, CodingKey {
        case dataset, versionId, labelIssues, nearDuplicates
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try container.decode(String.self, forKey: .dataset)
        versionId = try container.decode(String.self, forKey: .versionId)
        labelIssues = try container.decodeIfPresent([LabelIssue].self, forKey: .labelIssues) ?? []
        nearDuplicates = try container.decodeIfPresent([NearDuplicate].self, forKey: .nearDuplicates) ?? []
    }

    /// The largest report read (a report with 10,000 suspects per split and 1,000,000 pairs is smaller).
    public static let sizeLimit = 512 * 1024 * 1024

    /// Reads and decodes the report at `path` (a regular file, at most ``sizeLimit`` bytes).
    /// - Throws: ``FileAccessError`` when it cannot be read, ``UsageError`` when it is not an audit report.
    public static func read(_ path: String) throws -> AuditSelection {
        let hint = "write one with `fmnist audit DATASET --json > FILE.json`"
        let data = try RegularFile.read(path, limit: sizeLimit, exitStatus: .usage, hint: hint)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(AuditSelection.self, from: data)
        } catch {
            throw UsageError("--from-audit \(path) is not an `fmnist audit --json` report (\(Self.reason(error)))", hint: hint)
        }
    }

    /// A decoding error in a few words: which field, what was wrong.
    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "no \"\(key.stringValue)\"" + Self.path(context.codingPath)
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "unexpected value" + Self.path(context.codingPath)
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "bad value" + Self.path(context.codingPath)
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "" : " at " + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
