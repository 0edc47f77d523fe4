import Foundation

/// The bounds a zip is read within: how many entries, how long a name, how large an entry.
public struct ZipLimits: Sendable, Equatable {
    /// The most entries (an npz of a dataset has four).
    public var maxEntries = 16
    /// The longest entry name, in bytes.
    public var maxNameLength = 256
    /// The most bytes one entry may declare or inflate to.
    public var maxEntrySize: Int64
    /// The largest central directory read.
    public var maxCentralDirectory = 1 << 20

    public init(maxEntrySize: Int64) { self.maxEntrySize = maxEntrySize }
}

/// One entry of a zip's central directory, with the offset of its data (from its local header).
struct ZipEntry: Sendable, Equatable {
    let name: String
    /// 0 stored, 8 deflate.
    let method: Int
    let crc32: UInt32
    let compressedSize: Int64
    let uncompressedSize: Int64
    /// Where the entry's (compressed) bytes start.
    let dataOffset: Int64
}

/// A zip archive's central directory, read from its end: the end record (zip64 when the sizes or
/// offsets need it), every entry's central header with its zip64 extra field, then each entry's
/// local header (numpy's `savez` writes zip64 extra fields there too) for where its data starts.
/// Every offset and size is checked against the file and the ``ZipLimits`` before it is used.
enum ZipDirectory {
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let localSignature: UInt32 = 0x0403_4B50

