import Foundation
import TestSupport

@testable import FMNISTCore

/// One fixed-width little- or big-endian number in a file's bytes, as its format lays it out.
struct FuzzField: CustomStringConvertible {
    let offset: Int
    let width: Int
    let name: String
    var bigEndian = false

    var description: String { "\(name) (\(width) bytes at \(offset))" }

    func read(_ bytes: [UInt8]) -> UInt64 {
        let range = offset..<(offset + width)
        let ordered = bigEndian ? Array(bytes[range]) : Array(bytes[range].reversed())
        return ordered.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    func write(_ value: UInt64, into bytes: inout [UInt8]) {
        for index in 0..<width {
            let byte = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
            bytes[bigEndian ? offset + width - 1 - index : offset + index] = byte
        }
    }

    /// The values every field is set to: 0, 1, all ones, the signed edges (0x7F…, 0x80…), one
    /// below all ones, the zip64 marker 0xFFFFFFFF, the file's size and ±1, the original ±1.
    func hostileValues(original: UInt64, fileSize: Int) -> [UInt64] {
        let ones: UInt64 = width >= 8 ? .max : (1 << (8 * UInt64(width))) - 1
        let size = UInt64(fileSize)
        let candidates: [UInt64] = [
            0, 1, ones, ones >> 1, (ones >> 1) + 1, ones - 1, 0xFFFF_FFFF, 0xFFFF, size, size &- 1, size &+ 1,
            original &+ 1, original &- 1,
        ]
        var seen = Set<UInt64>()
        return candidates.map { $0 & ones }.filter { $0 != original && seen.insert($0).inserted }
    }

    /// `bytes` with this field set to each hostile value in turn.
    func mutations(of bytes: [UInt8]) -> [(value: UInt64, bytes: [UInt8])] {
        let original = read(bytes)
        return hostileValues(original: original, fileSize: bytes.count).map { value in
            var copy = bytes
            write(value, into: &copy)
            return (value, copy)
        }
    }
}

/// The fields of a valid zip (as ``SyntheticNPZ`` writes it, numpy's layout): the end record,
/// the zip64 locator and end record when present, every central header with its extra fields,
/// every local header with its extra fields, and the `.npy` version and header length of each
/// stored entry. Found by walking the structures from the end, as a reader does.
enum ZipFieldMap {
    static func le(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
        (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }

    static func fields(of bytes: [UInt8]) -> [FuzzField] {
        var fields: [FuzzField] = []
        func add(_ base: Int, _ layout: [(Int, Int, String)], _ prefix: String) {
            for (offset, width, name) in layout { fields.append(FuzzField(offset: base + offset, width: width, name: "\(prefix).\(name)")) }
        }
        let end = bytes.count - 22
        precondition(le(bytes, end, 4) == 0x0605_4B50, "not an archive without a comment")
        add(end, [(4, 2, "disk"), (6, 2, "directory disk"), (8, 2, "entries on disk"), (10, 2, "entries"),
                  (12, 4, "directory size"), (16, 4, "directory offset"), (20, 2, "comment length")], "end")
        var directoryOffset = Int(le(bytes, end + 16, 4))
        let locator = end - 20
        if locator >= 0, le(bytes, locator, 4) == 0x0706_4B50 {
            add(locator, [(4, 4, "disk"), (8, 8, "record offset"), (16, 4, "disks")], "zip64 locator")
            let record = Int(le(bytes, locator + 8, 8))
            add(record, [(4, 8, "record size"), (12, 2, "made by"), (14, 2, "needed"), (16, 4, "disk"), (20, 4, "directory disk"),
                         (24, 8, "entries on disk"), (32, 8, "entries"), (40, 8, "directory size"), (48, 8, "directory offset")],
                "zip64 end")
            directoryOffset = Int(le(bytes, record + 48, 8))
        }
        var at = directoryOffset
        var entry = 0
        while at + 46 <= bytes.count, le(bytes, at, 4) == 0x0201_4B50 {
            entry += 1
            let prefix = "central[\(entry)]"
            add(at, [(4, 2, "made by"), (6, 2, "needed"), (8, 2, "flags"), (10, 2, "method"), (12, 2, "time"), (14, 2, "date"),
                     (16, 4, "crc"), (20, 4, "compressed"), (24, 4, "uncompressed"), (28, 2, "name length"), (30, 2, "extra length"),
                     (32, 2, "comment length"), (34, 2, "disk"), (36, 2, "internal"), (38, 4, "external"), (42, 4, "local offset")], prefix)
            let nameLength = Int(le(bytes, at + 28, 2))
            let extraLength = Int(le(bytes, at + 30, 2))
            var localOffset = Int(le(bytes, at + 42, 4))
            var uncompressedIs64 = le(bytes, at + 24, 4) == 0xFFFF_FFFF
            var compressedIs64 = le(bytes, at + 20, 4) == 0xFFFF_FFFF
            let offsetIs64 = localOffset == 0xFFFF_FFFF
            let extra = at + 46 + nameLength
            if extraLength >= 4 {
                add(extra, [(0, 2, "extra id"), (2, 2, "extra length")], prefix)
                var cursor = extra + 4
                if uncompressedIs64 { add(cursor, [(0, 8, "zip64 uncompressed")], prefix); cursor += 8 }
                if compressedIs64 { add(cursor, [(0, 8, "zip64 compressed")], prefix); cursor += 8 }
                if offsetIs64 { add(cursor, [(0, 8, "zip64 local offset")], prefix); localOffset = Int(le(bytes, cursor, 8)) }
            }
            // The local header, its zip64 extra field, and the .npy header of a stored entry.
            let local = "local[\(entry)]"
            add(localOffset, [(4, 2, "needed"), (6, 2, "flags"), (8, 2, "method"), (10, 2, "time"), (12, 2, "date"), (14, 4, "crc"),
                              (18, 4, "compressed"), (22, 4, "uncompressed"), (26, 2, "name length"), (28, 2, "extra length")], local)
            let localName = Int(le(bytes, localOffset + 26, 2))
            let localExtra = Int(le(bytes, localOffset + 28, 2))
            uncompressedIs64 = le(bytes, localOffset + 22, 4) == 0xFFFF_FFFF
            compressedIs64 = le(bytes, localOffset + 18, 4) == 0xFFFF_FFFF
            let localExtraStart = localOffset + 30 + localName
            if localExtra >= 4 {
                add(localExtraStart, [(0, 2, "extra id"), (2, 2, "extra length")], local)
                var cursor = localExtraStart + 4
                if uncompressedIs64 { add(cursor, [(0, 8, "zip64 uncompressed")], local); cursor += 8 }
                if compressedIs64 { add(cursor, [(0, 8, "zip64 compressed")], local) }
            }
            if le(bytes, at + 10, 2) == 0 {
                let data = localExtraStart + localExtra
                let major = bytes[data + 6]
                add(data, [(6, 1, "npy major"), (7, 1, "npy minor"), (8, major == 1 ? 2 : 4, "npy header length")], "npy[\(entry)]")
            }
            at = extra + extraLength + Int(le(bytes, at + 32, 2))
        }
        return fields
    }
}
