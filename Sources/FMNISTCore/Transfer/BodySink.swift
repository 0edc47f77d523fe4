import Foundation

/// Where a response body goes: appended to the partial file and fed to the streaming verifier in
/// the same pass, and cut off at the container bound whatever the server announced (a body without
/// Content-Length that never ends stops at `limit` bytes held).
///
/// One per request; not thread-safe (libcurl calls it on the transfer's thread). Generic over the
/// check the bytes stream through: a gzip'd IDX file's ``StreamingVerifier``, or an artifact's
/// size + SHA-256 ``DigestVerifier``.
final class BodySink<Verifier: StreamingCheck> {
    private let writer: PartialWriter
    private let makeVerifier: () -> Verifier
    /// The most bytes the partial file may hold.
    let limit: Int64
    private(set) var verifier: Verifier
    /// Bytes in the partial file (the prefix held before plus this body so far).
    private(set) var held: Int64
    /// Body bytes accepted from this request.
    private(set) var received: Int64 = 0
    /// Why the body was stopped, when it was stopped for its content or size.
    private(set) var stop: SinkStop?
    /// A file-system failure (disk full): not the mirror's fault; the fetch stops with it.
    private(set) var writeError: Error?

    /// - Parameters:
    ///   - verifier: primed with the `held` bytes already in the partial file.
    ///   - makeVerifier: a fresh verifier, for a body that starts over from byte 0.
    init(writer: PartialWriter, verifier: Verifier, held: Int64, limit: Int64, makeVerifier: @escaping () -> Verifier) {
        self.writer = writer
        self.verifier = verifier
        self.held = held
        self.limit = limit
        self.makeVerifier = makeVerifier
    }

    /// Empties the partial file for a body that starts over from byte 0. Returns false on a write error.
    func restart() -> Bool {
        do {
            try writer.truncate()
        } catch {
            writeError = error
            return false
        }
        held = 0
        verifier = makeVerifier()
        return true
    }

    /// Records a failure outside the body (e.g. writing the sidecar).
    func fail(_ error: Error) { writeError = error }

    /// Takes one chunk; false stops the transfer (bound reached, fault found, or write failed).
    func accept(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard held + Int64(chunk.count) <= limit else {
            stop = .tooLarge(limit: limit)
            return false
        }
        do { try writer.write(chunk) } catch {
            writeError = error
            return false
        }
        held += Int64(chunk.count)
        received += Int64(chunk.count)
        do throws(IntegrityFault) { try verifier.feed(chunk) } catch {
            stop = .fault(error)
            return false
        }
        return true
    }
}

extension PartialDownload {
    /// A fresh check fed the bytes this partial file already holds, and their count, for resuming.
    /// A partial file larger than `limit`, unreadable, or failing the check is dropped (and the
    /// fresh check returned with 0). `consumed` reads how many bytes a check took in.
    func primed<Check: StreamingCheck>(_ fresh: () -> Check, limit: Int64, consumed: (Check) -> Int64) -> (Check, Int64) {
        let held = size
        guard held > 0 else { return (fresh(), 0) }
        let check = fresh()
        var faulty = held > limit
        if !faulty {
            do {
                try FileVerifier.stream(url: url, followSymlinks: false) { chunk in
                    do {
                        try check.feed(chunk)
                        return true
                    } catch {
                        faulty = true
                        return false
                    }
                }
            } catch {
                faulty = true
            }
        }
        if faulty || consumed(check) != held {
            discard()
            return (fresh(), 0)
        }
        return (check, held)
    }
}

