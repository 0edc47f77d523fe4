/// A minimal Parquet writer for the Hugging Face image-classification schema: one row group,
/// one uncompressed data page (v1) per column, PLAIN encoding, definition levels as one RLE run.
///
/// Columns: `image` (optional group of optional `bytes`: BYTE_ARRAY and optional `path`: UTF8,
/// always null), `label` (optional INT64). The footer carries key-value metadata (the
/// `huggingface` features JSON).
struct ParquetImageTableWriter {
    static let magic: [UInt8] = Array("PAR1".utf8)

    /// The bytes of a complete Parquet file.
    static func file(images: [[UInt8]], labels: [Int64], metadata: [(String, String)]) -> [UInt8] {
        precondition(images.count == labels.count)
        let rows = images.count
        var out = magic
        var columns: [(path: [String], type: Int32, offset: Int64, size: Int64)] = []

        func page(_ path: [String], type: Int32, definitionLevel: UInt8, bitWidth: Int, values: [UInt8]) {
            var levels = ThriftCompactWriter()  // only its varint encoder
            levels.varint(UInt64(rows) << 1)  // RLE run header: count, LSB 0
            var run = levels.bytes
            run.append(definitionLevel)
            precondition(bitWidth <= 8)
            let body = le32(UInt32(run.count)) + run + values
            var header = ThriftCompactWriter()
            header.i32(1, 0)  // DATA_PAGE
            header.i32(2, Int32(body.count))
            header.i32(3, Int32(body.count))
            header.beginStruct(5)
            header.i32(1, Int32(rows))
            header.i32(2, 0)  // PLAIN
            header.i32(3, 3)  // definition levels: RLE
            header.i32(4, 3)  // repetition levels: RLE (none here)
            header.endStruct()
            header.stop()
            let offset = Int64(out.count)
            out += header.bytes
            out += body
            columns.append((path, type, offset, Int64(header.bytes.count + body.count)))
        }

        var pngs: [UInt8] = []
        pngs.reserveCapacity(images.reduce(0) { $0 + $1.count + 4 })
        for image in images {
            pngs += le32(UInt32(image.count))
            pngs += image
        }
        page(["image", "bytes"], type: 6, definitionLevel: 2, bitWidth: 2, values: pngs)
        page(["image", "path"], type: 6, definitionLevel: 1, bitWidth: 2, values: [])
        var labelBytes: [UInt8] = []
        labelBytes.reserveCapacity(rows * 8)
        for label in labels { labelBytes += le64(UInt64(bitPattern: label)) }
        page(["label"], type: 2, definitionLevel: 1, bitWidth: 1, values: labelBytes)

        var footer = ThriftCompactWriter()
        footer.i32(1, 1)
        footer.beginList(2, .structure, count: 5)
        schemaElement(&footer, name: "schema", children: 2)
        schemaElement(&footer, name: "image", optional: true, children: 2)
        schemaElement(&footer, name: "bytes", type: 6, optional: true)
        schemaElement(&footer, name: "path", type: 6, optional: true, utf8: true)
        schemaElement(&footer, name: "label", type: 2, optional: true)
        footer.i64(3, Int64(rows))
        footer.beginList(4, .structure, count: 1)
        footer.beginStruct()
        footer.beginList(1, .structure, count: columns.count)
        for column in columns {
            footer.beginStruct()
            footer.i64(2, column.offset)
            footer.beginStruct(3)
            footer.i32(1, column.type)
            footer.beginList(2, .i32, count: 2)
            footer.listElement(Int32(0))  // PLAIN
            footer.listElement(Int32(3))  // RLE
            footer.beginList(3, .binary, count: column.path.count)
            for part in column.path { footer.listElement(part) }
            footer.i32(4, 0)  // UNCOMPRESSED
            footer.i64(5, Int64(rows))
            footer.i64(6, column.size)
            footer.i64(7, column.size)
            footer.i64(9, column.offset)
            footer.endStruct()
            footer.endStruct()
        }
        footer.i64(2, columns.reduce(0) { $0 + $1.size })
        footer.i64(3, Int64(rows))
        footer.endStruct()
        footer.beginList(5, .structure, count: metadata.count)
        for (key, value) in metadata {
            footer.beginStruct()
            footer.string(1, key)
            footer.string(2, value)
            footer.endStruct()
        }
        footer.string(6, "fmnist \(FMNISTCoreVersion.string)")
        footer.stop()
        out += footer.bytes
        out += le32(UInt32(footer.bytes.count))
        out += magic
        return out
    }

    private static func schemaElement(
        _ w: inout ThriftCompactWriter, name: String, type: Int32? = nil, optional: Bool = false, children: Int32? = nil,
        utf8: Bool = false
    ) {
        w.beginStruct()
        if let type { w.i32(1, type) }
        if optional { w.i32(3, 1) }
        w.string(4, name)
        if let children { w.i32(5, children) }
        if utf8 { w.i32(6, 0) }
        w.endStruct()
    }

    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
    static func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}
