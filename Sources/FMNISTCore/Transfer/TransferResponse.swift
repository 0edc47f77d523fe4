import Foundation

/// One download request: a URL, optionally resumed from a byte offset.
public struct TransferRequest: Sendable, Equatable {
    /// An http, https or file URL.
    public var url: String
    /// Bytes already held: the request asks for `offset-` (HTTP Range). 0 asks for the whole file.
    public var offset: Int64
    /// A validator (ETag or Last-Modified) sent as `If-Range`, so that a changed file comes back whole.
    public var ifRange: String?

    public init(url: String, offset: Int64 = 0, ifRange: String? = nil) {
        self.url = url
        self.offset = max(0, offset)
        self.ifRange = ifRange
    }
}

/// What a server answered, known before the first body byte arrives.
public struct TransferResponse: Sendable, Equatable, Codable {
    /// HTTP status; 0 for file:// sources.
    public var status: Int
    public var etag: String?
    public var lastModified: String?
    public var contentType: String?
    /// The first byte offset of a `206 Partial Content` answer (from `Content-Range`).
    public var rangeStart: Int64?
    /// The size of the whole resource when the server says (Content-Range total, or Content-Length of a 200).
    public var totalSize: Int64?
    /// The URL after redirects.
    public var effectiveURL: String

    /// Whether the body continues at the requested offset: a 206 (or a file:// source, which honours ranges).
    public func continues(from offset: Int64) -> Bool {
        if status == 0 { return true }
        return status == 206 && (rangeStart ?? -1) == offset
    }
}

/// What one transfer achieved.
public struct TransferResult: Sendable {
    /// The answer, when one was received.
    public var response: TransferResponse?
    /// Body bytes received (and handed to the receiver).
    public var bytes: Int64
    /// Wall time of the transfer in seconds.
    public var duration: Double
    /// Why it failed; nil when the body was received completely.
    public var failure: TransferFailure?
    /// With a busy answer (503, 429): the seconds its `Retry-After` header asks for (``RetryAfter``).
    public var retryAfter: Double? = nil
}
