/// A writer for the Thrift compact protocol, the encoding of Parquet's page headers and footer.
/// Only what Parquet metadata needs: i32, i64, binary/string, lists, nested structs.
///
/// ```swift
/// var thrift = ThriftCompactWriter()
/// thrift.i32(1, 0); thrift.beginStruct(5); thrift.i32(1, 60000); thrift.endStruct(); thrift.stop()
/// ```
struct ThriftCompactWriter {
    enum FieldType: UInt8 { case i32 = 5, i64 = 6, binary = 8, list = 9, structure = 12 }

    private(set) var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    private mutating func header(_ id: Int16, _ type: FieldType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(UInt64(bitPattern: Int64((id << 1) ^ (id >> 15))))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func i32(_ id: Int16, _ value: Int32) {
        header(id, .i32)
        zigzag(Int64(value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        header(id, .i64)
        zigzag(value)
    }

    mutating func string(_ id: Int16, _ value: String) {
        header(id, .binary)
        rawString(value)
    }

    private mutating func rawString(_ value: String) {
        varint(UInt64(value.utf8.count))
        bytes += value.utf8
    }

    /// A list field of `count` elements of `type`; write the elements next.
    mutating func beginList(_ id: Int16, _ type: FieldType, count: Int) {
        header(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    /// Elements of a list of i32 or string.
    mutating func listElement(_ value: Int32) { zigzag(Int64(value)) }
    mutating func listElement(_ value: String) { rawString(value) }

    /// A struct field (or, with `id` nil, a struct element of a list); end it with ``endStruct()``.
    mutating func beginStruct(_ id: Int16? = nil) {
        if let id { header(id, .structure) }
        lastField.append(0)
    }

    mutating func endStruct() {
        stop()
        lastField.removeLast()
    }

    /// Ends the outermost struct.
    mutating func stop() { bytes.append(0) }
}
