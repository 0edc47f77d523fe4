import Foundation

/// What one streaming pass over an IDX file gives a comparison: its measurement and, per record,
/// an ``ImageDigest`` (images) or the label byte (labels). Memory: 16 bytes per image, 1 per label.
public struct ScannedIDX: Sendable {
    public let measurement: FileMeasurement
    /// One digest per image, in file order (empty for a label file).
    public let digests: [ImageDigest]
    /// One label per record, in file order (empty for an image file).
    public let labels: [UInt8]
}

/// Streams a `.gz` IDX file once (bounded decompression, regular files only) and hands every
/// record to a digest or a label list, never holding the payload.
///
/// ```swift
/// let scanned = try IDXRecordScanner.scan(url: url, payloadLimit: 47_040_016, classCount: 10)
/// ```
public enum IDXRecordScanner {
    /// Scans `url`. Throws a ``FileAccessError`` when the file cannot be read; an invalid file
    /// comes back with `measurement.fault` set.
    public static func scan(url: URL, payloadLimit: Int64, classCount: Int) throws -> ScannedIDX {
        let verifier = StreamingVerifier(payloadLimit: payloadLimit, classCount: classCount)
        let splitter = RecordSplitter()
        verifier.onPayload = { chunk in splitter.feed(chunk) }
        try FileVerifier.stream(url: url) { chunk in
            do { try verifier.feed(chunk); return true } catch { return false }
        }
        let measurement = verifier.finish()
        verifier.onPayload = nil
        return ScannedIDX(measurement: measurement, digests: splitter.digests, labels: splitter.labels)
    }
}

/// Cuts an IDX payload, arriving in chunks of any size, into its header and fixed-size records.
final class RecordSplitter {
    private var header: [UInt8] = []
    private var headerLength: Int?
    private var recordSize = 0
    private var pending: [UInt8] = []
    private(set) var digests: [ImageDigest] = []
    private(set) var labels: [UInt8] = []

    func feed(_ chunk: UnsafeRawBufferPointer) {
        var bytes = chunk[...]
        if recordSize == 0 {
            while recordSize == 0, let byte = bytes.first {
                header.append(byte)
                bytes = bytes.dropFirst()
                parseHeader()
            }
            guard recordSize > 0 else { return }
        }
        if recordSize == 1 {
            labels.append(contentsOf: bytes)
            return
        }
        if !pending.isEmpty {
            let needed = recordSize - pending.count
            pending.append(contentsOf: bytes.prefix(needed))
            bytes = bytes.dropFirst(needed)
            guard pending.count == recordSize else { return }
            digests.append(pending.withUnsafeBytes { ImageDigest(of: $0) })
            pending.removeAll(keepingCapacity: true)
        }
        let base = UnsafeRawBufferPointer(rebasing: bytes)
        var offset = 0
        while base.count - offset >= recordSize {
            digests.append(ImageDigest(of: UnsafeRawBufferPointer(rebasing: base[offset..<offset + recordSize])))
            offset += recordSize
        }
        pending.append(contentsOf: base[offset...])
    }

    /// Once the magic and dimensions are in, fixes the record size (product of all but the first dimension).
    private func parseHeader() {
        if headerLength == nil, header.count == 4 {
            headerLength = 4 + 4 * Int(header[3])
        }
        guard let headerLength, header.count == headerLength else { return }
        var size = 1
        var index = 8
        while index + 4 <= headerLength {
            let dim = Int(header[index]) << 24 | Int(header[index + 1]) << 16 | Int(header[index + 2]) << 8 | Int(header[index + 3])
            // Saturating: the verifier refuses such a header before any record is complete.
            let (product, overflow) = size.multipliedReportingOverflow(by: max(dim, 1))
            size = overflow ? .max : product
            index += 4
        }
        recordSize = max(size, 1)
        if header[3] == 0 { recordSize = 1 }
    }
}
