import FMNISTCore
import Foundation

/// Builds `.npz` archives byte by byte for tests: `.npy` entries stored or deflated, with zip64
/// extra fields like numpy's `savez` writes, and with the faults a test wants (a wrong CRC, a size
/// that lies, a cut file).
///
/// ```swift
/// let bytes = SyntheticNPZ.archive(SyntheticNPZ.arrays(of: toy), method: .deflate, zip64: true)
/// ```
public enum SyntheticNPZ {
    public enum Method: UInt16, Sendable { case stored = 0, deflate = 8 }

    public struct Entry: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public var method: Method
        public var zip64: Bool
        /// A CRC-32 to record instead of the real one.
        public var crc: UInt32?
        /// An uncompressed size to declare instead of the real one.
        public var declaredSize: UInt64?

        public init(name: String, bytes: [UInt8], method: Method = .stored, zip64: Bool = false, crc: UInt32? = nil, declaredSize: UInt64? = nil) {
            self.name = name
            self.bytes = bytes
            self.method = method
            self.zip64 = zip64
            self.crc = crc
            self.declaredSize = declaredSize
        }
    }

    /// A `.npy` file: magic, version, header dict padded to 64 bytes, data.
    public static func npy(_ data: [UInt8], shape: [Int], descr: String = "|u1", fortran: Bool = false, major: UInt8 = 1) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(dims), }"
        let fixed = major == 1 ? 10 : 12
        text += String(repeating: " ", count: (64 - (fixed + text.utf8.count + 1) % 64) % 64) + "\n"
        let length = text.utf8.count
        var header: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        header += major == 1 ? le(UInt64(length), 2) : le(UInt64(length), 4)
        return header + Array(text.utf8) + data
    }

    /// The four arrays keras's `mnist.npz` holds, from a synthetic dataset's payloads.
    public static func arrays(of toy: SyntheticDataset, method: Method = .deflate, zip64: Bool = true) -> [Entry] {
        let train = toy.trainLabels.count
        let test = toy.testLabels.count
        return [
            Entry(name: "x_train.npy", bytes: npy(toy.pixels(.trainImages), shape: [train, 28, 28]), method: method, zip64: zip64),
            Entry(name: "y_train.npy", bytes: npy(toy.trainLabels, shape: [train]), method: method, zip64: zip64),
            Entry(name: "x_test.npy", bytes: npy(toy.pixels(.testImages), shape: [test, 28, 28]), method: method, zip64: zip64),
            Entry(name: "y_test.npy", bytes: npy(toy.testLabels, shape: [test]), method: method, zip64: zip64),
        ]
    }

    /// A zip archive of `entries`; `zip64End`: with a zip64 end record and its locator before the
    /// end record (whose counts, size and offset then say 0xFFFF / 0xFFFFFFFF, as zip64 writers do).
    public static func archive(_ entries: [Entry], zip64End: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let data = entry.method == .deflate ? Deflater.compress(entry.bytes, format: .raw) : entry.bytes
            let crc = entry.crc ?? crc32(entry.bytes)
            let size = entry.declaredSize ?? UInt64(entry.bytes.count)
            let name = Array(entry.name.utf8)
            let offset = UInt64(out.count)
            let big: UInt32 = 0xFFFF_FFFF
            let zip64Local = le(1, 2) + le(16, 2) + le(size, 8) + le(UInt64(data.count), 8)
            let zip64Central = le(1, 2) + le(24, 2) + le(size, 8) + le(UInt64(data.count), 8) + le(offset, 8)
            var local = le(0x0403_4B50, 4) + le(entry.zip64 ? 45 : 20, 2) + le(0, 2) + le(UInt64(entry.method.rawValue), 2) + le(0, 2) + le(0x21, 2)
            local += le(UInt64(crc), 4)
            local += entry.zip64 ? le(UInt64(big), 4) + le(UInt64(big), 4) : le(UInt64(data.count), 4) + le(size, 4)
            local += le(UInt64(name.count), 2) + le(UInt64(entry.zip64 ? zip64Local.count : 0), 2) + name
            if entry.zip64 { local += zip64Local }
            out += local + data
            var header = le(0x0201_4B50, 4) + le(45, 2) + le(entry.zip64 ? 45 : 20, 2) + le(0, 2) + le(UInt64(entry.method.rawValue), 2)
            header += le(0, 2) + le(0x21, 2) + le(UInt64(crc), 4)
            header += entry.zip64 ? le(UInt64(big), 4) + le(UInt64(big), 4) : le(UInt64(data.count), 4) + le(size, 4)
            header += le(UInt64(name.count), 2) + le(UInt64(entry.zip64 ? zip64Central.count : 0), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
            header += entry.zip64 ? le(UInt64(big), 4) : le(offset, 4)
            header += name + (entry.zip64 ? zip64Central : [])
            central += header
        }
        let directoryOffset = UInt64(out.count)
        out += central
        if zip64End {
            let recordOffset = UInt64(out.count)
            let count = UInt64(entries.count)
            out += le(0x0606_4B50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
            out += le(count, 8) + le(count, 8) + le(UInt64(central.count), 8) + le(directoryOffset, 8)
            out += le(0x0706_4B50, 4) + le(0, 4) + le(recordOffset, 8) + le(1, 4)
            out += le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2)
            out += le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
            return out
        }
        out += le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(UInt64(entries.count), 2) + le(UInt64(entries.count), 2)
        out += le(UInt64(central.count), 4) + le(directoryOffset, 4) + le(0, 2)
        return out
    }

    /// `archive` (made with `zip64End: true`) with its zip64 end record's central directory size
    /// and offset, and the locator's record offset, replaced where given: the hostile archive of
    /// an overflow (offsets of 2⁶⁴−1).
    public static func withZip64Fields(
        _ archive: [UInt8], directorySize: UInt64? = nil, directoryOffset: UInt64? = nil, recordOffset: UInt64? = nil
    ) -> [UInt8] {
        var bytes = archive
        let locator = bytes.count - 22 - 20
        precondition(bytes[locator..<(locator + 4)].elementsEqual(le(0x0706_4B50, 4)), "no zip64 locator: build with zip64End: true")
        let record = Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[locator + 8 + $1]) << (8 * UInt64($1)) })
        if let directorySize { bytes.replaceSubrange((record + 40)..<(record + 48), with: le(directorySize, 8)) }
        if let directoryOffset { bytes.replaceSubrange((record + 48)..<(record + 56), with: le(directoryOffset, 8)) }
        if let recordOffset { bytes.replaceSubrange((locator + 8)..<(locator + 16), with: le(recordOffset, 8)) }
        return bytes
    }

    static func le(_ value: UInt64, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8((value >> (8 * UInt64($0))) & 0xFF) } }

    /// CRC-32 (IEEE), bit by bit: fixtures are small.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}
