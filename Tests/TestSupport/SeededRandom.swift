/// A small, seeded, reproducible random generator (SplitMix64) shared by the tests
/// (the mutation fuzzers print the seed of every failing input).
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    public mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    public mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &self) }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
}
