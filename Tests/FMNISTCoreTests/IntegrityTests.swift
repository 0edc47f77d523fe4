import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

@Suite struct IntegrityTests {
    @Test func validImagesAreMeasuredExactly() {
        let payload = SyntheticIDX.images(count: 20)
        let container = SyntheticIDX.gzip(payload)
        let m = SyntheticIDX.measure(container)
        #expect(m.fault == nil)
        #expect(m.idxDims == [20, 28, 28])
        #expect(m.payloadSize == Int64(payload.count))
        #expect(m.payloadSHA256 == MessageDigest.sha256(payload))
        #expect(m.containerSHA256 == MessageDigest.sha256(container))
        #expect(m.containerMD5 == MessageDigest.md5(container))
        #expect(m.containerSize == Int64(container.count))
    }

    @Test(arguments: [1, 2, 3, 64, 4096, 1 << 20])
    func chunkingDoesNotChangeTheResult(chunk: Int) {
        let container = SyntheticIDX.gzip(SyntheticIDX.images(count: 5))
        let reference = SyntheticIDX.measure(container, chunk: 1 << 20)
        #expect(SyntheticIDX.measure(container, chunk: chunk) == reference)
    }

    @Test func labelsGiveHistogram() {
        let values: [UInt8] = (0..<100).map { UInt8($0 % 10) }
        let m = SyntheticIDX.measure(SyntheticIDX.gzip(SyntheticIDX.labels(values)))
        #expect(m.fault == nil)
        #expect(m.labelHistogram == Array(repeating: 10, count: 10))
        #expect(m.idxDims == [100])
    }

    @Test func labelTenIsOutOfRange() {
        var values: [UInt8] = Array(repeating: 3, count: 50)
        values[17] = 10
        let m = SyntheticIDX.measure(SyntheticIDX.gzip(SyntheticIDX.labels(values)))
        #expect(m.fault == .labelOutOfRange(value: 10, index: 17, classCount: 10))
    }

    @Test func wrongMagicIsNamed() {
        var payload = SyntheticIDX.images(count: 2)
        payload[3] = 0x02
        let m = SyntheticIDX.measure(SyntheticIDX.gzip(payload))
        #expect(m.fault == .badIDXMagic(found: "0x00000802"))
        var other = SyntheticIDX.images(count: 2)
        other[0] = 0x12
        #expect(SyntheticIDX.measure(SyntheticIDX.gzip(other)).fault?.code.rawValue == "bad_idx_magic")
    }

    @Test func wrongElementTypeIsNamed() {
        var payload = SyntheticIDX.images(count: 2)
        payload[2] = 0x0D  // float
        #expect(SyntheticIDX.measure(SyntheticIDX.gzip(payload)).fault?.code.rawValue == "bad_idx_header")
    }

    @Test func dimensionsThatDisagreeWithTheDataAreCaught() {
        // Header says 3 images, data holds 2.
        var payload = SyntheticIDX.images(count: 2)
        payload[7] = 3
        let m = SyntheticIDX.measure(SyntheticIDX.gzip(payload))
        let declared: Int64 = 16 + 3 * 784
        let actual: Int64 = 16 + 2 * 784
        #expect(m.fault == IntegrityFault.idxLengthMismatch(declared: declared, actual: actual))
        // Header says 1 image, data holds 2.
        var longer = SyntheticIDX.images(count: 2)
        longer[7] = 1
        #expect(SyntheticIDX.measure(SyntheticIDX.gzip(longer)).fault?.code.rawValue == "idx_length_mismatch")
    }

    @Test func truncatedGzipIsNamed() {
        let container = SyntheticIDX.gzip(SyntheticIDX.images(count: 10))
        let m = SyntheticIDX.measure(Array(container.prefix(container.count / 2)))
        #expect(m.fault?.code.rawValue == "truncated_gzip")
        let short = SyntheticIDX.measure(Array(container.prefix(container.count - 4)))
        #expect(short.fault?.code.rawValue == "truncated_gzip")
    }

    @Test func trailingBytesAreNamed() {
        let container = SyntheticIDX.gzip(SyntheticIDX.images(count: 3)) + Array("GARBAGE".utf8)
        #expect(SyntheticIDX.measure(container).fault == .trailingGarbage(bytes: 7))
    }

