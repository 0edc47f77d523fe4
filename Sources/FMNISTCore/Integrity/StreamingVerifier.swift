import Foundation

/// Verifies a `.gz` file in one streaming pass as its bytes arrive (from disk or the network):
/// container size, MD5 and SHA-256; gzip inflate; payload SHA-256; IDX header, length and,
/// for labels, range and histogram. Memory stays constant whatever the file size.
///
/// ```swift
/// let verifier = StreamingVerifier(payloadLimit: expected.payload.size)
/// try verifier.feed(chunk)          // as often as bytes arrive; throws at the first fault
/// let measurement = verifier.finish()
/// ```
public final class StreamingVerifier {
    /// The most payload bytes accepted when nothing better is known (largest MNIST-format file × 4).
    public static let defaultPayloadLimit: Int64 = 256 * 1024 * 1024

    private var containerMD5 = MessageDigest(.md5)
    private var containerSHA = MessageDigest(.sha256)
    private var payloadSHA = MessageDigest(.sha256)
    private let inflater: GzipInflater
    private var idx: IDXStreamParser
    private var containerSize: Int64 = 0
    private var sniff: [UInt8] = []
    private var checkedSignature = false
    private var fault: IntegrityFault?
    private let payloadLimit: Int64
    /// False for an uncompressed IDX file: its bytes are the payload (no gzip layer).
    public let compressed: Bool
    /// False when only the payload's identity matters (loading a recorded file): the container's
    /// MD5 and SHA-256 are then not computed and measure as "".
    public let containerDigests: Bool
    /// Called with every decompressed chunk, for callers that also keep the payload (loading).
    public var onPayload: ((UnsafeRawBufferPointer) -> Void)?

    /// - Parameters:
    ///   - payloadLimit: decompression stops with `.decompressionBomb` past this many bytes;
    ///     pass the expected payload size when it is known.
    ///   - classCount: labels must be below this.
    ///   - compressed: false to measure an uncompressed IDX file (torchvision's `raw/*-ubyte`):
    ///     the container digests are then those of the payload itself.
    ///   - containerDigests: false to skip the container's MD5 and SHA-256 (about a third of the
    ///     work on a `.gz`) where the payload SHA-256 alone decides, as when loading.
    public init(
        payloadLimit: Int64 = StreamingVerifier.defaultPayloadLimit, classCount: Int = 10, compressed: Bool = true,
        containerDigests: Bool = true
    ) {
        self.payloadLimit = payloadLimit
        self.compressed = compressed
        self.containerDigests = containerDigests
        inflater = GzipInflater(limit: payloadLimit)
        idx = IDXStreamParser(classCount: classCount)
    }

    /// The fault met so far, if any.
    public var currentFault: IntegrityFault? { fault }
    /// Container bytes consumed so far.
    public var bytesConsumed: Int64 { containerSize }

