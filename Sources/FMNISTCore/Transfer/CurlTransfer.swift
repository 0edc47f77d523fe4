import CCurl
import Foundation

/// One download over libcurl: http, https (certificates verified) and file://, resumable with
/// HTTP Range, redirects only within http/https and bounded, connect and low-speed timeouts,
/// `User-Agent: fmnist/<version>`. Proxies come from libcurl's standard environment variables
/// (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`).
///
/// The body is streamed to `onData` as it arrives; `onResponse` sees the status and headers
/// first and may refuse the body. C types stay inside this type.
///
/// ```swift
/// let transfer = CurlTransfer(settings: try TransferSettings.resolve())
/// let result = transfer.perform(TransferRequest(url: url, offset: 1024),
///     onResponse: { response in response.continues(from: 1024) || response.status == 200 },
///     onData: { chunk in verifier.feedOrStop(chunk) })
/// if let failure = result.failure { print(failure) }
/// ```
package final class CurlTransfer {

    private static let globalInit: CURLcode = fmnist_curl_global_init()

    package let settings: TransferSettings

    package init(settings: TransferSettings) {
        _ = CurlTransfer.globalInit
        self.settings = settings
    }

    /// The libcurl version in use, e.g. "libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13".
    package static var libraryVersion: String {
        _ = globalInit
        return String(cString: fmnist_curl_version())
    }

    /// Downloads `request.url`. Blocks until the transfer ends; call it from a worker thread.
    ///
    /// - Parameters:
    ///   - onResponse: called once before the first body byte (or at the end for an empty body)
    ///     with the status and headers; return false to stop (the result then fails with
    ///     `.abortedByReceiver`).
    ///   - onData: called with each chunk of the body; return false to stop.
    ///   - deadline: an uptime (`DispatchTime.now().uptimeNanoseconds`) after which the transfer
    ///     stops with `.deadline`, whatever the server does (connect and DNS included).
    ///   - cancellation: polled at least once a second (libcurl's progress callback); when set,
    ///     the transfer stops with `.interrupted`.
    package func perform(
        _ request: TransferRequest, deadline: UInt64? = nil, cancellation: Cancellation? = nil,
        onResponse: (TransferResponse) -> Bool, onData: (UnsafeRawBufferPointer) -> Bool
    ) -> TransferResult {
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        let authorized = settings.access.authorize(request.url)
        // At most `hostConnections` transfers of this process run against one host; the wait for a
        // slot counts against the deadline.
        let host = HostSlots.key(authorized.url)
        if let host {
            switch HostSlots.shared.acquire(host, limit: settings.hostConnections, deadline: deadline, cancellation: cancellation) {
            case .acquired: break
            case .cancelled: return TransferResult(response: nil, bytes: 0, duration: elapsed(), failure: .interrupted)
            case .pastDeadline:
                return TransferResult(
                    response: nil, bytes: 0, duration: elapsed(),
                    failure: .deadline(seconds: Double(max(deadline ?? started, started) - started) / 1e9))
            }
        }
        defer { if let host { HostSlots.shared.release(host) } }
        let answeredBefore = host.map(HostSlots.shared.hasAnswered) ?? false
        guard let handle = curl_easy_init() else {
            return TransferResult(
                response: nil, bytes: 0, duration: 0, failure: .other(code: -1, message: "curl_easy_init failed"))
        }
        defer { curl_easy_cleanup(handle) }
        return withoutActuallyEscaping(onResponse) { onResponse in
            withoutActuallyEscaping(onData) { onData in
                let context = TransferContext(
                    handle: handle, request: request, deadline: deadline, cancellation: cancellation, onResponse: onResponse,
                    onData: onData)
                let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: fmnist_curl_error_size())
                errorBuffer.initialize(repeating: 0, count: fmnist_curl_error_size())
                defer { errorBuffer.deallocate() }
                var headerList: UnsafeMutablePointer<curl_slist>? = nil
                defer { curl_slist_free_all(headerList) }

                context.isS3 = authorized.isS3
                configure(handle, request: request, authorized: authorized, errorBuffer: errorBuffer)
                if let validator = request.ifRange, request.offset > 0 {
                    headerList = curl_slist_append(headerList, "If-Range: \(validator)")
                }
                for header in authorized.headers {
                    headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
                }
                if headerList != nil { fmnist_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) }
                let pointer = Unmanaged.passUnretained(context).toOpaque()
                fmnist_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, pointer)
                fmnist_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, pointer)
                fmnist_curl_setopt_write_function(handle) { data, size, count, context in
                    let total = size * count
                    guard let context else { return 0 }
                    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
                    return transfer.receive(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
                }
                fmnist_curl_setopt_header_function(handle) { data, size, count, context in
                    let total = size * count
                    guard let context, let data else { return total }
                    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
                    transfer.header(UnsafeRawBufferPointer(start: data, count: total))
                    return total
                }

                fmnist_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
                fmnist_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, pointer)
                fmnist_curl_setopt_xferinfo_function(handle) { context, _, _, _, _ in
                    guard let context else { return 0 }
                    return Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue().shouldContinue() ? 0 : 1
                }
                if let deadline {
                    // A backstop in libcurl itself, a little after the deadline the callback enforces.
                    let now = DispatchTime.now().uptimeNanoseconds
                    let remaining = deadline > now ? Int((deadline - now) / 1_000_000) : 0
                    fmnist_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, remaining + 2000))
                }

                let code = curl_easy_perform(handle)
                if let host, context.answered { HostSlots.shared.markAnswered(host) }
                var failure: TransferFailure? = nil
                if context.interrupted {
                    failure = .interrupted
                } else if context.pastDeadline || (deadline.map { DispatchTime.now().uptimeNanoseconds >= $0 } ?? false) && code != CURLE_OK {
                    failure = .deadline(seconds: Double(max(deadline ?? started, started) - started) / 1e9)
                } else if let status = context.errorStatus {
                    // An s3 error answer: its XML body names the cause.
                    if let detail = S3Access.errorDetail(context.errorBody) {
                        failure = .s3(status: status, code: detail.code, message: detail.message.map(settings.access.scrub))
                    } else {
                        failure = .httpStatus(status)
                    }
                } else if context.stopped {
                    failure = .abortedByReceiver
                } else if code != CURLE_OK {
                    failure = classify(
                        code, handle: handle, message: settings.access.scrub(String(cString: errorBuffer)), location: context.location,
                        answeredBefore: answeredBefore)
                } else if context.isS3, let status = context.errorAnswer() {
                    failure = .httpStatus(status)
                } else if !context.announced {
                    // An empty body: the receiver still gets to judge the answer.
                    if !context.announce() { failure = .abortedByReceiver }
                }
                // A busy answer (503, 429) may say when to come back.
                let retryAfter = failure?.isOverload == true
                    ? context.headerValue("retry-after").flatMap { RetryAfter.seconds($0, date: context.headerValue("date")) } : nil
                return TransferResult(
                    response: context.response ?? (context.announced ? nil : context.makeResponse()),
                    bytes: context.bytes, duration: elapsed(), failure: failure, retryAfter: retryAfter)
            }
        }
    }

    private func configure(
        _ handle: UnsafeMutableRawPointer, request: TransferRequest, authorized: AuthorizedRequest,
        errorBuffer: UnsafeMutablePointer<CChar>
    ) {
        // The real URL (query secrets restored, no user-info) and the credentials go to libcurl
        // only; everything else sees `request.url`, redacted.
        fmnist_curl_setopt_string(handle, CURLOPT_URL, authorized.url)
        if let sigv4 = authorized.sigv4 {
            // s3:// with credentials: libcurl signs each request (SigV4) with the access key as
            // user and the secret key as password; the payload hash is not computed (GET).
            fmnist_curl_setopt_string(handle, CURLOPT_AWS_SIGV4, sigv4)
        }
        if let user = authorized.user { fmnist_curl_setopt_string(handle, CURLOPT_USERNAME, user) }
        if let password = authorized.password { fmnist_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        // Credentials (user-info, netrc, an Authorization header) go to the mirror's host only, never
        // to the host a redirect leads to.
        fmnist_curl_setopt_long(handle, CURLOPT_UNRESTRICTED_AUTH, 0)
        fmnist_curl_setopt_long(
            handle, CURLOPT_NETRC, Int(authorized.isS3 ? CURL_NETRC_IGNORED.rawValue : CURL_NETRC_OPTIONAL.rawValue))
        if let netrc = settings.access.netrcFile { fmnist_curl_setopt_string(handle, CURLOPT_NETRC_FILE, netrc) }
        fmnist_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, MirrorScheme.curlProtocols)
        fmnist_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, MirrorScheme.curlRedirectProtocols)
        // libcurl drops Authorization and Cookie on a redirect to another host, but sends other
        // custom headers on: a mirror configured with such a header is not followed through redirects.
        let sensitiveHeaders = authorized.headers.contains { !["authorization", "cookie"].contains($0.name.lowercased()) }
        // A signed s3 request is never followed elsewhere (S3 answers a wrong region with 301).
        fmnist_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, sensitiveHeaders || authorized.isS3 ? 0 : 1)
        fmnist_curl_setopt_long(handle, CURLOPT_MAXREDIRS, settings.maxRedirects)
        fmnist_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // s3 error answers are read (bounded) for the cause their XML body names.
        fmnist_curl_setopt_long(handle, CURLOPT_FAILONERROR, authorized.isS3 ? 0 : 1)
        fmnist_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        fmnist_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedLimit)
        fmnist_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, settings.lowSpeedTime)
        fmnist_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        fmnist_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        fmnist_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, settings.bufferSize)
        fmnist_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        fmnist_curl_setopt_string(handle, CURLOPT_USERAGENT, settings.userAgent)
        fmnist_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if let ca = settings.caBundle { fmnist_curl_setopt_string(handle, CURLOPT_CAINFO, ca) }
        if request.offset > 0 { fmnist_curl_setopt_string(handle, CURLOPT_RANGE, "\(request.offset)-") }
    }

    private func classify(
        _ code: CURLcode, handle: UnsafeMutableRawPointer, message detail: String, location: String?, answeredBefore: Bool
    ) -> TransferFailure {
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_HTTP_RETURNED_ERROR:
            var status = 0
            fmnist_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return status >= 400 ? .httpStatus(status) : .other(code: Int(code.rawValue), message: message)
        case CURLE_UNSUPPORTED_PROTOCOL:
            var target: UnsafeMutablePointer<CChar>? = nil
            fmnist_curl_getinfo_string(handle, CURLINFO_REDIRECT_URL, &target)
            var redirects = 0
            fmnist_curl_getinfo_long(handle, CURLINFO_REDIRECT_COUNT, &redirects)
            let location = (target.map { String(cString: $0) } ?? location).map(settings.access.scrub)
            if location != nil || redirects > 0 || message.contains("redirect") { return .redirectRefused(target: location) }
            return .other(code: Int(code.rawValue), message: message)
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects(limit: settings.maxRedirects)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CONNECT_ERROR:
            return .certificate(message: message)
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(message: message)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost(message: message)
        case CURLE_COULDNT_CONNECT where answeredBefore:
            // The host answered this process before: a full accept queue (busy), not a host that is down.
            return .refused(message: message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .unresolved(message: message)
        case CURLE_COULDNT_CONNECT:
            return .unreachable(message: message)
        case CURLE_FILE_COULDNT_READ_FILE, CURLE_READ_ERROR, CURLE_BAD_DOWNLOAD_RESUME:
            return .localFile(message: message)
        default:
            return .other(code: Int(code.rawValue), message: message)
        }
    }
}

