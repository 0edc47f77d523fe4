import Foundation

/// An `s3://BUCKET/KEY` URL: what mirrors, the catalog and `fmnist.lock` show and store. It holds
/// no secret; the credentials come from ``S3Access`` (the standard AWS configuration) at fetch time.
///
/// ```swift
/// let location = S3Location("s3://team-data/fashion/train-images-idx3-ubyte.gz")!
/// location.httpURL(endpoint: nil, region: "eu-west-1")
/// // "https://team-data.s3.eu-west-1.amazonaws.com/fashion/train-images-idx3-ubyte.gz"
/// location.httpURL(endpoint: "http://127.0.0.1:9000", region: "us-east-1")
/// // "http://127.0.0.1:9000/team-data/fashion/train-images-idx3-ubyte.gz" (path-style)
/// ```
public struct S3Location: Sendable, Equatable {
    public let bucket: String
    /// The object key or prefix, percent-encoded as in the URL, without the leading `/`.
    public let key: String

    /// Whether `text` starts with `s3://` (any case).
    public static func isS3(_ text: String) -> Bool { text.lowercased().hasPrefix("s3://") }

    /// Parses `s3://BUCKET/KEY`; nil when `text` is no s3 URL.
    public init?(_ text: String) {
        guard Self.isS3(text) else { return nil }
        let rest = text.dropFirst(5)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        bucket = String(rest[..<slash])
        key = slash == rest.endIndex ? "" : String(rest[rest.index(after: slash)...])
    }

    /// Why `text` (an s3 URL) is not an acceptable mirror, or nil.
    public static func problem(with text: String) -> String? {
        guard let location = S3Location(text) else { return "\"\(text)\" is not an s3:// URL" }
        if location.bucket.contains("@") {
            return "s3:// URL must not carry credentials; give them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or in ~/.aws/credentials"
        }
        if location.key.contains("?") || location.key.contains("#") {
            return "s3:// URL must not carry a query or fragment"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(location.bucket.count), location.bucket.allSatisfy({ allowed.contains($0) }),
            location.bucket.first != "-", location.bucket.first != ".", location.bucket.last != "-", location.bucket.last != "."
        else {
            return "\"\(location.bucket)\" is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"
        }
        return nil
    }

    /// The https (or custom endpoint) URL of this location: path-style `ENDPOINT/BUCKET/KEY` for a
    /// custom endpoint (MinIO, Ceph, R2, moto) and for bucket names with dots (TLS names), else
    /// virtual-hosted `https://BUCKET.s3.REGION.amazonaws.com/KEY`.
    public func httpURL(endpoint: String?, region: String) -> String {
        if let endpoint {
            let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            return "\(base)/\(bucket)/\(key)"
        }
        if bucket.contains(".") { return "https://s3.\(region).amazonaws.com/\(bucket)/\(key)" }
        return "https://\(bucket).s3.\(region).amazonaws.com/\(key)"
    }
}

/// The AWS configuration s3 mirrors are read with, resolved as the AWS CLI and SDKs do:
///
/// | what | from (first that is set) | default |
/// |---|---|---|
/// | credentials | `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`); else profile `AWS_PROFILE` in `AWS_SHARED_CREDENTIALS_FILE` | profile `default` in `~/.aws/credentials`; none: anonymous requests |
/// | region | `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region` in `AWS_CONFIG_FILE` (`[profile NAME]` or `[default]`) | `us-east-1` |
/// | endpoint | `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` (path-style addressing) | AWS (virtual-hosted) |
///
/// The secret key and session token live only here and in libcurl (SigV4 signing); they are
/// never formatted into text (``MirrorAccess/scrub(_:)`` removes them from any library message).
public struct S3Access: Sendable, Equatable {
    public struct Credentials: Sendable, Equatable {
        public let accessKeyID: String
        public let secretAccessKey: String
        public let sessionToken: String?
        /// Where they came from, for messages: "AWS_ACCESS_KEY_ID" or "profile NAME in FILE".
        public let source: String
    }

    public var credentials: Credentials?
    public var region: String
    /// A custom endpoint (`http(s)://host[:port][/path]`), or nil for AWS.
    public var endpoint: String?

    public init(credentials: Credentials? = nil, region: String = "us-east-1", endpoint: String? = nil) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
    }

    /// Largest AWS credentials or config file read.
    static let maxFileSize = 256 * 1024

    /// Reads the configuration from `environment` and the AWS files it names. Throws a usage error
    /// naming the variable or file when it is malformed (half a key pair, a missing profile, a file
    /// that is not a regular file).
    public static func resolve(environment: [String: String]) throws -> S3Access {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME")
        let profileGiven = value("AWS_PROFILE")
        let profile = profileGiven ?? "default"
        var access = S3Access()

        if let endpoint = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") {
            let name = value("AWS_ENDPOINT_URL_S3") != nil ? "AWS_ENDPOINT_URL_S3" : "AWS_ENDPOINT_URL"
            guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                !(url.host ?? "").isEmpty, url.user == nil, url.query == nil
            else {
                throw UsageError(
                    "\(name)=\"\(RedactedURL.redact(endpoint))\" is not an http:// or https:// endpoint",
                    hint: "give the S3 endpoint's base URL, e.g. http://127.0.0.1:9000 (MinIO) or https://ACCOUNT.r2.cloudflarestorage.com")
            }
            access.endpoint = endpoint
        }