    @Test func concatenatedGzipMembersAreOneStream() {
        let payload = SyntheticIDX.labels((0..<40).map { UInt8($0 % 10) })
        let container = SyntheticIDX.gzip(Array(payload.prefix(20))) + SyntheticIDX.gzip(Array(payload.dropFirst(20)))
        let m = SyntheticIDX.measure(container, chunk: 7)
        #expect(m.fault == nil)
        #expect(m.payloadSHA256 == MessageDigest.sha256(payload))
    }

    @Test func corruptCRCIsNamed() {
        var container = SyntheticIDX.gzip(SyntheticIDX.images(count: 3))
        container[container.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        #expect(SyntheticIDX.measure(container).fault == .crcMismatch)
    }

    @Test func corruptDeflateDataIsNamed() {
        var container = SyntheticIDX.gzip(SyntheticIDX.images(count: 30))
        for i in stride(from: 20, to: 60, by: 1) { container[i] = 0xFF }
        let fault = SyntheticIDX.measure(container).fault
        #expect(fault?.code.rawValue == "corrupt_gzip" || fault?.code.rawValue == "crc_mismatch")
    }

    @Test func gzipBombStopsAtTheBound() {
        // 64 MiB of zeros compresses to ~64 KiB; the bound is 1 MiB.
        let header: [UInt8] = [0, 0, 8, 3] + SyntheticIDX.bigEndian(60000) + SyntheticIDX.bigEndian(28) + SyntheticIDX.bigEndian(28)
        let bomb = SyntheticIDX.gzip(header + [UInt8](repeating: 0, count: 64 << 20))
        let m = SyntheticIDX.measure(bomb, limit: 1 << 20, chunk: 1 << 16)
        #expect(m.fault == .decompressionBomb(limit: 1 << 20))
        #expect(m.payloadSize <= (1 << 20) + (256 << 10))
    }

    @Test func htmlPageIsNamed() {
        let html = Array("<!DOCTYPE html>\n<html><body>503 Service Unavailable</body></html>".utf8)
        guard case .htmlPage(let snippet)? = SyntheticIDX.measure(html).fault else {
            Issue.record("expected an HTML fault")
            return
        }
        #expect(snippet.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func emptyFileIsNamed() {
        #expect(SyntheticIDX.measure([]).fault == .empty)
    }

    @Test func uncompressedIDXIsExplained() {
        guard case .notGzip(_, let detail)? = SyntheticIDX.measure(SyntheticIDX.images(count: 1)).fault else {
            Issue.record("expected notGzip")
            return
        }
        #expect(detail?.contains("uncompressed IDX") == true)
    }

    @Test func singleByteFileIsNotAccepted() {
        #expect(SyntheticIDX.measure([0x1F]).fault != nil)
        #expect(SyntheticIDX.measure([0x41]).fault != nil)
    }

    @Test func faultsHaveHumanDescriptions() {
        let faults: [IntegrityFault] = [
            .empty, .htmlPage(snippet: "<html>"), .notGzip(firstBytes: "00", detail: nil), .corruptGzip(message: "x"),
            .crcMismatch, .truncatedGzip(containerBytes: 5), .trailingGarbage(bytes: 3), .decompressionBomb(limit: 9),
            .badIDXMagic(found: "0x0"), .badIDXHeader(detail: "d"), .idxLengthMismatch(declared: 1, actual: 2),
            .labelOutOfRange(value: 10, index: 0, classCount: 10),
        ]
        #expect(Set(faults.map(\.code)).count == faults.count)
        for fault in faults { #expect(!fault.description.isEmpty) }
    }

    @Test func fileVerifierReadsFromDiskAndReportsMissingAndDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("iv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.gz")
        let container = SyntheticIDX.gzip(SyntheticIDX.images(count: 4))
        try Data(container).write(to: file)
        let m = try FileVerifier.measure(url: file)
        #expect(m == SyntheticIDX.measure(container))
        #expect(throws: FileAccessError.self) { try FileVerifier.measure(url: directory.appendingPathComponent("nope.gz")) }
        #expect(throws: FileAccessError.self) { try FileVerifier.measure(url: directory) }
    }
}
