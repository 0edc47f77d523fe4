import Foundation

/// The one place credentials are taken out of URLs and text. What fmnist shows (stderr, `--json`,
/// `log`, error messages, the resume command) and stores (the catalog, `fmnist.lock`, partial
/// sidecars) is always the redacted form; the real values live only in a ``MirrorAccess`` table in
/// memory and are handed to libcurl alone (``CurlTransfer``).
///
/// - URL user-info: the password becomes `***` (`http://user:***@host/…`); a user name alone is kept.
/// - Query parameters that carry secrets (`X-Amz-Signature`, `X-Amz-Credential`,
///   `X-Amz-Security-Token`, `Signature`, `sig`, `token`, `access_token`, `key`, any name containing
///   `token`, `signature`, `secret`, `password` or `credential`, or ending in `key`): value `***`.
/// - Header values from `.fmnist/config.json` and passwords are never formatted into text; any
///   text a library hands back (libcurl's error buffer) is scrubbed of them by ``MirrorAccess/scrub(_:)``.
///
/// Redaction is idempotent (`***` stays `***`) and works on free text: every `scheme://` in it is redacted.
///
/// ```swift
/// RedactedURL.redact("http://ann:s3cret@host/base/?X-Amz-Signature=abc&x=1")
/// // "http://ann:***@host/base/?X-Amz-Signature=***&x=1"
/// ```
public enum RedactedURL {
    /// What a secret is replaced by.
    public static let mask = "***"

    /// `text` with every URL's password and every secret query value replaced by ``mask``.
    public static func redact(_ text: String) -> String {
        guard text.contains("://") || text.contains("=") else { return text }
        return redactQuery(redactUserInfo(text))
    }

    /// True when `text` holds a redacted secret (a URL taken from `fmnist.lock` or the catalog).
    public static func isRedacted(_ text: String) -> Bool {
        text.contains(":\(mask)@") || text.contains("=\(mask)")
    }

    /// Whether a query parameter's value is a secret.
    public static func isSensitive(parameter name: String) -> Bool {
        let lower = name.lowercased()
        if ["sig", "signature", "token", "key", "auth", "pass", "pwd"].contains(lower) { return true }
        for part in ["token", "signature", "secret", "password", "credential", "apikey", "api_key", "api-key"] where lower.contains(part) {
            return true
        }
        return lower.hasSuffix("key") || lower.hasSuffix("_sig") || lower.hasSuffix("-sig")
    }

    /// A query parameter's name: letters, digits and `-_.%~` (no spaces: "; key=" in prose is no parameter).
    private static func isParameterName(_ name: Substring) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.%~".contains($0)) }
    }

    /// Characters that end a URL's authority (or a URL) in free text.
    private static func endsAuthority(_ c: Character) -> Bool {
        c == "/" || c == "?" || c == "#" || c == "\"" || c == "'" || c == "<" || c == ">" || c == "`" || c.isWhitespace
    }

    private static func endsValue(_ c: Character) -> Bool {
        c == "&" || c == "#" || c == ";" || c == "\"" || c == "'" || c == "<" || c == ">" || c == "`" || c == ")" || c.isWhitespace
    }

    /// Replaces the password of every `scheme://user:password@` in `text`.
    static func redactUserInfo(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: "://") {
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let authorityEnd = rest.firstIndex(where: endsAuthority) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard let at = authority.lastIndex(of: "@") else { continue }
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                result += userInfo[..<colon] + ":" + mask
            } else {
                result += userInfo
            }
            rest = rest[at...]
        }
        return result + rest
    }

    /// Replaces the value of every secret `name=value` that follows `?`, `&` or `;`.
    static func redactQuery(_ text: String) -> String {
        var result = ""
        var index = text.startIndex
        var afterSeparator = false
        while index < text.endIndex {
            let c = text[index]
            if afterSeparator, let equals = text[index...].firstIndex(where: { $0 == "=" || endsValue($0) || $0 == "?" || $0 == "/" }),
                text[equals] == "=", isParameterName(text[index..<equals]), isSensitive(parameter: String(text[index..<equals]))
            {
                let valueStart = text.index(after: equals)
                let valueEnd = text[valueStart...].firstIndex(where: endsValue) ?? text.endIndex
                result += text[index...equals] + mask
                index = valueEnd
                afterSeparator = false
                continue
            }
            result.append(c)
            afterSeparator = c == "?" || c == "&" || c == ";"
            index = text.index(after: index)
        }
        return result
    }

    /// `url` without its user-info (`http://user:pw@host/p` → `http://host/p`), and the user-info's
    /// user and password, percent-decoded. Nil parts when absent.
    public static func splitUserInfo(_ url: String) -> (bare: String, user: String?, password: String?) {
        guard let schemeEnd = url.range(of: "://") else { return (url, nil, nil) }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: endsAuthority) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return (url, nil, nil) }
        let userInfo = rest[..<at]
        let bare = String(url[..<schemeEnd.upperBound]) + rest[rest.index(after: at)...]
        func decoded(_ part: Substring) -> String { String(part).removingPercentEncoding ?? String(part) }
        if let colon = userInfo.firstIndex(of: ":") {
            return (bare, decoded(userInfo[..<colon]), decoded(userInfo[userInfo.index(after: colon)...]))
        }
        return (bare, userInfo.isEmpty ? nil : decoded(userInfo), nil)
    }
}

