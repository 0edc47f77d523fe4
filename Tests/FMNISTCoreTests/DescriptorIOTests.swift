import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The one home of the library's read and write loops: whole writes, chunked and exact reads,
/// and a new file that never replaces or follows anything and vanishes when its writer fails.
@Suite struct DescriptorIOTests {
    struct Stop: Error {}

    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    @Test func writesEveryByteThenReadsThemBackInChunksAndExactly() throws {
        let scratch = try ScratchFolder("descriptor-io")
        let path = scratch.url.appendingPathComponent("f").path
        let written = Self.bytes(3 * 65_536 + 123)
        try DescriptorIO.withNewFile(at: path, orThrow: { Stop() }) { fd in
            #expect(written.withUnsafeBytes { DescriptorIO.writeAll(fd, $0) } == nil)
        }
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }

        var chunks: [Int] = []
        var read: [UInt8] = []
        #expect(DescriptorIO.forEachChunk(fd, size: 65_536) { chunk in
            chunks.append(chunk.count)
            read += chunk
            return true
        } == nil)
        #expect(read == written)
        #expect(chunks == [65_536, 65_536, 65_536, 123])

        // Exact reads at an offset: all there, or where the file ended.
        var buffer = [UInt8](repeating: 0, count: 100)
        #expect(buffer.withUnsafeMutableBytes { DescriptorIO.read(fd, into: $0.baseAddress!, count: 100, at: 1_000) } == .complete)
        #expect(buffer == Array(written[1_000..<1_100]))

        // A write at an offset leaves the file offset where it was.
        let update = open(path, O_WRONLY)
        defer { close(update) }
        #expect([UInt8](repeating: 9, count: 50).withUnsafeBytes { DescriptorIO.writeAll(update, $0, at: 2_000) } == nil)
        #expect(lseek(update, 0, SEEK_CUR) == 0)
        #expect(buffer.withUnsafeMutableBytes { DescriptorIO.read(fd, into: $0.baseAddress!, count: 100, at: 1_990) } == .complete)
        #expect(buffer[..<10] == written[1_990..<2_000] && buffer[10..<60].allSatisfy { $0 == 9 } && buffer[60...] == written[2_050..<2_090])
        let tail = off_t(written.count - 40)
        #expect(buffer.withUnsafeMutableBytes { DescriptorIO.read(fd, into: $0.baseAddress!, count: 100, at: tail) } == .ended(read: 40))
    }

    @Test func aChunkLoopStopsWhenItsBodySaysSoAndReportsAFailedRead() throws {
        let scratch = try ScratchFolder("descriptor-io-stop")
        let path = scratch.url.appendingPathComponent("f").path
        try Data(Self.bytes(10_000)).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var calls = 0
        #expect(DescriptorIO.forEachChunk(fd, size: 1_000) { _ in
            calls += 1
            return calls < 3
        } == nil)
        #expect(calls == 3)
        // A descriptor open for writing only cannot be read: the errno comes back.
        let writeOnly = open(path, O_WRONLY)
        defer { close(writeOnly) }
        #expect(DescriptorIO.forEachChunk(writeOnly, size: 1_000) { _ in true } == EBADF)
        #expect([UInt8](repeating: 1, count: 10).withUnsafeBytes { DescriptorIO.writeAll(fd, $0) } == EBADF)
    }

    @Test func aNewFileNeverReplacesOrFollowsAndIsRemovedWhenItsWriterFails() throws {
        let scratch = try ScratchFolder("descriptor-io-new")
        let existing = scratch.url.appendingPathComponent("existing")
        try Data("mine".utf8).write(to: existing)
        #expect(throws: Stop.self) { try DescriptorIO.withNewFile(at: existing.path, orThrow: { Stop() }) { _ in } }
        #expect(try Data(contentsOf: existing) == Data("mine".utf8))

        let link = scratch.url.appendingPathComponent("link")
        let target = scratch.url.appendingPathComponent("target")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        #expect(throws: Stop.self) { try DescriptorIO.withNewFile(at: link.path, orThrow: { Stop() }) { _ in } }
        #expect(!FileManager.default.fileExists(atPath: target.path))

        struct WriterFailed: Error {}
        let half = scratch.url.appendingPathComponent("half")
        #expect(throws: WriterFailed.self) {
            try DescriptorIO.withNewFile(at: half.path, orThrow: { Stop() }) { fd in
                _ = Self.bytes(10).withUnsafeBytes { DescriptorIO.writeAll(fd, $0) }
                throw WriterFailed()
            }
        }
        var info = stat()
        #expect(lstat(half.path, &info) != 0, "a failed writer's file is removed")
    }
}
