/// Bytes checked as they arrive, a chunk at a time: the first fault stops the stream. The
/// downloader's body sink feeds one of these (``StreamingVerifier`` for dataset files,
/// ``DigestVerifier`` for artifacts) as bytes come off the wire.
///
/// ```swift
/// let check: some StreamingCheck = DigestVerifier(size: 11_490_434, sha256: pin)
/// try check.feed(chunk)   // throws the first IntegrityFault
/// ```
protocol StreamingCheck: AnyObject {
    func feed(_ bytes: UnsafeRawBufferPointer) throws(IntegrityFault)
}

extension StreamingVerifier: StreamingCheck {}
