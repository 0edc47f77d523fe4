import Foundation

/// One array of an `.npz`, as read: its header, and its identity as an IDX payload.
public struct NPZArray: Sendable, Equatable, Codable {
    /// The entry name without `.npy`, e.g. `x_train`.
    public let name: String
    public let header: NPYHeader
    /// Bytes of array data after the header.
    public let dataSize: Int64
    /// SHA-256 of the IDX file these bytes would be (the IDX u8 header for ``NPYHeader/shape`` then
    /// the data): equal to a manifest's payload SHA-256 exactly when the array is that file's
    /// content. Nil when the array cannot be an IDX u8 payload (another dtype, Fortran order, a
    /// rank of 0 or over 255, a dimension over 2³²−1).
    public let idxSHA256: String?
    /// The size of that IDX file (header + data).
    public let idxSize: Int64?

    /// The IDX u8 header of an array of `shape`: `00 00 08 <rank>`, then each dimension big-endian.
    public static func idxHeader(shape: [Int]) -> [UInt8]? {
        guard (1...255).contains(shape.count), shape.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else { return nil }
        var header: [UInt8] = [0, 0, 8, UInt8(shape.count)]
        for dim in shape { header += (0..<4).reversed().map { UInt8((UInt32(dim) >> (8 * UInt32($0))) & 0xFF) } }
        return header
    }
}

/// What an `.npz` file holds: its size and SHA-256 (its identity as a published file) and its
/// arrays in archive order.
public struct NPZContents: Sendable, Equatable {
    public let size: Int64
    public let sha256: String
    public let arrays: [NPZArray]

    public func array(named name: String) -> NPZArray? { arrays.first { $0.name == name } }
}

/// Reads a numpy `.npz` (a zip of `.npy` arrays, as `np.savez` and `np.savez_compressed` write
/// it): the central directory, each entry stored or deflated, its CRC-32, each `.npy` header, and
/// each array's IDX identity (``NPZArray/idxSHA256``), streaming, within ``ZipLimits``. Hand-written
/// on purpose: the `FMNIST` product depends on no other package, and zlib is already linked.
///
/// ```swift
/// let contents = try NPZReader.read(url: url, limits: ZipLimits(maxEntrySize: 47_040_016 + 65_536))
/// contents.array(named: "x_train")?.idxSHA256   // == the manifest's train-images payload SHA-256?
/// ```
public enum NPZReader {
    /// Reads the whole archive once. Throws ``FileAccessError`` when `url` is not a readable regular
    /// file, ``NPZFault`` when its bytes are not a readable npz.
    public static func read(url: URL, limits: ZipLimits, followSymlinks: Bool = true) throws -> NPZContents {
        let file = try RandomAccessFile(path: url.path, followSymlinks: followSymlinks)
        return try read(file, limits: limits)
    }

    /// The archive's limits for files no bigger than the largest payload `index` knows (plus room for a header).
    public static func limits(largestPayload: Int64) -> ZipLimits {
        ZipLimits(maxEntrySize: ByteSpan.saturatingSum(max(0, largestPayload), Int64(NPYHeader.maxLength)))
    }

    static func read(_ file: RandomAccessFile, limits: ZipLimits) throws(NPZFault) -> NPZContents {
        let entries = try ZipDirectory.read(file, limits: limits)
        var arrays: [NPZArray] = []
        for entry in entries {
            guard entry.name.hasSuffix(".npy"), entry.name.count > 4 else { throw .notAnArray(name: entry.name) }
            arrays.append(try readArray(entry, in: file))
        }
        // The file's own digest: one more sequential pass (the archive is small next to its arrays' inflation).
        let sha = SHA256Stream()
        try file.stream(at: 0, count: file.size, what: "the archive") { chunk in sha.update(chunk) }
        return NPZContents(size: file.size, sha256: sha.finalize(), arrays: arrays)
    }