        let keyID = value("AWS_ACCESS_KEY_ID")
        let secret = value("AWS_SECRET_ACCESS_KEY")
        if keyID != nil || secret != nil {
            guard let keyID, let secret else {
                throw UsageError(
                    "\(keyID == nil ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") is set but \(keyID == nil ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") is not",
                    hint: "set both (and AWS_SESSION_TOKEN for temporary credentials), or unset both to use a profile")
            }
            access.credentials = Credentials(
                accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"), source: "AWS_ACCESS_KEY_ID")
        } else {
            let path = value("AWS_SHARED_CREDENTIALS_FILE") ?? home.map { $0 + "/.aws/credentials" }
            let sections = try path.map { try readINI($0, variable: value("AWS_SHARED_CREDENTIALS_FILE") != nil ? "AWS_SHARED_CREDENTIALS_FILE" : "~/.aws/credentials") } ?? nil
            if let section = sections?[profile] {
                guard let id = section["aws_access_key_id"], let key = section["aws_secret_access_key"] else {
                    throw UsageError(
                        "profile \"\(profile)\" in \"\(path!)\" lacks aws_access_key_id or aws_secret_access_key",
                        hint: "give both keys in the profile's section, or choose another profile with AWS_PROFILE")
                }
                access.credentials = Credentials(
                    accessKeyID: id, secretAccessKey: key, sessionToken: section["aws_session_token"],
                    source: "profile \(profile) in \(path!)")
            } else if profileGiven != nil {
                throw UsageError(
                    "AWS_PROFILE=\"\(profile)\" names no profile in \"\(path ?? "~/.aws/credentials")\"",
                    hint: "add a [\(profile)] section with aws_access_key_id and aws_secret_access_key, point AWS_SHARED_CREDENTIALS_FILE at the right file, or unset AWS_PROFILE")
            }
        }

        if let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") {
            access.region = region
        } else if let path = value("AWS_CONFIG_FILE") ?? home.map({ $0 + "/.aws/config" }),
            let sections = try readINI(path, variable: value("AWS_CONFIG_FILE") != nil ? "AWS_CONFIG_FILE" : "~/.aws/config"),
            let region = (profile == "default" ? sections["default"] : sections["profile \(profile)"])?["region"]
        {
            access.region = region
        }
        guard !access.region.isEmpty, access.region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw UsageError("AWS region \"\(access.region)\" is not a region name", hint: "set AWS_REGION, e.g. us-east-1")
        }
        return access
    }

    /// The sections of an INI file (`[name]`, `key = value`, `#`/`;` comments), or nil when it does
    /// not exist. Reads regular files only, at most ``maxFileSize`` bytes.
    static func readINI(_ path: String, variable: String) throws -> [String: [String: String]]? {
        guard let kind = RegularFile.kind(at: path) else { return nil }
        if kind != .regular {
            throw UsageError("\(variable) \"\(path)\" \(kind.refusal)", hint: "point \(variable) at a regular file in the AWS INI format")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UsageError("\(variable) \"\(path)\" cannot be read", hint: "check its permissions, or point \(variable) at another file")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxFileSize + 1)) ?? Data()
        if data.count > maxFileSize {
            throw UsageError("\(variable) \"\(path)\" is larger than \(maxFileSize / 1024) KiB", hint: "give an AWS credentials or config file")
        }
        var sections: [String: [String: String]] = [:]
        var current: String? = nil
        for raw in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }

    /// What libcurl needs for one s3 URL: the http(s) URL and, with credentials, the SigV4 provider
    /// string and the headers (`x-amz-content-sha256`, `x-amz-security-token`).
    func request(for location: S3Location) -> (url: String, sigv4: String?, headers: [MirrorHeader]) {
        let url = location.httpURL(endpoint: endpoint, region: region)
        guard let credentials else { return (url, nil, []) }
        var headers = [MirrorHeader(name: "x-amz-content-sha256", value: "UNSIGNED-PAYLOAD")]
        if let token = credentials.sessionToken { headers.append(MirrorHeader(name: "x-amz-security-token", value: token)) }
        return (url, "aws:amz:\(region):s3", headers)
    }

    /// The secrets to scrub from any text: the secret key and the session token.
    var secrets: [String] {
        [credentials?.secretAccessKey, credentials?.sessionToken].compactMap { $0 }.filter { $0.count >= 4 }
    }

    /// The code and message of an S3 XML error body (`<Error><Code>…</Code><Message>…</Message>`).
    public static func errorDetail(_ body: Data) -> (code: String, message: String?)? {
        let text = String(decoding: body.prefix(16 * 1024), as: UTF8.self)
        func element(_ name: String) -> String? {
            guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
            else { return nil }
            let value = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : String(value.prefix(300))
        }
        guard let code = element("Code"), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return (code, element("Message"))
    }

    /// What to do about an S3 error code.
    public static func hint(for code: String) -> String {
        switch code {
        case "SignatureDoesNotMatch":
            return "the secret key does not match the access key: check AWS_SECRET_ACCESS_KEY or the profile in ~/.aws/credentials (and the region)"
        case "InvalidAccessKeyId": return "the access key is unknown to this endpoint: check AWS_ACCESS_KEY_ID or the profile, and AWS_ENDPOINT_URL"
        case "AccessDenied", "AllAccessDisabled":
            return "the credentials may not read this bucket (or none were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)"
        case "ExpiredToken", "TokenRefreshRequired", "RequestExpired":
            return "the temporary credentials have expired: renew them (AWS_SESSION_TOKEN) and fetch again"
        case "InvalidToken": return "AWS_SESSION_TOKEN is not valid for these credentials"
        case "NoSuchBucket": return "no such bucket at this endpoint: check the bucket name and AWS_ENDPOINT_URL"
        case "NoSuchKey": return "the bucket has no such file under this prefix"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return "the bucket is in another region: set AWS_REGION to the bucket's region"
        default: return "see the S3 error code"
        }
    }
}
