import CZlib
import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// ``Deflater/gzip(_:level:runLengthOnly:blockSize:threads:)``, the piecewise gzip behind `fmnist import` of
/// CSV, npz, png, hf and uncompressed payloads: one valid gzip member that inflates to the input,
/// the same bytes for any thread count, and about the size of one-stream deflate.
@Suite struct ParallelGzipTests {
    /// Inflates a whole gzip file (one member); nil when zlib refuses it or bytes follow its end.
    static func gunzip(_ gz: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard fmnist_inflateInit2(&stream, 15 + 16) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        return gz.withUnsafeBufferPointer { input -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.avail_out))
                }
                out += chunk[0..<produced]
                if status == Z_STREAM_END { return stream.avail_in == 0 ? out : nil }
                if status != Z_OK { return nil }
            }
        }
    }

    /// MNIST-like bytes: runs of zeros with noise.
    static func payload(_ count: Int, seed: UInt64 = 3) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { $0 % 28 < 8 ? 0 : UInt8(truncatingIfNeeded: random.next() & 0x3F) }
    }

    @Test(arguments: [0, 1, 999, 1000, 1001, 3500, 70_000])
    func inflatesBackToTheInputForAnyThreadCount(size: Int) throws {
        let input = Self.payload(size)
        // The default strategy, and the run-length one import stages with (level 1).
        for (level, runLengthOnly) in [(Int32(6), false), (Int32(1), true)] {
            let one = Deflater.gzip(input, level: level, runLengthOnly: runLengthOnly, blockSize: 1000, threads: 1)
            #expect(Self.gunzip(one) == input, "level \(level), run-length \(runLengthOnly)")
            for threads in [2, 3] {
                #expect(Deflater.gzip(input, level: level, runLengthOnly: runLengthOnly, blockSize: 1000, threads: threads) == one,
                        "\(threads) threads, run-length \(runLengthOnly)")
            }
            #expect(Array(one.prefix(4)) == [0x1F, 0x8B, 8, 0])
        }
    }

    @Test func sizeStaysCloseToOneStreamDeflate() {
        let input = Self.payload(3 << 20)
        let pieces = Deflater.gzip(input, threads: 2).count
        let whole = Deflater.compress(input, format: .gzip).count
        #expect(Double(pieces) <= Double(whole) * 1.01, "pieces \(pieces) bytes, one stream \(whole)")
    }
}
