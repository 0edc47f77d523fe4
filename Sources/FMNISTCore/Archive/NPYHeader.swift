/// The header of a `.npy` array (format versions 1.0, 2.0 and 3.0): the magic `\x93NUMPY`, the
/// version, the header length (2 bytes in 1.0, 4 after), and a Python dict literal such as
/// `{'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }`.
public struct NPYHeader: Sendable, Equatable, Codable {
    /// The longest header read (numpy itself refuses headers over 10,000 bytes by default).
    public static let maxLength = 65536

    /// numpy's dtype string, e.g. `|u1`.
    public let descr: String
    public let fortranOrder: Bool
    public let shape: [Int]
    /// Bytes before the array data (magic, version, length, dict text).
    public let length: Int

    /// Whether the dtype is one unsigned byte per element (`|u1`, `<u1`, `>u1`, `u1`): what IDX u8 holds.
    public var isUInt8: Bool { ["|u1", "<u1", ">u1", "=u1", "u1", "|B", "B", "uint8"].contains(descr) }

    /// The element count, or nil when the shape's product does not fit in an `Int64`.
    public var elementCount: Int64? {
        var total: Int64 = 1
        for dim in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: Int64(dim))
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// How many bytes the header takes, from its first 12 bytes (nil until enough are held).
    static func length(ofPrefix prefix: [UInt8], entry: String) throws(NPZFault) -> Int? {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard prefix.count >= 8 else {
            if !magic.starts(with: prefix.prefix(6)) { throw .badNPYHeader(name: entry, detail: "no \\x93NUMPY magic") }
            return nil
        }
        guard prefix.starts(with: magic) else { throw .badNPYHeader(name: entry, detail: "no \\x93NUMPY magic") }
        let major = prefix[6]
        let length: Int
        switch major {
        case 1:
            guard prefix.count >= 10 else { return nil }
            length = 10 + Int(prefix.le16(8))
        case 2, 3:
            guard prefix.count >= 12 else { return nil }
            length = 12 + Int(prefix.le32(8))
        default:
            throw .badNPYHeader(name: entry, detail: "unknown format version \(major).\(prefix[7])")
        }
        guard length <= maxLength else {
            throw .badNPYHeader(name: entry, detail: "a header of \(length) bytes (at most \(maxLength) are read)")
        }
        return length
    }

    /// Parses a whole header (``length(ofPrefix:entry:)`` bytes).
    static func parse(_ bytes: [UInt8], entry: String) throws(NPZFault) -> NPYHeader {
        guard let length = try length(ofPrefix: bytes, entry: entry), bytes.count >= length else {
            throw .badNPYHeader(name: entry, detail: "the header is cut short")
        }
        let start = bytes[6] == 1 ? 10 : 12
        let body = Array(bytes[start..<length])
        guard String(validating: body, as: UTF8.self) != nil else {
            throw .badNPYHeader(name: entry, detail: "the header text is not ASCII or UTF-8")
        }
        var parser = DictLiteralParser(text: body, entry: entry)
        let fields = try parser.parseDict()
        guard case .string(let descr)? = fields["descr"] else { throw .badNPYHeader(name: entry, detail: "no 'descr' string") }
        guard case .bool(let fortran)? = fields["fortran_order"] else {
            throw .badNPYHeader(name: entry, detail: "no 'fortran_order' True/False")
        }
        guard case .tuple(let shape)? = fields["shape"] else { throw .badNPYHeader(name: entry, detail: "no 'shape' tuple") }
        let extra = Set(fields.keys).subtracting(["descr", "fortran_order", "shape"])
        if !extra.isEmpty { throw .badNPYHeader(name: entry, detail: "unexpected keys \(extra.sorted())") }
        return NPYHeader(descr: descr, fortranOrder: fortran, shape: shape, length: length)
    }
}

/// The few Python literals a `.npy` header dict holds: strings, True/False, tuples of integers.
struct DictLiteralParser {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    let text: [UInt8]
    let entry: String
    var at = 0

    init(text: [UInt8], entry: String) {
        self.text = text
        self.entry = entry
    }

    private func fail(_ detail: String) -> NPZFault { .badNPYHeader(name: entry, detail: detail) }

    private mutating func skipSpace() {
        while at < text.count, [0x20, 0x0A, 0x09, 0x0D].contains(text[at]) { at += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(NPZFault) {
        skipSpace()
        guard at < text.count, text[at] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))' at \(at)") }
        at += 1
    }

    private mutating func peek() -> UInt8? {
        skipSpace()
        return at < text.count ? text[at] : nil
    }

    mutating func parseDict() throws(NPZFault) -> [String: Value] {
        try expect(UInt8(ascii: "{"))
        var fields: [String: Value] = [:]
        while peek() != UInt8(ascii: "}") {
            guard fields.count < 16 else { throw fail("too many keys") }
            let key = try parseString()
            try expect(UInt8(ascii: ":"))
            let value = try parseValue()
            if fields.updateValue(value, forKey: key) != nil { throw fail("key '\(key)' twice") }
            if peek() == UInt8(ascii: ",") { at += 1 } else { break }
        }
        try expect(UInt8(ascii: "}"))
        skipSpace()
        guard at == text.count else { throw fail("text after the dict") }
        return fields
    }

    private mutating func parseValue() throws(NPZFault) -> Value {
        switch peek() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .tuple(try parseTuple())
        case UInt8(ascii: "T"), UInt8(ascii: "F"):
            for (word, value) in [("True", true), ("False", false)] where text[at...].starts(with: Array(word.utf8)) {
                at += word.utf8.count
                return .bool(value)
            }
            throw fail("expected True or False at \(at)")
        default:
            throw fail("unsupported value at \(at) (only strings, True/False and tuples of integers)")
        }
    }

    private mutating func parseString() throws(NPZFault) -> String {
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw fail("expected a string at \(at)") }
        at += 1
        let start = at
        while at < text.count, text[at] != quote {
            if text[at] == UInt8(ascii: "\\") { throw fail("escapes in strings are not read") }
            at += 1
        }
        guard at < text.count, at - start <= 64 else { throw fail("unterminated or overlong string") }
        let value = String(decoding: text[start..<at], as: UTF8.self)
        at += 1
        return value
    }

    private mutating func parseTuple() throws(NPZFault) -> [Int] {
        try expect(UInt8(ascii: "("))
        var values: [Int] = []
        while let next = peek(), next != UInt8(ascii: ")") {
            guard values.count < 32 else { throw fail("a shape of more than 32 dimensions") }
            let start = at
            while at < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[at]) { at += 1 }
            guard at > start, at - start <= 18, let value = Int(String(decoding: text[start..<at], as: UTF8.self)) else {
                throw fail("expected a non-negative integer in the shape at \(start)")
            }
            values.append(value)
            if peek() == UInt8(ascii: ",") { at += 1 } else { break }
        }
        try expect(UInt8(ascii: ")"))
        return values
    }
}