    /// The IDX files (u8 header + data) of the arrays `names` of the npz at `url`, read within
    /// `limits` in one pass over the archive, by name. Throws ``NPZFault/notAnArray(name:)`` for a
    /// name the archive lacks, and when an array cannot be an IDX u8 payload (dtype, Fortran order).
    public static func idxPayloads(_ names: [String], url: URL, limits: ZipLimits) throws -> [String: [UInt8]] {
        let file = try RandomAccessFile(path: url.path, followSymlinks: true)
        let entries = try ZipDirectory.read(file, limits: limits)
        var payloads: [String: [UInt8]] = [:]
        for name in names {
            guard let entry = entries.first(where: { $0.name == name + ".npy" }) else { throw NPZFault.notAnArray(name: name + ".npy") }
            var data: [UInt8] = []
            let array = try readArray(entry, in: file) { data.append(contentsOf: $0) }
            guard array.idxSHA256 != nil, let header = NPZArray.idxHeader(shape: array.header.shape) else {
                throw NPZFault.badNPYHeader(name: entry.name, detail: "not a C-order uint8 array, so no IDX file (\(array.header.descr))")
            }
            payloads[name] = header + data
        }
        return payloads
    }

    /// One `.npy` entry: header first (held until complete), then the data into the IDX digest
    /// (and to `data`, when given).
    static func readArray(
        _ entry: ZipEntry, in file: RandomAccessFile, data: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) throws(NPZFault) -> NPZArray {
        let name = String(entry.name.dropLast(4))
        var prefix: [UInt8] = []
        var header: NPYHeader?
        var digest: SHA256Stream? = nil
        // Bounded by the entry's declared size (itself within ``ZipLimits``): no overflow.
        var dataSize: Int64 = 0
        func consumeData(_ bytes: UnsafeRawBufferPointer) {
            dataSize += Int64(bytes.count)
            digest?.update(bytes)
            data?(bytes)
        }
        func begin(_ parsed: NPYHeader) {
            header = parsed
            if parsed.isUInt8, !parsed.fortranOrder, let idx = NPZArray.idxHeader(shape: parsed.shape) {
                let sha = SHA256Stream()
                idx.withUnsafeBytes { sha.update($0) }
                digest = sha
            }
        }
        try ZipEntryReader.stream(entry, in: file) { (chunk) throws(NPZFault) in
            if header != nil {
                consumeData(chunk)
                return
            }
            prefix.append(contentsOf: chunk)
            guard let length = try NPYHeader.length(ofPrefix: Array(prefix.prefix(12)), entry: entry.name),
                prefix.count >= length
            else {
                if prefix.count > NPYHeader.maxLength { throw .badNPYHeader(name: entry.name, detail: "the header never ends") }
                return
            }
            begin(try NPYHeader.parse(Array(prefix.prefix(length)), entry: entry.name))
            let rest = Array(prefix.dropFirst(length))
            prefix = []
            rest.withUnsafeBytes { consumeData($0) }
        }
        guard let header else { throw .badNPYHeader(name: entry.name, detail: "the entry ends inside its header") }
        if header.isUInt8 {
            guard let expected = header.elementCount, expected == dataSize else {
                throw .arrayLengthMismatch(name: entry.name, expected: header.elementCount ?? -1, actual: dataSize)
            }
        }
        let idxSHA = digest?.finalize()
        let idxSize = idxSHA == nil ? nil : Int64(4 + 4 * header.shape.count) + dataSize
        return NPZArray(name: name, header: header, dataSize: dataSize, idxSHA256: idxSHA, idxSize: idxSize)
    }
}

/// A SHA-256 that closures can share (``MessageDigest`` is non-copyable).
final class SHA256Stream {
    private var digest = MessageDigest(.sha256)
    func update(_ bytes: UnsafeRawBufferPointer) { digest.update(bytes) }
    /// The digest as lower-case hex; call once.
    func finalize() -> String { digest.finalize() }
}
