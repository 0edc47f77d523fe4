import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// Seeded mutation fuzzing of the one-pass verifier (gzip inflate + IDX parser).
///
/// Starting from valid gzip IDX containers (images and labels, several compression levels,
/// named headers, several members), each input gets byte-level mutations (bit flips, inserts,
/// deletes, truncation, splicing, duplication) or payload-level ones (IDX magic, dimensions —
/// huge ones included —, label values, length; then re-compressed), and is fed to a
/// ``StreamingVerifier`` in two random chunkings under a random payload bound. Every input must
/// finish within the time limit with a measurement (its fault typed), never hand out more
/// payload than the bound, and measure the same whatever the chunking.
@Suite struct FuzzIntegrityTests {
    /// The valid starting points.
    static let seeds: [[UInt8]] = {
        let images = SyntheticIDX.images(count: 3)
        let labels = SyntheticIDX.labels((0..<60).map { UInt8($0 % 10) })
        var named = SyntheticIDX.gzip(labels)
        named[3] |= 0x08  // FNAME: a file name follows the 10-byte header
        named.insert(contentsOf: Array("train-labels-idx1-ubyte".utf8) + [0], at: 10)
        let half = images.count / 2
        return [
            SyntheticIDX.gzip(images),
            Deflater.compress(SyntheticIDX.images(count: 2, seed: 3), format: .gzip, level: 0),
            SyntheticIDX.gzip(labels),
            Deflater.compress(labels, format: .gzip, level: 1),
            named,
            SyntheticIDX.gzip(Array(images[..<half])) + SyntheticIDX.gzip(Array(images[half...])),
        ]
    }()

    static let payloads: [[UInt8]] = [
        SyntheticIDX.images(count: 3), SyntheticIDX.images(count: 1, rows: 4, columns: 5),
        SyntheticIDX.labels((0..<60).map { UInt8($0 % 10) }), SyntheticIDX.labels([9, 0, 1]),
    ]

    /// Mutates an IDX payload's fields, then compresses it.
    static func payloadMutation(_ rng: inout SeededRandom) -> [UInt8] {
        var payload = rng.pick(payloads)
        let rank = Int(payload[3]) == 3 ? 3 : 1
        switch rng.int(0..<6) {
        case 0:  // magic / type / rank bytes
            payload[rng.int(0..<4)] = rng.pick([0, 1, 2, 3, 4, 8, 9, 0x0D, 0xFF, rng.byte()])
        case 1, 2:  // a dimension: zero, one, off by one, huge
            let dim = rng.int(0..<rank)
            let current = Int(payload[4 + 4 * dim]) << 24 | Int(payload[5 + 4 * dim]) << 16
                | Int(payload[6 + 4 * dim]) << 8 | Int(payload[7 + 4 * dim])
            let value = UInt32(truncatingIfNeeded: rng.pick([0, 1, current - 1, current + 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 60000, Int(rng.next() & 0xFFFF_FFFF)]))
            payload.replaceSubrange((4 + 4 * dim)..<(8 + 4 * dim), with: SyntheticIDX.bigEndian(value))
        case 3:  // label or pixel values, 10 and 255 included
            let at = rng.int(min(payload.count - 1, 4 + 4 * rank)..<payload.count)
            payload[at] = rng.pick([10, 11, 255, rng.byte()])
        case 4:  // element count off: drop or add bytes at the end
            if rng.chance(50) { payload.removeLast(rng.int(1..<min(payload.count, 20))) } else { payload += [UInt8](repeating: 0, count: rng.int(1..<20)) }
        default:  // cut inside the header
            payload = Array(payload.prefix(rng.int(0..<(4 + 4 * rank))))
        }
        return Deflater.compress(payload, format: .gzip, level: Int32(rng.pick([0, 1, 6, 9])))
    }

    /// The result of one feeding.
    struct Outcome {
        var measurement: FileMeasurement
        var delivered: Int64
        var thrownCode: String?
    }

