import Foundation
import TestSupport

@testable import FMNISTCore

/// Fuzz settings from the environment, sized by default for ~30–60 s of a debug build in CI.
///
/// - `FMNIST_FUZZ_ITERATIONS`: gzip/IDX inputs (default 40000); manifests and configs get a
///   quarter each of that.
/// - `FMNIST_FUZZ_SEED`: the first seed (default 20240601); every input's seed is printed on failure.
enum FuzzSettings {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations: Int = environment["FMNIST_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max(1, $0) } ?? 40_000
    static let seed: UInt64 = environment["FMNIST_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_240_601
    /// The most any one input may take (a hang shows up as this being exceeded). Generous for debug builds.
    static let perInputTimeLimit: Duration = .seconds(5)
}

/// Byte-level mutations shared by the fuzzers.
enum ByteMutator {
    /// Applies 1–4 random byte-level mutations; `donor` supplies bytes for splicing.
    static func mutate(_ input: [UInt8], donor: [UInt8], rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<rng.int(1..<5) {
            switch rng.int(0..<9) {
            case 0, 1:  // bit flips
                guard !bytes.isEmpty else { continue }
                for _ in 0..<rng.int(1..<4) {
                    bytes[rng.int(0..<bytes.count)] ^= UInt8(1) << UInt8(rng.int(0..<8))
                }
            case 2:  // random byte overwrite, biased to interesting values
                guard !bytes.isEmpty else { continue }
                bytes[rng.int(0..<bytes.count)] = rng.pick([0x00, 0xFF, 0x7F, 0x80, 0x1F, 0x8B, 0x08, 0x0A, rng.byte()])
            case 3:  // insert bytes
                let at = rng.int(0..<(bytes.count + 1))
                bytes.insert(contentsOf: (0..<rng.int(1..<16)).map { _ in rng.byte() }, at: at)
            case 4:  // delete a range
                guard !bytes.isEmpty else { continue }
                let at = rng.int(0..<bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + rng.int(1..<32)))
            case 5:  // truncate
                bytes = Array(bytes.prefix(rng.int(0..<(bytes.count + 1))))
            case 6:  // splice: our head + donor's tail
                guard !donor.isEmpty else { continue }
                let cut = rng.int(0..<(bytes.count + 1))
                let from = rng.int(0..<donor.count)
                bytes = Array(bytes.prefix(cut)) + donor[from...]
            case 7:  // append garbage or a copy of ourselves (multi-member / trailing data)
                bytes += rng.chance(50) ? donor : (0..<rng.int(1..<64)).map { _ in rng.byte() }
            default:  // duplicate a range in place
                guard bytes.count > 1 else { continue }
                let start = rng.int(0..<bytes.count)
                let end = min(bytes.count, start + rng.int(1..<64))
                bytes.insert(contentsOf: bytes[start..<end], at: rng.int(0..<(bytes.count + 1)))
            }
        }
        return bytes
    }
}

/// Times one fuzz input.
func fuzzTimed<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    return (value, clock.now - start)
}

extension Duration {
    /// Seconds with three decimals, for the fuzz summaries.
    var fuzzSeconds: String {
        String(format: "%.3f", Double(components.seconds) + Double(components.attoseconds) / 1e18)
    }
}
