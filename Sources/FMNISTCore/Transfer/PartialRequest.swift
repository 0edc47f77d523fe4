import Foundation

/// One request that appends to a file's `.part`: the ``ResponseGate`` judges the status and headers
/// (a refused answer, or a server that ignored Range and restarts the whole file), the sidecar
/// records where the bytes came from (for `If-Range` on the next resume), the ``BodySink`` writes
/// and verifies the body within its bound, and progress is emitted at most every 0.1 s. Shared by
/// ``FileFetcher`` and ``ArtifactFetcher``; what the finished body means is theirs to judge.
///
/// ```swift
/// let request = PartialRequest(partial: partial, target: target, transfer: transfer, emit: emit)
/// let done = try request.perform(url, offset: offset, sidecar: sidecar, verifier: verifier, limit: limit,
///                                expectedTotal: size, deadline: deadline, cancellation: nil, makeVerifier: fresh)
/// ```
struct PartialRequest {
    let partial: PartialDownload
    let target: FileTarget
    let transfer: CurlTransfer
    let emit: @Sendable (FetchEvent) -> Void

    /// What the request came to: curl's result, the sink (its verifier, bytes held, why it stopped)
    /// and the facts so far (refusal, restart, bytes, stop, failure) for the caller's judge.
    struct Done<Verifier: StreamingCheck> {
        let result: TransferResult
        let sink: BodySink<Verifier>
        var facts: AttemptFacts
        /// Whether the whole body arrived with nothing refused, stopped or failed.
        var complete: Bool { facts.stop == nil && facts.refusal == nil && facts.failure == nil }
    }

    func perform<Verifier: StreamingCheck>(
        _ url: String, offset: Int64, sidecar: PartialDownload.Sidecar?, verifier: Verifier, limit: Int64, expectedTotal: Int64,
        deadline: UInt64, cancellation: Cancellation?, makeVerifier: @escaping () -> Verifier
    ) throws -> Done<Verifier> {
        let writer = try partial.openForAppend()
        defer { writer.close() }
        let request = TransferRequest(url: url, offset: offset, ifRange: offset > 0 ? sidecar?.ifRange(resuming: url) : nil)
        emit(.started(target, url: url, offset: offset))
        let gate = ResponseGate(offset: offset, containerLimit: limit, name: target.name)
        let sink = BodySink(writer: writer, verifier: verifier, held: offset, limit: limit, makeVerifier: makeVerifier)
        var facts = AttemptFacts(offset: offset)
        var total: Int64? = expectedTotal
        var lastEmit: UInt64 = 0
        let startTime = DispatchTime.now().uptimeNanoseconds
        let result = transfer.perform(
            request, deadline: deadline, cancellation: cancellation,
            onResponse: { response in
                switch gate.decide(response) {
                case .refuse(let refusal):
                    facts.refusal = refusal
                    return false
                case .restartWhole(let size):
                    guard sink.restart() else { return false }
                    facts.restarted = true
                    total = size ?? total
                    emit(.restarted(target, url: url, reason: "the server ignored the Range request; downloading the whole file"))
                case .accept(let size):
                    total = size ?? total
                }
                do {
                    try partial.writeSidecar(PartialDownload.Sidecar(source: url, etag: response.etag, lastModified: response.lastModified))
                } catch {
                    sink.fail(error)
                    return false
                }
                return true
            },
            onData: { chunk in
                guard sink.accept(chunk) else { return false }
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastEmit > 100_000_000 {
                    lastEmit = now
                    let elapsed = Double(now - startTime) / 1e9
                    emit(.progress(target, bytes: sink.held, total: total, bytesPerSecond: elapsed > 0 ? Double(sink.received) / elapsed : 0, url: url))
                }
                return true
            })
        writer.close()
        if let writeError = sink.writeError { throw writeError }
        if partial.size == 0 { partial.discard() }
        facts.bytes = result.bytes
        facts.stop = sink.stop
        facts.failure = result.failure
        facts.retryAfter = result.retryAfter
        return Done(result: result, sink: sink, facts: facts)
    }
}
