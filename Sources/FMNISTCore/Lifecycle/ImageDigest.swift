/// A 128-bit content hash of one image's bytes (two independent 64-bit lanes over the bytes read
/// as little-endian 64-bit words, each finished with a murmur3-style avalanche). Not
/// cryptographic: it tells images apart inside one comparison, where a collision between two of
/// 140,000 images has a probability near 2⁻⁹⁰.
///
/// ```swift
/// let digest = bytes.withUnsafeBytes { ImageDigest(of: $0) }
/// ```
public struct ImageDigest: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(of bytes: UnsafeRawBufferPointer) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        let words = bytes.count / 8
        var offset = 0
        for _ in 0..<words {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            a = (a ^ word) &* 0xFF51_AFD7_ED55_8CCD
            a ^= a >> 31
            b = (b &+ word) &* 0xC4CE_B9FE_1A85_EC53
            b = (b << 29) | (b >> 35)
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        a = (a ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        b = (b &+ tail) &* 0xC4CE_B9FE_1A85_EC53
        high = Self.avalanche(a ^ (b >> 17))
        low = Self.avalanche(b ^ (a << 13))
    }

    static func avalanche(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}
