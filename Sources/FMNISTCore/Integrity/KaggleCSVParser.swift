/// The bounds a Kaggle-format CSV is read under, derived from the manifests: no known split has
/// more rows, wider images or more classes, so a larger or wider file is refused instead of read.
public struct CSVLimits: Sendable, Equatable {
    /// Pixels per image (`pixel1…pixelN`): rows × columns of the manifests' images (784 for 28×28).
    public let rows: Int
    public let columns: Int
    /// The largest number of images any known split has (60,000).
    public let maxRows: Int
    /// Labels must be below this (the largest class count of any manifest).
    public let classCount: Int

    public var pixelsPerImage: Int { rows * columns }
    /// The exact header line, without its newline: `label,pixel1,…,pixel784`.
    public let header: [UInt8]
    /// The longest row allowed: every value three digits, commas, `\r\n` (3,141 bytes for 784 pixels).
    public let maxRowLength: Int
    /// The largest file a CSV of the largest split can be: the header and `maxRows` of the longest rows.
    public var maxFileSize: Int64 {
        ByteSpan.saturatingSum(Int64(header.count + 2), ByteSpan.saturatingProduct(Int64(maxRowLength), Int64(max(0, maxRows))))
    }

    public init(rows: Int, columns: Int, maxRows: Int, classCount: Int) {
        self.rows = rows
        self.columns = columns
        self.maxRows = maxRows
        self.classCount = classCount
        header = Array(("label," + (0..<(rows * columns)).map { "pixel\($0 + 1)" }.joined(separator: ",")).utf8)
        maxRowLength = 4 * (rows * columns + 1) + 1
    }

    /// The bounds of every split the manifests know: image shape of the first manifest's
    /// train-images (every MNIST-format dataset is 28×28), the most images of any split, the
    /// most classes.
    public init(registry: ManifestRegistry) {
        let images = registry.manifests.flatMap { $0.versions.flatMap { $0.files.filter { $0.role.isImages } } }
        let dims = images.first?.idx.dims ?? [0, 28, 28]
        self.init(
            rows: dims.count == 3 ? dims[1] : 28, columns: dims.count == 3 ? dims[2] : 28,
            maxRows: images.map { $0.idx.dims.first ?? 0 }.max() ?? 0,
            classCount: registry.manifests.map { $0.classes.count }.max() ?? 10)
    }
}

/// What is wrong with a CSV: the line and column (1-based) where parsing stopped, and why.
public struct CSVFault: FMNISTError, Equatable, Codable {
    public let path: String
    /// 1-based line (the header is line 1); 0 when the fault is about the whole file.
    public let line: Int
    /// 1-based column (`label` is 1, `pixel1` is 2); 0 when the fault is about the whole line.
    public let column: Int
    public let problem: String

    public var exitStatus: ExitStatus { .integrity }
    public var hint: String? {
        "a Kaggle-format CSV has the header label,pixel1,…,pixel784 and one row of 785 integers 0…255 per image "
            + "(fmnist export csv DEST writes one from verified data)"
    }

    /// "line 3, column 17 (pixel16)" (or "line 3", or nothing for the whole file).
    public var location: String {
        guard line > 0 else { return "" }
        guard column > 0 else { return "line \(line)" }
        return "line \(line), column \(column) (\(column == 1 ? "label" : "pixel\(column - 1)"))"
    }

    public var description: String {
        let prefix = path.isEmpty ? "" : "\(path): "
        return location.isEmpty ? prefix + problem : "\(prefix)\(location): \(problem)"
    }

    func at(_ path: String) -> CSVFault { CSVFault(path: path, line: line, column: column, problem: problem) }
}

