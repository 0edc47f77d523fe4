import Foundation

/// Checks a file pinned by size and SHA-256 only (an artifact such as keras's `mnist.npz`) as its
/// bytes arrive: counts them, hashes them, refuses an HTML page by its first bytes and stops at
/// the first byte past the pinned size. Unlike ``StreamingVerifier`` it assumes no gzip or IDX.
///
/// ```swift
/// let check = DigestVerifier(size: 11_490_434, sha256: pin)
/// try check.feed(chunk)
/// check.finish()   // nil when size and SHA-256 are the pinned ones, else why not
/// ```
final class DigestVerifier: StreamingCheck {
    let expectedSize: Int64
    let expectedSHA256: String
    private var sha = MessageDigest(.sha256)
    private(set) var size: Int64 = 0
    private var head: [UInt8] = []
    private var fault: IntegrityFault?
    private(set) var sha256 = ""

    init(size: Int64, sha256: String) {
        expectedSize = size
        expectedSHA256 = sha256
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(IntegrityFault) {
        if let fault { throw fault }
        guard bytes.count > 0 else { return }
        if size + Int64(bytes.count) > expectedSize {
            fault = .largerThanPinned(size: expectedSize)
            throw fault!
        }
        if head.count < 64 {
            head += bytes.prefix(64 - head.count)
            let text = String(decoding: head, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("<") {
                fault = .htmlPage(snippet: String(text.prefix(40)).replacingOccurrences(of: "\n", with: " "))
                throw fault!
            }
        }
        size += Int64(bytes.count)
        sha.update(bytes)
    }

    /// Ends the stream: nil when the bytes are the pinned file, else what is wrong with them.
    func finish() -> String? {
        sha256 = sha.finalize()
        if let fault { return fault.description }
        if size == 0 { return IntegrityFault.empty.description }
        if size < expectedSize { return "truncated: \(size) of the pinned \(expectedSize) bytes" }
        if sha256 != expectedSHA256 {
            return "wrong bytes: SHA-256 \(sha256.prefix(12))…, pinned \(expectedSHA256.prefix(12))…"
        }
        return nil
    }
}