/// One header a mirror gets with every request (from `.fmnist/config.json`), its value already
/// expanded (`${NAME}` from the environment). The value is a secret: it is never printed.
public struct MirrorHeader: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// What one request needs beyond its (redacted) URL: the real URL, the user and password, the headers.
package struct AuthorizedRequest: Equatable {
    /// The URL handed to libcurl: real query values, no password (a user name alone, for netrc).
    package let url: String
    package let user: String?
    package let password: String?
    package let headers: [MirrorHeader]
    /// The URL came redacted (e.g. from `fmnist.lock`) and no configured mirror gave its secrets:
    /// only netrc can still supply them.
    package let credentialsMissing: Bool
    /// For an `s3://` URL signed with credentials: libcurl's `CURLOPT_AWS_SIGV4` provider string.
    package var sigv4: String? = nil
    /// The URL is an `s3://` location: error answers carry an XML body naming the cause.
    package var isS3 = false
}

/// The secrets of every mirror of a run, in memory only: the credentials found in mirror URLs
/// (`--mirror`, `FMNIST_MIRRORS`, `.fmnist/config.json`, manifests) and the configured headers.
/// Everything else in fmnist sees only ``RedactedURL/redact(_:)`` forms; ``authorize(_:)`` maps
/// one back to what libcurl sends.
public struct MirrorAccess: Sendable, Equatable {
    struct Credential: Sendable, Equatable {
        /// The redacted URL without user-info: what a request's redacted, bare URL starts with.
        let displayBase: String
        /// The real URL without user-info.
        let realBase: String
        let user: String?
        let password: String?
    }

    private(set) var credentials: [Credential] = []
    /// Headers per URL prefix (without user-info), longest prefix first when matched.
    private(set) var headers: [(prefix: String, headers: [MirrorHeader])] = []
    /// The netrc file libcurl reads (`NETRC`), or nil for libcurl's default `~/.netrc`.
    public var netrcFile: String?
    /// The AWS configuration `s3://` mirrors are read with (nil: anonymous, AWS defaults).
    public var s3: S3Access?

    public init() {}

    public static func == (a: MirrorAccess, b: MirrorAccess) -> Bool {
        a.credentials == b.credentials && a.netrcFile == b.netrcFile && a.headers.map(\.prefix) == b.headers.map(\.prefix)
            && a.headers.map(\.headers) == b.headers.map(\.headers) && a.s3 == b.s3
    }

    /// Whether any secret is held (credentials or headers).
    public var isEmpty: Bool { credentials.isEmpty && headers.isEmpty }

