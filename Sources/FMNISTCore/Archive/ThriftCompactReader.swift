/// A value read by ``ThriftCompactReader``: the generic tree of a Thrift compact-protocol struct.
indirect enum ThriftValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case double(UInt64)
    case binary([UInt8])
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    case structure([Int16: ThriftValue])

    static func == (a: ThriftValue, b: ThriftValue) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.binary(let x), .binary(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.map(let x), .map(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.structure(let x), .structure(let y)): return x == y
        default: return false
        }
    }

    var int: Int64? { if case .int(let v) = self { return v } else { return nil } }
    var binary: [UInt8]? { if case .binary(let v) = self { return v } else { return nil } }
    var string: String? { binary.map { String(decoding: $0, as: UTF8.self) } }
    var list: [ThriftValue]? { if case .list(let v) = self { return v } else { return nil } }
    var fields: [Int16: ThriftValue]? { if case .structure(let v) = self { return v } else { return nil } }
}

/// A bounded reader of the Thrift compact protocol (Parquet's footer and page headers): every
/// length and count is checked against the bytes left, nesting is limited, varints are at most 10
/// bytes, so hostile bytes end in a ``ParquetFault``, never a crash or an unbounded allocation.
struct ThriftCompactReader {
    private let bytes: [UInt8]
    private(set) var at: Int
    let end: Int
    static let maxDepth = 16

    /// Reads from `bytes[start..<end]`.
    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        at = max(0, min(start, bytes.count))
        self.end = max(at, min(end, bytes.count))
    }

    private static func fault(_ detail: String) -> ParquetFault { ParquetFault("its Thrift metadata is malformed: \(detail)") }

    mutating func byte() throws(ParquetFault) -> UInt8 {
        guard at < end else { throw Self.fault("it ends inside a value") }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func varint() throws(ParquetFault) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let b = try byte()
            if shift == 63 && b > 1 { throw Self.fault("a varint longer than 64 bits") }
            value |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return value }
        }
        throw Self.fault("a varint longer than 10 bytes")
    }

    mutating func zigzag() throws(ParquetFault) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// Reads one struct (its fields until the stop byte).
    mutating func structure(depth: Int = 0) throws(ParquetFault) -> [Int16: ThriftValue] {
        guard depth < Self.maxDepth else { throw Self.fault("nested deeper than \(Self.maxDepth) levels") }
        var fields: [Int16: ThriftValue] = [:]
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return fields }
            let type = header & 0x0F
            let delta = header >> 4
            let id: Int16
            if delta != 0 {
                let (sum, overflow) = last.addingReportingOverflow(Int16(delta))
                guard !overflow else { throw Self.fault("a field id beyond 32767") }
                id = sum
            } else {
                let raw = try zigzag()
                guard let small = Int16(exactly: raw) else { throw Self.fault("a field id \(raw) out of range") }
                id = small
            }
            last = id
            let value: ThriftValue
            switch type {
            case 1: value = .bool(true)
            case 2: value = .bool(false)
            default: value = try self.value(type: type, depth: depth + 1)
            }
            fields[id] = value
        }
    }

    /// A value of compact type `type` (a list element's or a field's, booleans as a byte in lists).
    mutating func value(type: UInt8, depth: Int) throws(ParquetFault) -> ThriftValue {
        guard depth < Self.maxDepth else { throw Self.fault("nested deeper than \(Self.maxDepth) levels") }
        switch type {
        case 1, 2: return .bool(try byte() == 1)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            guard end - at >= 8 else { throw Self.fault("it ends inside a double") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[at + i]) << UInt64(8 * i) }
            at += 8
            return .double(v)
        case 8:
            let length = try varint()
            guard length <= UInt64(end - at) else { throw Self.fault("a string of \(length) bytes, more than the \(end - at) left") }
            let n = Int(length)
            defer { at += n }
            return .binary(Array(bytes[at..<(at + n)]))
        case 9, 10:
            let header = try byte()
            var count = UInt64(header >> 4)
            if count == 15 { count = try varint() }
            // Every element takes at least one byte.
            guard count <= UInt64(end - at) else { throw Self.fault("a list of \(count) elements in \(end - at) bytes") }
            var items: [ThriftValue] = []
            for _ in 0..<Int(count) { items.append(try value(type: header & 0x0F, depth: depth + 1)) }
            return .list(items)
        case 11:
            let count = try varint()
            guard count <= UInt64(end - at) else { throw Self.fault("a map of \(count) entries in \(end - at) bytes") }
            if count == 0 { return .map([]) }
            let types = try byte()
            var items: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<Int(count) {
                items.append((try value(type: types >> 4, depth: depth + 1), try value(type: types & 0x0F, depth: depth + 1)))
            }
            return .map(items)
        case 12: return .structure(try structure(depth: depth))
        default: throw Self.fault("an unknown field type \(type)")
        }
    }
}
