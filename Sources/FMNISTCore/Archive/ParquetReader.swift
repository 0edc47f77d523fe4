/// Why a file is not a Parquet table `fmnist` can read back (it names the structure or row).
public struct ParquetFault: Error, Sendable, Equatable, CustomStringConvertible {
    public let problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

/// The rows of an image-classification Parquet table: each row's PNG (a range of `bytes`) and label.
struct ParquetImageTable {
    let bytes: [UInt8]
    let images: [Range<Int>]
    let labels: [Int64]
}

/// A bounded reader for exactly the Parquet that ``ParquetImageTableWriter`` (`fmnist export hf`)
/// writes: `PAR1` … footer length `PAR1`, a Thrift compact footer whose schema is
/// `image {bytes, path}`, `label` (all optional), one row group, one uncompressed PLAIN data page
/// (v1) per column, definition levels in the RLE/bit-packed hybrid. Any other Parquet (compressed,
/// dictionary-encoded, several row groups or pages, another schema) is refused with a
/// ``ParquetFault`` that says what it is; every offset and size from the file is checked before use.
///
/// ```swift
/// let table = try ParquetImageTableReader.read(bytes, maxRows: 60_000, maxImageSize: 4096, classCount: 10)
/// ```
enum ParquetImageTableReader {
    static let magic: [UInt8] = Array("PAR1".utf8)
    /// The largest footer read (fmnist's is under 1 KiB; a hub file's under 64 KiB).
    static let maxFooter = 1 << 20

