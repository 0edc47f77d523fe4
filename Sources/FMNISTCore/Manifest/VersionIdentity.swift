import Foundation

/// The identity of a dataset version: SHA-256 over its four roles and payload digests.
///
/// The digest input is one line per role in canonical order, `"<role> <payload-sha256>\n"`,
/// so two mirrors that compress the same payload differently yield the same version.
///
/// ```swift
/// let id = VersionIdentity(payloadDigests: [.trainImages: "c59f…", …])
/// print(id.short)   // 12 hex digits, e.g. "3f1a0c9be2d4"
/// ```
public struct VersionIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Full 64-hex identity.
    public let full: String

    public init(payloadDigests: [FileRole: String]) {
        var text = ""
        for role in FileRole.allCases {
            text += "\(role.rawValue) \(payloadDigests[role] ?? "")\n"
        }
        full = MessageDigest.sha256(Array(text.utf8))
    }

    public init(full: String) {
        self.full = full
    }

    /// The first 12 hex digits, as shown to people.
    public var short: String { String(full.prefix(12)) }

    public var description: String { short }

    /// How people see a version: the manifest's name for it (`knownAs`), or `UNKNOWN` for a
    /// version that matches no manifest (nil), with the short identity.
    ///
    /// ```swift
    /// VersionIdentity(full: id).label(knownAs: "2017-08-31")   // "2017-08-31 (3f1a0c9be2d4)"
    /// VersionIdentity(full: id).label(knownAs: nil)            // "UNKNOWN (3f1a0c9be2d4)"
    /// ```
    public func label(knownAs name: String?) -> String {
        "\(name ?? "UNKNOWN") (\(short))"
    }

    /// Whether `text` (at least 4 hex digits) is a prefix of this identity.
    public func matches(prefix text: String) -> Bool {
        text.count >= 4 && full.hasPrefix(text.lowercased())
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        var out = ""
        out.reserveCapacity(64)
        for byte in self {
            out += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return out
    }
}