/// One split read from a Kaggle-format CSV, as the IDX payloads it stands for (header included),
/// so that their SHA-256 is directly comparable with a manifest's pinned payload digests.
public struct CSVSplit: Sendable {
    /// IDX3 images: `00 00 08 03`, count, rows, columns, then the pixels.
    public let imagesPayload: [UInt8]
    /// IDX1 labels: `00 00 08 01`, count, then the labels.
    public let labelsPayload: [UInt8]
    public let count: Int
    /// Images per class (length = the limits' class count).
    public let classHistogram: [Int]
}

/// Parses Kaggle-format CSV (`label,pixel1,…,pixelN`, one image per row) from bytes fed in
/// chunks of any size: no Foundation string work per field, one pass, memory bounded by
/// ``CSVLimits/maxRows`` rows (the payloads it builds) and one row of state.
///
/// ```swift
/// var parser = KaggleCSVParser(limits: CSVLimits(registry: registry))
/// try parser.feed(chunk)          // any number of times
/// let split = try parser.finish() // imagesPayload, labelsPayload, classHistogram
/// ```
///
/// Strict by design (the content is an identity): the header exactly; each row exactly 785
/// fields of 1–3 ASCII digits, values ≤ 255, label below the class count; every line ends with
/// `\n` (a `\r` right before it is allowed); no empty lines; at least one row.
public struct KaggleCSVParser: Sendable {
    public let limits: CSVLimits
    private let header: [UInt8]
    private let pixels: Int
    private let maxLineLength: Int
    private var images: [UInt8]
    private var labels: [UInt8]
    private var histogram: [Int]
    private var row: [UInt8]
    private var line = 1
    private var lineLength = 0
    private var inHeader = true
    private var headerColumn = 1
    private var field = 0  // 0 = label, k = pixel k
    private var value = 0
    private var digits = 0
    private var sawCR = false
    private var count = 0
    private var fault: CSVFault?

    public init(limits: CSVLimits) { self.init(limits: limits, rowsOnly: false) }

    /// `rowsOnly`: the input starts at a row, after the header (a segment of a file that
    /// ``KaggleCSVFile`` cut at a newline); ``rows()`` then hands back what it parsed.
    init(limits: CSVLimits, rowsOnly: Bool) {
        inHeader = !rowsOnly
        self.limits = limits
        header = limits.header
        pixels = limits.pixelsPerImage
        maxLineLength = limits.maxRowLength
        // The IDX headers are filled in by `finish`; storage grows with the rows actually read.
        images = [UInt8](repeating: 0, count: 16)
        labels = [UInt8](repeating: 0, count: 8)
        histogram = [Int](repeating: 0, count: limits.classCount)
        row = [UInt8](repeating: 0, count: limits.pixelsPerImage)
    }

    private mutating func fail(_ column: Int, _ problem: String) -> CSVFault {
        let fault = CSVFault(path: "", line: line, column: column, problem: problem)
        self.fault = fault
        return fault
    }

    private static func shown(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "\"\(Character(Unicode.Scalar(byte)))\"" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    /// Parses the next bytes. After a fault, every call throws the same fault.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(CSVFault) {
        if let fault { throw fault }
        var index = 0
        let end = bytes.count
        while index < end {
            if inHeader {
                try headerByte(bytes[index])
                index += 1
                continue
            }
            // A whole well-formed row in one tight pass; anything else (a fault, a row cut by the end
            // of the chunk) goes byte by byte below, from the same place, so faults are named as before.
            if lineLength == 0, !sawCR, count < limits.maxRows, let parsed = fastRow(bytes, from: index) {
                labels.append(parsed.label)
                histogram[Int(parsed.label)] += 1
                images.append(contentsOf: row)
                count += 1
                line += 1
                index = parsed.next
                continue
            }
            // The general loop: one byte at a time.
            let byte = bytes[index]
            index += 1
            lineLength += 1
            if lineLength > maxLineLength {
                throw fail(0, "the line is longer than \(maxLineLength) bytes (no newline)")
            }
            if sawCR && byte != 0x0A { throw fail(field + 1, "a carriage return (\\r) not followed by a newline") }
            switch byte {
            case 0x30...0x39:
                value = value &* 10 &+ Int(byte &- 0x30)
                digits += 1
                if digits > 3 || value > 255 {
                    let what = field == 0 ? "the label" : "the value"
                    throw fail(field + 1, value > 255 ? "\(what) \(value) is above 255" : "\(what) has more than 3 digits")
                }
            case 0x2C:  // ,
                try endField()
                if field == pixels { throw fail(field + 2, "more than \(pixels + 1) columns") }
                field += 1
            case 0x0D:  // \r
                sawCR = true
            case 0x0A:  // \n
                if lineLength == 1 + (sawCR ? 1 : 0) { throw fail(0, "an empty line") }
                try endField()
                if field < pixels { throw fail(field + 2, "the row ends after \(field + 1) of \(pixels + 1) columns") }
                try endRow()
            default:
                throw fail(field + 1, "not a number: \(Self.shown(byte))")
            }
        }
    }