    static func read(_ bytes: [UInt8], maxRows: Int, maxImageSize: Int, classCount: Int) throws(ParquetFault) -> ParquetImageTable {
        let size = bytes.count
        guard size >= 12 else { throw ParquetFault(size == 0 ? "empty file, not Parquet" : "cut short: \(size) bytes, too short for Parquet") }
        guard Array(bytes[0..<4]) == magic else { throw ParquetFault("not a Parquet file (it does not start with PAR1)") }
        guard Array(bytes[(size - 4)..<size]) == magic else { throw ParquetFault("cut short or damaged: it does not end with PAR1") }
        let footerLength = Int(le32(bytes, size - 8))
        guard footerLength > 0, footerLength <= size - 12 else {
            throw ParquetFault("its footer length \(footerLength) does not fit in the \(size)-byte file")
        }
        guard footerLength <= maxFooter else { throw ParquetFault("its footer is \(footerLength) bytes, more than \(maxFooter): not a table fmnist wrote") }
        let footerStart = size - 8 - footerLength
        var reader = ThriftCompactReader(bytes, from: footerStart, to: size - 8)
        let meta = try reader.structure()

        // Schema: exactly what the writer writes.
        guard let schema = meta[2]?.list, schema.count == 5 else {
            throw ParquetFault("its schema is not image {bytes, path}, label (the table fmnist export hf writes)")
        }
        let expected: [(name: String, type: Int64?, children: Int64?)] = [
            ("schema", nil, 2), ("image", nil, 2), ("bytes", 6, nil), ("path", 6, nil), ("label", 2, nil),
        ]
        for (index, (element, want)) in zip(schema, expected).enumerated() {
            guard let f = element.fields, f[4]?.string == want.name, f[1]?.int == want.type, f[5]?.int == want.children,
                index == 0 || f[3]?.int == 1
            else {
                let names = schema.compactMap { $0.fields?[4]?.string }.joined(separator: ", ")
                throw ParquetFault("its schema (\(names)) is not image {bytes, path}, label with those types (the table fmnist export hf writes)")
            }
        }
        guard let rowCount = meta[3]?.int, rowCount >= 1 else { throw ParquetFault("its footer gives no row count") }
        guard rowCount <= Int64(maxRows) else { throw ParquetFault("\(rowCount) rows, more than any known split has (\(maxRows))") }
        let rows = Int(rowCount)
        guard let groups = meta[4]?.list, groups.count == 1, let group = groups[0].fields else {
            throw ParquetFault("\(meta[4]?.list?.count ?? 0) row groups; fmnist reads the one row group it writes")
        }
        guard group[3]?.int == rowCount else { throw ParquetFault("its row group's row count differs from the file's") }
        guard let chunks = group[1]?.list, chunks.count == 3 else { throw ParquetFault("its row group does not have the three columns image.bytes, image.path, label") }

        var images: [Range<Int>] = []
        var labels: [Int64] = []
        var seen: Set<String> = []
        for chunk in chunks {
            guard let column = chunk.fields?[3]?.fields else { throw ParquetFault("a column chunk without metadata (in another file?)") }
            let path = (column[3]?.list ?? []).compactMap(\.string).joined(separator: ".")
            guard ["image.bytes", "image.path", "label"].contains(path), seen.insert(path).inserted else {
                throw ParquetFault("an unexpected or repeated column \"\(path)\"")
            }
            if let codec = column[4]?.int, codec != 0 {
                throw ParquetFault("column \(path) is compressed (\(codecName(codec))); fmnist reads only the uncompressed Parquet it writes")
            }
            guard column[5]?.int == rowCount else { throw ParquetFault("column \(path) holds \(column[5]?.int ?? -1) values for \(rows) rows") }
            guard let offset = column[9]?.int, let total = column[7]?.int, offset >= 4, total > 0,
                offset <= Int64(footerStart), total <= Int64(footerStart) - offset
            else { throw ParquetFault("column \(path)'s data lies outside the file's data region") }
            let body = try page(bytes, from: Int(offset), to: Int(offset + total), rows: rows, path: path)
            let maxLevel = path == "image.bytes" ? 2 : 1
            let required = path == "image.path" ? 1 : maxLevel  // path is always null: defined up to `image`
            // `definitionLevels` keeps only the rows whose level is not `required`: any is a fault.
            if let bad = try definitionLevels(bytes, body, rows: rows, maxLevel: maxLevel, column: path).first {
                throw ParquetFault("row \(bad.row): \(path == "image.path" ? "a path where fmnist writes none" : "a null \(path)") (definition level \(bad.level), not \(required))")
            }
            var at = try valuesStart(bytes, body)
            switch path {
            case "image.bytes":
                images.reserveCapacity(rows)
                for row in 0..<rows {
                    guard body.upperBound - at >= 4 else { throw ParquetFault("row \(row): the image bytes end early (cut short?)") }
                    let length = Int(le32(bytes, at))
                    at += 4
                    guard length <= maxImageSize else {
                        throw ParquetFault("row \(row): an image of \(length) bytes, more than an MNIST-format PNG can be (\(maxImageSize))")
                    }
                    guard body.upperBound - at >= length else { throw ParquetFault("row \(row): the image bytes end early (cut short?)") }
                    images.append(at..<(at + length))
                    at += length
                }
            case "label":
                guard body.upperBound - at == 8 * rows else {
                    throw ParquetFault("column label holds \(body.upperBound - at) bytes of values, not \(8 * rows) for \(rows) rows")
                }
                labels.reserveCapacity(rows)
                for row in 0..<rows {
                    let value = Int64(bitPattern: le64(bytes, at + 8 * row))
                    guard value >= 0, value < Int64(min(classCount, 256)) else {
                        throw ParquetFault("row \(row): label \(value) is not a class (0…\(classCount - 1))")
                    }
                    labels.append(value)
                }
                at = body.upperBound
            default:
                break
            }
            guard at == body.upperBound else {
                throw ParquetFault("column \(path) has \(body.upperBound - at) bytes after its \(rows) values")
            }
        }
        return ParquetImageTable(bytes: bytes, images: images, labels: labels)
    }

