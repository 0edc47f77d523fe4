/// The URL schemes a mirror may use, and what each one means to fmnist. Every rule that depends
/// on a mirror's scheme (which URLs are accepted, which are local for `--offline`, which speak
/// HTTP for host slots and config headers, which protocols libcurl may use) asks this type, so a
/// new scheme is one case here plus its transfer.
///
/// ```swift
/// MirrorScheme(of: "https://example.org/fm/")   // .https
/// MirrorScheme(of: "file:///srv/fm/")?.isLocal  // true
/// MirrorScheme(of: "ftp://host/")               // nil: not a mirror scheme
/// ```
public enum MirrorScheme: String, CaseIterable, Sendable {
    case http, https, s3, file

    /// The scheme of `url` (the text before its first `:`, case-insensitive), or nil when it has
    /// none or one no mirror may use.
    public init?(of url: String) {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        self.init(rawValue: url[..<colon].lowercased())
    }

    /// Read from this machine's file system: allowed with `--offline`, never a network failure,
    /// and with no host (or `localhost`) and no credentials.
    public var isLocal: Bool { self == .file }

    /// Spoken over HTTP by libcurl: per-host transfer slots, `.fmnist/config.json` headers,
    /// `Retry-After`. (s3:// is signed HTTP too, but is addressed by bucket and key.)
    public var isHTTP: Bool { self == .http || self == .https }

    /// The port a URL of this scheme uses when it names none (HTTP schemes only).
    public var defaultPort: Int? {
        switch self {
        case .http: return 80
        case .https: return 443
        case .s3, .file: return nil
        }
    }

    /// The schemes as messages list them: "http, https, s3 and file".
    public static var spelled: String {
        allCases.map(\.rawValue).spokenList("and")
    }

    /// The protocols libcurl may start a transfer with (an s3:// mirror becomes an http(s) request
    /// to its endpoint).
    static let curlProtocols = "http,https,file"
    /// The protocols a redirect may lead to: never from a remote mirror to a local file.
    static let curlRedirectProtocols = "http,https"
}