    /// Parses the row that starts at `start` when it is well formed and ends (`\n` or `\r\n`)
    /// before the end of `bytes`: 1–3 digits per field, values up to 255, a label below the class
    /// count, exactly the columns of the header. Its pixels are left in `row`; the result is the
    /// label and where the next line starts. Nil for anything else, leaving the row to the
    /// byte-by-byte parser (which either parses it or names its fault).
    private mutating func fastRow(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (label: UInt8, next: Int)? {
        let (pixels, classCount) = (pixels, limits.classCount)
        return row.withUnsafeMutableBufferPointer { row -> (label: UInt8, next: Int)? in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            let end = bytes.count
            var i = start
            var label: UInt8 = 0
            for field in 0...pixels {
                // One to three digits, then the separator.
                guard i + 1 < end else { return nil }
                var value = Int(base[i] &- 0x30)
                guard value < 10 else { return nil }
                i += 1
                let second = base[i] &- 0x30
                if second < 10 {
                    value = value * 10 + Int(second)
                    i += 1
                    guard i < end else { return nil }
                    let third = base[i] &- 0x30
                    if third < 10 {
                        value = value * 10 + Int(third)
                        i += 1
                        guard i < end, value <= 255 else { return nil }
                    }
                }
                let separator = base[i]
                i += 1
                if field == 0 {
                    guard value < classCount else { return nil }
                    label = UInt8(value)
                } else {
                    row[field - 1] = UInt8(value)
                }
                if field < pixels {
                    guard separator == 0x2C else { return nil }
                } else if separator == 0x0D {
                    guard i < end, base[i] == 0x0A else { return nil }
                    i += 1
                } else {
                    guard separator == 0x0A else { return nil }
                }
            }
            return (label, i)
        }
    }

    /// Parses an array of bytes (tests, small inputs).
    public mutating func feed(_ bytes: [UInt8]) throws(CSVFault) {
        do {
            try bytes.withUnsafeBytes { buffer in try feed(buffer) }
        } catch let fault as CSVFault {
            throw fault
        } catch {
            throw fail(0, "\(error)")
        }
    }

    private mutating func headerByte(_ byte: UInt8) throws(CSVFault) {
        let expected = "label,pixel1,…,pixel\(pixels)"
        if byte == 0x0A {
            if lineLength == header.count { inHeader = false; sawCR = false; line += 1; lineLength = 0; return }
            if lineLength == 0 && !sawCR {
                throw fail(0, "the first line is empty: not a Kaggle-format CSV (its first line is the header \(expected))")
            }
            throw fail(headerColumn, "the header ends after \(headerColumn) of \(pixels + 1) columns (expected \(expected))")
        }
        if sawCR { throw fail(0, "a carriage return (\\r) not followed by a newline") }
        if byte == 0x0D && lineLength == header.count { sawCR = true; return }
        if lineLength == header.count && byte == 0x2C {
            throw fail(pixels + 2, "the header has more than \(pixels + 1) columns (expected \(expected))")
        }
        guard lineLength < header.count, byte == header[lineLength] else {
            if lineLength == 0 {
                throw fail(0, "not a Kaggle-format CSV: the first line must be the header \(expected) (it starts with \(Self.shown(byte)))")
            }
            let name = headerColumn == 1 ? "label" : "pixel\(headerColumn - 1)"
            throw fail(headerColumn, "the header must be exactly \(expected): column \(headerColumn) should be \"\(name)\"")
        }
        if byte == 0x2C { headerColumn += 1 }
        lineLength += 1
    }

    private mutating func endField() throws(CSVFault) {
        if digits == 0 { throw fail(field + 1, "an empty field") }
        if field == 0 {
            if value >= limits.classCount { throw fail(1, "the label \(value) is not below \(limits.classCount) (the number of classes)") }
        } else {
            row[field - 1] = UInt8(value)
        }
        if field == 0 {
            if count == limits.maxRows {
                throw fail(0, "more than \(limits.maxRows) rows: larger than any known split")
            }
            labels.append(UInt8(value))
            histogram[value] += 1
        }
        value = 0
        digits = 0
    }

    private mutating func endRow() throws(CSVFault) {
        images.append(contentsOf: row)
        count += 1
        field = 0
        sawCR = false
        line += 1
        lineLength = 0
    }

    /// The rows parsed so far (pixels and labels without IDX headers), when the input so far was
    /// valid and ended at the end of a line; nil otherwise. For a segment of a file: its rows join
    /// the other segments' in order (``CSVRows/append(_:)``).
    func rows() -> CSVRows? {
        guard fault == nil, !inHeader, lineLength == 0, !sawCR else { return nil }
        return CSVRows(pixels: images[16...], labels: labels[8...], histogram: histogram, count: count)
    }

    /// Ends the input: the split, or why the CSV is not a complete one.
    public mutating func finish() throws(CSVFault) -> CSVSplit {
        if let fault { throw fault }
        if inHeader {
            if line == 1 && lineLength == 0 && !sawCR {
                line = 0
                throw fail(0, "the file is empty: not a Kaggle-format CSV")
            }
            throw fail(0, "the header line has no newline (the file is cut short?)")
        }
        if lineLength > 0 { throw fail(0, "the last line has no newline (the file is cut short?)") }
        if count == 0 { throw fail(0, "no rows after the header") }
        return Self.split(images: images, labels: labels, count: count, histogram: histogram, limits: limits)
    }

    /// The split of `count` rows whose pixels follow 16 bytes of room in `images` and whose labels
    /// follow 8 in `labels`: the IDX headers are filled in.
    static func split(images: [UInt8], labels: [UInt8], count: Int, histogram: [Int], limits: CSVLimits) -> CSVSplit {
        var (images, labels) = (images, labels)
        // Counts and dimensions are at most 2³²−1 (manifests hold IDX dimensions, which are 32-bit).
        func put(_ value: Int, at offset: Int, in bytes: inout [UInt8]) {
            for shift in 0..<4 { bytes[offset + shift] = UInt8(truncatingIfNeeded: UInt32(clamping: value) >> (24 - 8 * shift)) }
        }
        images[2] = 0x08
        images[3] = 0x03
        put(count, at: 4, in: &images)
        put(limits.rows, at: 8, in: &images)
        put(limits.columns, at: 12, in: &images)
        labels[2] = 0x08
        labels[3] = 0x01
        put(count, at: 4, in: &labels)
        return CSVSplit(imagesPayload: images, labelsPayload: labels, count: count, classHistogram: histogram)
    }
}

/// Rows parsed from part of a CSV: pixels and labels without IDX headers.
struct CSVRows: Sendable {
    let pixels: ArraySlice<UInt8>
    let labels: ArraySlice<UInt8>
    let histogram: [Int]
    let count: Int
}