    /// The body of the one data page of a column chunk spanning `start..<end`.
    static func page(_ bytes: [UInt8], from start: Int, to end: Int, rows: Int, path: String) throws(ParquetFault) -> Range<Int> {
        var reader = ThriftCompactReader(bytes, from: start, to: end)
        let header = try reader.structure()
        guard header[1]?.int == 0 else {
            throw ParquetFault("column \(path)'s page is a \(pageName(header[1]?.int ?? -1)) page; fmnist writes one plain data page per column")
        }
        guard let size = header[3]?.int, header[2]?.int == size, size >= 0 else {
            throw ParquetFault("column \(path)'s page sizes disagree (compressed \(header[3]?.int ?? -1), uncompressed \(header[2]?.int ?? -1))")
        }
        guard size == Int64(end - reader.at) else {
            throw ParquetFault("column \(path) is not one page of \(end - reader.at) bytes (its page holds \(size)): more pages than fmnist writes")
        }
        guard let data = header[5]?.fields, data[1]?.int == Int64(rows) else {
            throw ParquetFault("column \(path)'s page does not hold one value per row")
        }
        guard data[2]?.int == 0 else { throw ParquetFault("column \(path) is not PLAIN-encoded (encoding \(data[2]?.int ?? -1)): dictionary or other encodings are not what fmnist writes") }
        guard data[3]?.int == 3 else { throw ParquetFault("column \(path)'s definition levels are not RLE-encoded") }
        return reader.at..<end
    }

    /// Decodes the page's definition levels (4-byte length, then the RLE/bit-packed hybrid).
    static func definitionLevels(
        _ bytes: [UInt8], _ body: Range<Int>, rows: Int, maxLevel: Int, column: String
    ) throws(ParquetFault) -> [(row: Int, level: Int)] {
        guard body.count >= 4 else { throw ParquetFault("column \(column)'s page ends before its definition levels") }
        let length = Int(le32(bytes, body.lowerBound))
        guard length <= body.count - 4 else { throw ParquetFault("column \(column)'s definition levels run past its page") }
        let bitWidth = maxLevel <= 1 ? 1 : 2
        var reader = ThriftCompactReader(bytes, from: body.lowerBound + 4, to: body.lowerBound + 4 + length)
        var out: [(row: Int, level: Int)] = []
        var produced = 0
        func add(_ level: Int, _ count: Int) {
            // Only the rows whose level is not the common one are kept (`out` stays small).
            if level != (column == "image.path" ? 1 : maxLevel) { out.append((produced, level)) }
            produced += count
        }
        while produced < rows {
            let header = try reader.varint()
            if header & 1 == 0 {
                let count = header >> 1
                guard count > 0, count <= UInt64(rows - produced) else {
                    throw ParquetFault("column \(column)'s definition levels give \(count) values where \(rows - produced) are left")
                }
                let level = Int(try reader.byte())
                guard level <= maxLevel else { throw ParquetFault("column \(column): definition level \(level) above \(maxLevel)") }
                add(level, Int(count))
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(rows / 8 + 1) else {
                    throw ParquetFault("column \(column)'s definition levels give \(groups) bit-packed groups for \(rows - produced) values")
                }
                var bits: UInt64 = 0
                var held = 0
                for _ in 0..<(Int(groups) * 8) {
                    while held < bitWidth {
                        bits |= UInt64(try reader.byte()) << UInt64(held)
                        held += 8
                    }
                    let level = Int(bits & ((1 << UInt64(bitWidth)) - 1))
                    bits >>= UInt64(bitWidth)
                    held -= bitWidth
                    guard produced < rows else { continue }  // padding of the last group
                    guard level <= maxLevel else { throw ParquetFault("column \(column): definition level \(level) above \(maxLevel)") }
                    add(level, 1)
                }
            }
        }
        return out
    }

    /// Where a page's values start (after the definition levels).
    static func valuesStart(_ bytes: [UInt8], _ body: Range<Int>) throws(ParquetFault) -> Int {
        guard body.count >= 4, Int(le32(bytes, body.lowerBound)) <= body.count - 4 else { throw ParquetFault("a page's definition levels run past it") }
        return body.lowerBound + 4 + Int(le32(bytes, body.lowerBound))
    }

    static func codecName(_ codec: Int64) -> String {
        ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"].indices.contains(Int(codec))
            ? ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"][Int(codec)] : "codec \(codec)"
    }

    static func pageName(_ type: Int64) -> String {
        switch type {
        case 1: return "index"
        case 2: return "dictionary"
        case 3: return "data (v2)"
        default: return "type-\(type)"
        }
    }

    static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func le64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) }
    }
}