    /// The entries of the archive in `file`, in central-directory order. Every size and offset is
    /// read as the unsigned number the file holds and checked (``ByteSpan``) against the file's
    /// size before any sum or read: a hostile value (an offset of 2⁶⁴−1) is a typed fault naming
    /// it, never an overflow.
    static func read(_ file: RandomAccessFile, limits: ZipLimits) throws(NPZFault) -> [ZipEntry] {
        let size = file.size
        if size <= 0 { throw .empty }
        let head = try file.read(at: 0, count: Int(min(64, size)), what: "the first bytes")
        try checkSignature(head)
        // The end record is 22 bytes plus a comment of at most 65535: search that tail backwards.
        let tailLength = Int(min(size, 22 + 65535))
        let tailStart = size - Int64(tailLength)
        let tail = try file.read(at: tailStart, count: tailLength, what: "the end of the archive")
        var endAt: Int?
        var index = tail.count - 22
        while index >= 0 {
            if tail.le32(index) == endSignature, index + 22 + Int(tail.le16(index + 20)) <= tail.count {
                endAt = index
                break
            }
            index -= 1
        }
        guard let end = endAt else {
            if head.starts(with: [0x50, 0x4B]) {
                throw .truncated(detail: "it starts like a zip archive but has no end-of-central-directory record")
            }
            throw .notZip(firstBytes: head.prefix(4).map { String($0, radix: 16).leftPadded(2) }.joined(separator: " "))
        }
        var entryCount = UInt64(tail.le16(end + 10))
        var directorySize = UInt64(tail.le32(end + 12))
        var directoryOffset = UInt64(tail.le32(end + 16))
        if tail.le16(end + 4) != 0 || tail.le16(end + 6) != 0 {
            throw .malformedZip(detail: "a multi-disk archive")
        }
        // Where the end record starts: the central directory (and the zip64 records) lie before it.
        let endOffset = tailStart + Int64(end)
        var directoryName = "central directory"
        if end >= 20, tail.le32(end - 20) == zip64LocatorSignature {
            let rawRecordOffset = tail.le64(end - 20 + 8)
            guard let recordOffset = ByteSpan.int64(rawRecordOffset), ByteSpan.fits(offset: recordOffset, length: 56, within: endOffset) else {
                throw .malformedZip(
                    detail: "the zip64 end record offset \(rawRecordOffset) lies outside the archive (the file has \(size) bytes, "
                        + "its end record starts at byte \(endOffset))")
            }
            let record = try file.read(at: recordOffset, count: 56, what: "the zip64 end record")
            guard record.le32(0) == zip64EndSignature else { throw .malformedZip(detail: "bad zip64 end record signature") }
            entryCount = record.le64(32)
            directorySize = record.le64(40)
            directoryOffset = record.le64(48)
            directoryName = "zip64 central directory"
        }
        guard entryCount <= UInt64(limits.maxEntries) else {
            guard let count = Int(exactly: entryCount) else {
                throw .malformedZip(detail: "the \(directoryName) declares \(entryCount) entries (at most \(limits.maxEntries) are read)")
            }
            throw .tooManyEntries(count: count, limit: limits.maxEntries)
        }
        guard directorySize <= UInt64(limits.maxCentralDirectory) else {
            throw .malformedZip(
                detail: "the \(directoryName) declares \(directorySize) bytes, more than the \(limits.maxCentralDirectory) "
                    + "an npz of \(limits.maxEntries) arrays at most can need")
        }
        guard let directoryStart = ByteSpan.int64(directoryOffset), directoryStart <= size else {
            throw .truncated(detail: "the \(directoryName) offset \(directoryOffset) lies beyond the file's \(size) bytes")
        }
        guard ByteSpan.fits(offset: directoryStart, length: Int64(directorySize), within: endOffset) else {
            throw .truncated(
                detail: "the \(directoryName) (\(directorySize) bytes at offset \(directoryOffset)) runs past its end record "
                    + "at byte \(endOffset) of the file's \(size) bytes")
        }
        let directory = try file.read(at: directoryStart, count: Int(directorySize), what: "the \(directoryName)")
        var entries: [ZipEntry] = []
        var names = Set<String>()
        var at = 0
        for _ in 0..<entryCount {
            guard at + 46 <= directory.count, directory.le32(at) == centralSignature else {
                throw .malformedZip(detail: "central directory entry \(entries.count + 1) is missing or has a bad signature")
            }
            let flags = directory.le16(at + 8)
            let method = Int(directory.le16(at + 10))
            let crc = directory.le32(at + 16)
            var compressed = UInt64(directory.le32(at + 20))
            var uncompressed = UInt64(directory.le32(at + 24))
            let nameLength = Int(directory.le16(at + 28))
            let extraLength = Int(directory.le16(at + 30))
            let commentLength = Int(directory.le16(at + 32))
            var localOffset = UInt64(directory.le32(at + 42))
            guard nameLength > 0, nameLength <= limits.maxNameLength else {
                throw .badEntryName(detail: "a name of \(nameLength) bytes (1–\(limits.maxNameLength) allowed)")
            }
            let next = at + 46 + nameLength + extraLength + commentLength
            guard next <= directory.count else { throw .malformedZip(detail: "central directory entry \(entries.count + 1) overruns the directory") }
            let nameBytes = Array(directory[(at + 46)..<(at + 46 + nameLength)])
            guard let name = String(validating: nameBytes, as: UTF8.self) else { throw .badEntryName(detail: "a name that is not UTF-8") }
            if name.contains("/") || name.contains("\\") || name.contains("\0") || name.hasPrefix(".") {
                throw .badEntryName(detail: "\"\(name)\" is a path, not a plain array name")
            }
            // zip64 extra field (0x0001): the 8-byte values of the fields set to 0xFFFFFFFF, in order.
            let extra = Array(directory[(at + 46 + nameLength)..<(at + 46 + nameLength + extraLength)])
            if let zip64 = try zip64Field(extra, name: name) {
                var cursor = 0
                func take() throws(NPZFault) -> UInt64 {
                    guard cursor + 8 <= zip64.count else { throw .malformedZip(detail: "entry \(name): zip64 extra field too short") }
                    defer { cursor += 8 }
                    return zip64.le64(cursor)
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try take() }
                if compressed == 0xFFFF_FFFF { compressed = try take() }
                if localOffset == 0xFFFF_FFFF { localOffset = try take() }
            }
            if flags & 1 != 0 { throw .encrypted(name: name) }
            guard method == 0 || method == 8 else { throw .unsupportedMethod(name: name, method: method) }
            guard uncompressed <= UInt64(max(0, limits.maxEntrySize)) else {
                guard let declared = ByteSpan.int64(uncompressed) else {
                    throw .malformedZip(detail: "entry \(name) declares \(uncompressed) bytes uncompressed, more than any file can hold")
                }
                throw .entryTooLarge(name: name, size: declared, limit: limits.maxEntrySize)
            }
            if method == 0 && compressed != uncompressed {
                throw .malformedZip(detail: "stored entry \(name) declares \(compressed) bytes stored but \(uncompressed) uncompressed")
            }
            guard names.insert(name).inserted else { throw .duplicateEntry(name: name) }
            guard let localStart = ByteSpan.int64(localOffset), localStart <= directoryStart else {
                throw .malformedZip(
                    detail: "entry \(name): its local header offset \(localOffset) lies beyond the archive's data "
                        + "(the \(directoryName) starts at byte \(directoryStart) of the file's \(size) bytes)")
            }
            let dataOffset = try localDataOffset(file, offset: localStart, name: nameBytes, display: name, limit: directoryStart)
            guard let dataSize = ByteSpan.int64(compressed), ByteSpan.fits(offset: dataOffset, length: dataSize, within: directoryStart) else {
                throw .truncated(
                    detail: "entry \(name) (\(compressed) bytes at offset \(dataOffset)) runs past the start of the \(directoryName) "
                        + "at byte \(directoryStart)")
            }
            entries.append(ZipEntry(
                name: name, method: method, crc32: crc, compressedSize: dataSize, uncompressedSize: Int64(uncompressed),
                dataOffset: dataOffset))
            at = next
        }
        return entries
    }