    /// Feeds `input` to a fresh verifier in random chunks; counts the payload handed out.
    static func feed(_ input: [UInt8], limit: Int64, maxChunk: Int, rng: inout SeededRandom) -> Outcome {
        let verifier = StreamingVerifier(payloadLimit: limit)
        var delivered: Int64 = 0
        verifier.onPayload = { delivered += Int64($0.count) }
        var thrown: String?
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + rng.int(1..<(maxChunk + 1)))
            do throws(IntegrityFault) {
                try verifier.feed(Array(input[offset..<end]))
            } catch {
                thrown = error.code.rawValue
                break
            }
            offset = end
        }
        return Outcome(measurement: verifier.finish(), delivered: delivered, thrownCode: thrown)
    }

    /// The verdict of an outcome: the fault's code, or "ok".
    static func faultClass(_ code: String?) -> String { code ?? "ok" }

    @Test func streamingVerifierSurvivesMutatedGzipIDX() {
        var rng = SeededRandom(seed: FuzzSettings.seed)
        let iterations = FuzzSettings.iterations
        var faults: [String: Int] = [:]
        var slowest: Duration = .zero
        let clock = ContinuousClock()
        let start = clock.now
        for iteration in 0..<iterations {
            let inputSeed = rng.next()
            var local = SeededRandom(seed: inputSeed)
            let input: [UInt8]
            if local.chance(30) {
                input = Self.payloadMutation(&local)
            } else {
                input = ByteMutator.mutate(local.pick(Self.seeds), donor: local.pick(Self.seeds), rng: &local)
            }
            let limit: Int64 = local.pick([StreamingVerifier.defaultPayloadLimit, 2368, 2367, 616, 100, 1, Int64(local.int(0..<4096))])
            let chunking = [1, 2, 7, 64, 997, 4096, 1 << 20]
            let ((first, second), elapsed) = fuzzTimed {
                (Self.feed(input, limit: limit, maxChunk: local.pick(chunking), rng: &local),
                 Self.feed(input, limit: limit, maxChunk: local.pick(chunking), rng: &local))
            }
            slowest = max(slowest, elapsed)
            let context = "iteration \(iteration), input seed \(inputSeed), \(input.count) bytes, limit \(limit)"
            #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context)")
            for outcome in [first, second] {
                let m = outcome.measurement
                #expect(outcome.delivered <= limit, "payload past the bound: \(context)")
                #expect(m.containerSize <= Int64(input.count), "\(context)")
                if outcome.thrownCode != nil { #expect(m.fault?.code.rawValue == outcome.thrownCode, "thrown fault not kept: \(context)") }
                if m.fault == nil {
                    // A clean result must be a complete, self-consistent IDX file.
                    #expect(m.payloadSize == outcome.delivered, "\(context)")
                    let elements = m.idxDims.reduce(Int64(1)) { $0 * Int64($1) }
                    #expect(Int64(4 + 4 * m.idxDims.count) + elements == m.payloadSize, "\(context)")
                    if m.isLabels { #expect(m.labelHistogram.reduce(0, +) == m.idxDims[0], "\(context)") }
                }
            }
            #expect(Self.faultClass(first.measurement.fault?.code.rawValue) == Self.faultClass(second.measurement.fault?.code.rawValue),
                    "chunking changed the verdict (\(first.measurement.fault?.description ?? "ok") vs \(second.measurement.fault?.description ?? "ok")): \(context)")
            if first.measurement.fault == nil && second.measurement.fault == nil {
                #expect(first.measurement == second.measurement, "chunking changed the measurement: \(context)")
            }
            faults[first.measurement.fault?.code.rawValue ?? "ok", default: 0] += 1
        }
        let total = clock.now - start
        let summary = faults.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("fuzz: \(iterations) gzip/IDX inputs (×2 chunkings), seed \(FuzzSettings.seed), 0 crashes, \(total.fuzzSeconds) s total, slowest input \(slowest.fuzzSeconds) s; outcomes: \(summary)")
    }

    /// A gzip bomb: a small container that inflates far past its bound stops at the bound.
    @Test func bombIsStoppedAtTheBound() {
        var payload = SyntheticIDX.images(count: 60000)
        payload.removeLast(payload.count - 16)
        payload += [UInt8](repeating: 0, count: 8 << 20)
        let member = SyntheticIDX.gzip(payload)
        let zeros = SyntheticIDX.gzip([UInt8](repeating: 0, count: 8 << 20))
        let bomb = member + zeros + zeros + zeros  // 32 MiB from ~32 KiB
        var rng = SeededRandom(seed: FuzzSettings.seed)
        let outcome = Self.feed(bomb, limit: 10 << 20, maxChunk: 4096, rng: &rng)
        #expect(outcome.measurement.fault == .decompressionBomb(limit: 10 << 20))
        #expect(outcome.delivered <= 10 << 20)
    }
}
