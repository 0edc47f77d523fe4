import Foundation

/// Reads a version's kept uncompressed payload (`.fmnist/payload/<dataset>/<version-id>/…`, see
/// ``PayloadStore``) without re-hashing it — only when the file is exactly the one proven earlier.
///
/// Trust is the rule `verify` applies to every file: the catalog holds the stat fingerprint
/// (device, inode, size, modification and change times in nanoseconds) recorded when the file was
/// last proven to hold the recorded payload digest. Any write to the file, through any path, a
/// chmod, or a replacement changes the change time or the inode — `touch -d` cannot put a change
/// time back — so an unchanged fingerprint means unchanged bytes. The fingerprint is taken from the
/// open descriptor before the read and again after it, so a write during the read is caught too.
/// Anything else (no fingerprint, a different one, a header or size that disagrees with the record,
/// a symlink, not a regular file) returns nil, and the caller proves the `.gz` instead.
///
/// ```swift
/// if let kept = KeptPayloadReader.read(at: payloadURL, recorded: file, fingerprint: known) {
///     print(kept.dims)          // [60000, 28, 28]
/// }
/// ```
package enum KeptPayloadReader {
    /// An IDX payload's dimensions and elements (pixels or labels), header stripped.
    package struct Payload: Sendable {
        package let dims: [Int]
        package let elements: [UInt8]

        package init(dims: [Int], elements: [UInt8]) {
            self.dims = dims
            self.elements = elements
        }
    }

    /// The payload at `url` when its fingerprint is `fingerprint` before and after the read and its
    /// IDX header agrees with `recorded`; nil otherwise (the caller falls back to a proving read).
    package static func read(at url: URL, recorded: CatalogFile, fingerprint: FileFingerprint) -> Payload? {
        let descriptor = open(url.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let before = FileFingerprint(descriptor: descriptor), before == fingerprint, before.size == recorded.payloadSize
        else { return nil }
        let dims = recorded.idx.dims
        guard (1...3).contains(dims.count), dims.allSatisfy({ $0 > 0 }) else { return nil }
        let headerLength = 4 + 4 * dims.count
        let count = dims.reduce(1, *)
        guard Int64(headerLength + count) == recorded.payloadSize else { return nil }

        var header = [UInt8](repeating: 0, count: headerLength)
        guard header.withUnsafeMutableBytes({ DescriptorIO.read(descriptor, into: $0.baseAddress!, count: headerLength, at: 0) }) == .complete
        else { return nil }
        var expected: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for dim in dims { expected += [UInt8(dim >> 24 & 0xff), UInt8(dim >> 16 & 0xff), UInt8(dim >> 8 & 0xff), UInt8(dim & 0xff)] }
        guard header == expected else { return nil }

        var complete = false
        let elements = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            complete = DescriptorIO.read(descriptor, into: buffer.baseAddress!, count: count, at: off_t(headerLength)) == .complete
            initialized = complete ? count : 0
        }
        guard complete, FileFingerprint(descriptor: descriptor) == before else { return nil }
        return Payload(dims: dims, elements: elements)
    }
}