    /// Remembers the secrets of `url` (a raw mirror or file URL); returns its redacted form.
    @discardableResult
    public mutating func register(_ url: String) -> String {
        let display = RedactedURL.redact(url)
        let (bare, user, password) = RedactedURL.splitUserInfo(url)
        let displayBare = RedactedURL.splitUserInfo(display).bare
        let hasSecrets = (password != nil && password != RedactedURL.mask) || displayBare != bare
        if hasSecrets, !credentials.contains(where: { $0.displayBase == displayBare && $0.user == user }) {
            credentials.append(Credential(displayBase: displayBare, realBase: bare, user: user, password: password))
        }
        return display
    }

    /// Adds headers for every URL that starts with `prefix` (user-info ignored).
    public mutating func addHeaders(_ list: [MirrorHeader], for prefix: String) {
        headers.append((RedactedURL.splitUserInfo(prefix).bare, list))
        headers.sort { $0.prefix.count > $1.prefix.count }
    }

    /// The real request behind a redacted `url`.
    package func authorize(_ url: String) -> AuthorizedRequest {
        if let location = S3Location(url) {
            // s3:// URLs hold no secret: the AWS configuration signs them (SigV4 in libcurl).
            let aws = s3 ?? S3Access()
            let (real, sigv4, headers) = aws.request(for: location)
            var request = AuthorizedRequest(
                url: real, user: aws.credentials?.accessKeyID, password: aws.credentials?.secretAccessKey, headers: headers,
                credentialsMissing: aws.credentials == nil)
            request.sigv4 = sigv4
            request.isS3 = true
            return request
        }
        let display = RedactedURL.redact(url)
        let (bare, user, password) = RedactedURL.splitUserInfo(display)
        let candidates = credentials.filter { bare.hasPrefix($0.displayBase) }.sorted { $0.displayBase.count > $1.displayBase.count }
        let match = candidates.first(where: { user == nil || $0.user == user }) ?? candidates.first
        var realURL = bare
        var sendUser = user
        var sendPassword = password == RedactedURL.mask ? nil : password
        var missing = RedactedURL.isRedacted(display)
        if let match {
            realURL = match.realBase + bare.dropFirst(match.displayBase.count)
            sendUser = match.user ?? user
            sendPassword = match.password
            missing = false
        }
        if sendPassword == nil, let name = sendUser, let schemeEnd = realURL.range(of: "://") {
            // A user without a password stays in the URL, where libcurl's netrc lookup finds that
            // login's password (a user set as an option turns netrc off).
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@"))) ?? name
            realURL = String(realURL[..<schemeEnd.upperBound]) + encoded + "@" + realURL[schemeEnd.upperBound...]
            sendUser = nil
        }
        let extra = headers.first(where: { realURL.hasPrefix($0.prefix) || bare.hasPrefix($0.prefix) })?.headers ?? []
        if !extra.isEmpty { missing = false }  // a configured header may be the credential
        return AuthorizedRequest(url: realURL, user: sendUser, password: sendPassword, headers: extra, credentialsMissing: missing)
    }

    /// `text` with every secret this table holds (passwords, header values, real query values)
    /// replaced by `***`, then redacted as a URL text.
    public func scrub(_ text: String) -> String {
        var result = text
        var secrets: [String] = []
        for credential in credentials {
            if let password = credential.password, !password.isEmpty {
                secrets.append(password)
                if let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != password {
                    secrets.append(encoded)
                }
            }
            if credential.realBase != credential.displayBase {
                result = result.replacingOccurrences(of: credential.realBase, with: credential.displayBase)
            }
        }
        for entry in headers {
            for header in entry.headers {
                if header.value.count >= 4 { secrets.append(header.value) }
                // "Bearer TOKEN": the token alone too.
                if let last = header.value.split(separator: " ").last, last.count >= 4 { secrets.append(String(last)) }
            }
        }
        secrets += s3?.secrets ?? []
        for secret in secrets.sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: RedactedURL.mask)
        }
        return RedactedURL.redact(result)
    }
}