/// State shared with the C callbacks of one transfer (passed as an unretained context pointer).
private final class TransferContext {
    let handle: UnsafeMutableRawPointer
    let request: TransferRequest
    let onResponse: (TransferResponse) -> Bool
    let onData: (UnsafeRawBufferPointer) -> Bool
    let deadline: UInt64?
    let cancellation: Cancellation?
    private(set) var interrupted = false
    private(set) var pastDeadline = false
    private var headers: [String: String] = [:]
    /// A header of the last response (lowercase name), e.g. `retry-after`.
    func headerValue(_ name: String) -> String? { headers[name] }
    /// Whether a status line arrived (the host answered, whatever it said).
    private(set) var answered = false
    /// The last `Location` header seen (the target of a refused redirect).
    private(set) var location: String?
    private(set) var response: TransferResponse?
    private(set) var announced = false
    private(set) var stopped = false
    private(set) var bytes: Int64 = 0
    /// An s3 request: error answers (status ≥ 300) are kept in ``errorBody`` instead of delivered.
    var isS3 = false
    private(set) var errorStatus: Int?
    private(set) var errorBody = Data()
    static let maxErrorBody = 16 * 1024

    init(
        handle: UnsafeMutableRawPointer, request: TransferRequest, deadline: UInt64?, cancellation: Cancellation?,
        onResponse: @escaping (TransferResponse) -> Bool, onData: @escaping (UnsafeRawBufferPointer) -> Bool
    ) {
        self.handle = handle
        self.request = request
        self.deadline = deadline
        self.cancellation = cancellation
        self.onResponse = onResponse
        self.onData = onData
    }

