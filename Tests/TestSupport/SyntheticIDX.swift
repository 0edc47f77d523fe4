import Foundation

import FMNISTCore

/// Builds small IDX payloads and gzip containers for tests (every test target shares these).
public enum SyntheticIDX {
    /// An IDX3 image payload: magic 0x00000803, dims, then pixels.
    public static func images(count: Int, rows: Int = 28, columns: Int = 28, seed: Int = 7) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, 0x03]
        for dim in [count, rows, columns] { bytes += bigEndian(UInt32(dim)) }
        bytes += (0..<(count * rows * columns)).map { UInt8(truncatingIfNeeded: $0 &* seed &+ $0 >> 5) }
        return bytes
    }

    /// An IDX1 label payload: magic 0x00000801, count, then labels.
    public static func labels(_ values: [UInt8]) -> [UInt8] {
        [0, 0, 0x08, 0x01] + bigEndian(UInt32(values.count)) + values
    }

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    public static func gzip(_ payload: [UInt8]) -> [UInt8] { Deflater.compress(payload, format: .gzip) }

    /// Streams bytes through a verifier in uneven chunks (to exercise chunk boundaries).
    public static func measure(_ container: [UInt8], limit: Int64 = StreamingVerifier.defaultPayloadLimit, chunk: Int = 997) -> FileMeasurement {
        let verifier = StreamingVerifier(payloadLimit: limit)
        var offset = 0
        while offset < container.count {
            let end = min(container.count, offset + chunk)
            do { try verifier.feed(Array(container[offset..<end])) } catch { break }
            offset = end
        }
        return verifier.finish()
    }
}
