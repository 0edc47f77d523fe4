/// Deterministic xoshiro256** generator seeded through SplitMix64.
///
/// Used for weight initialisation and epoch shuffles so a run is reproducible from its seed on
/// every platform and Swift version (the standard library's generators make no such promise).
/// Package-visible so the `FMNIST` front door shuffles batches with the same generator.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    package init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    package mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [-bound, bound).
    mutating func nextSymmetric(_ bound: Float) -> Float { (nextUnitFloat() * 2 - 1) * bound }

    /// Unbiased integer in 0..<bound (Lemire's multiply-shift with rejection).
    package mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Fisher-Yates shuffle of a buffer.
    mutating func shuffle(_ buffer: UnsafeMutableBufferPointer<Int32>) {
        var i = buffer.count - 1
        while i > 0 {
            let j = nextIndex(below: i + 1)
            buffer.swapAt(i, j)
            i -= 1
        }
    }
}