    /// The progress callback's verdict: false once cancelled or past the deadline.
    func shouldContinue() -> Bool {
        if cancellation?.isCancelled == true {
            interrupted = true
            return false
        }
        if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline {
            pastDeadline = true
            return false
        }
        return true
    }

    /// One header line; a status line starts a new response (after a redirect or `100 Continue`).
    func header(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            answered = true
            headers = [:]
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headers[name] = value
        if name == "location" { location = value }
    }

    /// The status of the answer when it is an error or a redirect (≥ 300), else nil.
    func errorAnswer() -> Int? {
        var status = 0
        fmnist_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status >= 300 ? status : nil
    }

    func makeResponse() -> TransferResponse {
        var status = 0
        fmnist_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>? = nil
        fmnist_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        var length: curl_off_t = -1
        fmnist_curl_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        var response = TransferResponse(
            status: status, etag: headers["etag"], lastModified: headers["last-modified"],
            contentType: headers["content-type"],
            effectiveURL: RedactedURL.redact(effective.map { String(cString: $0) } ?? request.url))
        if let range = headers["content-range"], let parsed = ContentRange(range) {
            response.rangeStart = parsed.start
            response.totalSize = parsed.total
        } else if status == 200 || status == 0, length >= 0 {
            response.totalSize = status == 0 ? request.offset + Int64(length) : Int64(length)
        }
        return response
    }

    /// Builds the response and lets the receiver judge it.
    func announce() -> Bool {
        announced = true
        let response = makeResponse()
        self.response = response
        if !onResponse(response) {
            stopped = true
            return false
        }
        return true
    }

    func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if !shouldContinue() { return false }
        if isS3, !announced {
            if errorStatus == nil, let status = errorAnswer() { errorStatus = status }
            if errorStatus != nil {
                errorBody.append(contentsOf: chunk.prefix(Self.maxErrorBody + 1 - min(errorBody.count, Self.maxErrorBody + 1)))
                return errorBody.count <= Self.maxErrorBody
            }
        }
        if !announced, !announce() { return false }
        bytes += Int64(chunk.count)
        if !onData(chunk) {
            stopped = true
            return false
        }
        return true
    }
}

/// A parsed `Content-Range: bytes START-END/TOTAL` header (TOTAL may be `*`).
struct ContentRange: Equatable {
    let start: Int64
    let end: Int64
    let total: Int64?

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start <= end else { return nil }
        self.start = start
        self.end = end
        total = parts[1] == "*" ? nil : Int64(parts[1])
        if parts[1] != "*" && total == nil { return nil }
    }
}