    /// Consumes the next bytes of the container. Throws the first fault; after a fault,
    /// further calls throw it again without reading.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(IntegrityFault) {
        if let fault { throw fault }
        guard bytes.count > 0 else { return }
        containerSize += Int64(bytes.count)
        if containerDigests {
            containerMD5.update(bytes)
            containerSHA.update(bytes)
        }
        do throws(IntegrityFault) {
            if !compressed {
                if containerSize > payloadLimit {
                    // The bytes up to the bound first, so that a fault inside them is reported the
                    // same way whatever the chunking (as the inflater does), then stop.
                    let allowed = payloadLimit - (containerSize - Int64(bytes.count))
                    if allowed > 0 { try consumePayload(UnsafeRawBufferPointer(rebasing: bytes.prefix(Int(allowed)))) }
                    throw IntegrityFault.decompressionBomb(limit: payloadLimit)
                }
                try consumePayload(bytes)
            } else if checkedSignature {
                try inflate(bytes)
            } else {
                // Hold the first bytes until the signature can be checked, then inflate them.
                sniff.append(contentsOf: bytes)
                guard sniff.count >= 2 else { return }
                checkedSignature = true
                try Self.checkSignature(Array(sniff.prefix(64)))
                let held = sniff
                sniff = []
                try withBytes(held) { (raw) throws(IntegrityFault) in try inflate(raw) }
            }
        } catch {
            fault = error
            throw error
        }
    }

    /// Convenience for `Data`/arrays.
    public func feed(_ bytes: [UInt8]) throws(IntegrityFault) {
        try withBytes(bytes) { (raw) throws(IntegrityFault) in try feed(raw) }
    }

    private func inflate(_ bytes: UnsafeRawBufferPointer) throws(IntegrityFault) {
        try inflater.feed(bytes) { (payload) throws(IntegrityFault) in try consumePayload(payload) }
    }

    private func consumePayload(_ payload: UnsafeRawBufferPointer) throws(IntegrityFault) {
        payloadSHA.update(payload)
        try idx.feed(payload)
        onPayload?(payload)
        if let declared = idx.declaredSize, idx.totalBytes > declared {
            throw .idxLengthMismatch(declared: declared, actual: idx.totalBytes)
        }
    }

    /// Ends the stream and returns what was measured; `fault` is set when the file is not valid.
    public func finish() -> FileMeasurement {
        var m = FileMeasurement()
        m.containerSize = containerSize
        m.containerMD5 = containerDigests ? containerMD5.finalize() : ""
        m.containerSHA256 = containerDigests ? containerSHA.finalize() : ""
        m.payloadSize = compressed ? inflater.producedBytes : containerSize
        m.payloadSHA256 = payloadSHA.finalize()
        m.idxDims = idx.dims
        if idx.isLabels { m.labelHistogram = Array(idx.histogram.prefix(idx.classCount)) }
        if fault == nil {
            do throws(IntegrityFault) {
                if containerSize == 0 { throw IntegrityFault.empty }
                if compressed {
                    if !checkedSignature { try Self.checkSignature(sniff) }
                    try inflater.finish()
                }
                try idx.finish()
            } catch {
                fault = error
            }
        }
        m.fault = fault
        return m
    }

    /// Rejects empty files, HTML pages and other non-gzip data by their first bytes.
    static func checkSignature(_ head: [UInt8]) throws(IntegrityFault) {
        if head.isEmpty { throw .empty }
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return }
        if head.count < 2, head[0] == 0x1F { throw .truncatedGzip(containerBytes: 1) }
        let text = String(decoding: head, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if trimmed.hasPrefix("<!doctype") || trimmed.hasPrefix("<html") || trimmed.hasPrefix("<?xml")
            || trimmed.hasPrefix("<head") || trimmed.hasPrefix("<body") || trimmed.hasPrefix("<")
        {
            let snippet = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(40))
                .replacingOccurrences(of: "\n", with: " ")
            throw .htmlPage(snippet: snippet)
        }
        let hex = head.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        var detail: String? = nil
        if head.count >= 4, head[0] == 0, head[1] == 0, head[2] == 0x08, head[3] == 1 || head[3] == 3 {
            detail = "this is an uncompressed IDX file; fmnist expects the .gz files as published"
        } else if head.starts(with: [0x50, 0x4B]) {
            detail = "this is a zip archive"
        } else if head.starts(with: [0x42, 0x5A, 0x68]) {
            detail = "this is bzip2 data"
        } else if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A]) {
            detail = "this is xz data"
        }
        throw .notGzip(firstBytes: hex, detail: detail)
    }
}

/// `Array.withUnsafeBytes` with a typed-throwing body.
func withBytes(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(IntegrityFault) -> Void) throws(IntegrityFault) {
    var failure: IntegrityFault?
    array.withUnsafeBytes { raw in
        do throws(IntegrityFault) { try body(raw) } catch { failure = error }
    }
    if let failure { throw failure }
}