    /// The zip64 extended information of an extra field, when there is one.
    static func zip64Field(_ extra: [UInt8], name: String) throws(NPZFault) -> [UInt8]? {
        var at = 0
        while at + 4 <= extra.count {
            let id = extra.le16(at)
            let length = Int(extra.le16(at + 2))
            guard at + 4 + length <= extra.count else { throw .malformedZip(detail: "entry \(name): an extra field overruns its header") }
            if id == 0x0001 { return Array(extra[(at + 4)..<(at + 4 + length)]) }
            at += 4 + length
        }
        return nil
    }

    /// Where an entry's data starts: after its local header, whose name must match the central one.
    static func localDataOffset(
        _ file: RandomAccessFile, offset: Int64, name: [UInt8], display: String, limit: Int64
    ) throws(NPZFault) -> Int64 {
        guard ByteSpan.fits(offset: offset, length: 30, within: limit) else {
            throw .malformedZip(
                detail: "entry \(display): its local header (30 bytes at offset \(offset)) runs past the archive's data, which ends at byte \(limit)")
        }
        let header = try file.read(at: offset, count: 30, what: "the local header of \(display)")
        guard header.le32(0) == localSignature else { throw .malformedZip(detail: "entry \(display): bad local header signature") }
        let nameLength = Int(header.le16(26))
        let extraLength = Int(header.le16(28))
        guard nameLength == name.count else { throw .malformedZip(detail: "entry \(display): local and central names differ") }
        let local = try file.read(at: offset + 30, count: nameLength, what: "the local name of \(display)")
        guard local == name else { throw .malformedZip(detail: "entry \(display): local and central names differ") }
        // offset ≤ limit ≤ the file's size, and the rest is at most 30 + 2 × 65535: no overflow.
        return offset + 30 + Int64(nameLength) + Int64(extraLength)
    }

    /// Refuses an HTML page (an error page served with status 200) by its first bytes.
    static func checkSignature(_ head: [UInt8]) throws(NPZFault) {
        let text = String(decoding: head, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<") {
            throw .htmlPage(snippet: String(text.prefix(40)).replacingOccurrences(of: "\n", with: " "))
        }
    }
}

extension String {
    /// The string with `"0"` prepended up to `width` characters.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
