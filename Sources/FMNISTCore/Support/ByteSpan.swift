/// Arithmetic on sizes and offsets that come from a file's bytes (zip fields, IDX dimensions,
/// `.npy` shapes, manifest and catalog numbers): none of it ever traps. Swift stops the process on
/// an overflowing `+` or `*` and on `Int64(_:)` of a `UInt64` past 2⁶³−1, so a hostile field
/// (an offset of 2⁶⁴−1) would kill the command; every reader checks through these instead and
/// turns a value that does not fit into its own typed fault.
///
/// ```swift
/// guard let offset = ByteSpan.int64(rawOffset), ByteSpan.fits(offset: offset, length: 56, within: fileSize) else { throw … }
/// ```
package enum ByteSpan {
    /// A `UInt64` field as an `Int64`, or nil when it is 2⁶³ or more.
    package static func int64(_ value: UInt64) -> Int64? { Int64(exactly: value) }

    /// `a + b`, or nil when it overflows.
    package static func sum(_ a: Int64, _ b: Int64) -> Int64? {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : value
    }

    /// `a × b`, or nil when it overflows.
    package static func product(_ a: Int64, _ b: Int64) -> Int64? {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : value
    }

    /// `a + b`, or `Int64.max` when it overflows (for bounds: "at most this many bytes").
    package static func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 { sum(a, b) ?? (a < 0 ? .min : .max) }

    /// `a × b`, or `Int64.max` / `Int64.min` when it overflows (for bounds).
    package static func saturatingProduct(_ a: Int64, _ b: Int64) -> Int64 {
        product(a, b) ?? ((a < 0) != (b < 0) ? .min : .max)
    }

    /// Whether the bytes `offset ..< offset + length` lie inside `0 ..< limit`, without computing
    /// a sum that could overflow.
    package static func fits(offset: Int64, length: Int64, within limit: Int64) -> Bool {
        offset >= 0 && length >= 0 && offset <= limit && length <= limit - offset
    }

    /// How many bytes to reserve ahead for `expected` bytes: never negative, never more than
    /// `cap` (a hint only; the array still grows as bytes arrive, so a hostile size in a manifest
    /// or a catalog row cannot ask for memory the input never supplies).
    package static func reservation(_ expected: Int64, cap: Int64 = 256 << 20) -> Int {
        Int(max(0, min(expected, cap)))
    }
}
