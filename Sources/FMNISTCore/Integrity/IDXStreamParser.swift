/// Parses an IDX payload as it streams past: the header, the element count and, for label
/// files, the value range and class histogram. Holds no more than the header in memory.
public struct IDXStreamParser: Sendable {
    /// Maximum number of dimensions accepted in a header (MNIST uses 1 or 3).
    static let maxDimensions = 4

    private var header: [UInt8] = []
    private var headerLength: Int? = nil
    /// Dimensions from the header, once parsed.
    public private(set) var dims: [Int] = []
    /// IDX magic (0x801 labels, 0x803 images), once parsed.
    public private(set) var magic: UInt32 = 0
    /// Payload bytes seen so far, header included.
    public private(set) var totalBytes: Int64 = 0
    /// For label files: count of each label value 0…255.
    public private(set) var histogram: [Int] = []
    /// Number of classes labels must stay below (checked as labels stream past).
    public let classCount: Int
    private var elementIndex: Int64 = 0
    /// Header length plus the product of the dimensions, once the header is parsed.
    private var declaredTotal: Int64? = nil

    public init(classCount: Int = 10) {
        self.classCount = classCount
    }

    /// Whether the header has been parsed.
    public var headerComplete: Bool { headerLength != nil && header.count >= headerLength! }
    /// True for label files (IDX1).
    public var isLabels: Bool { magic == 0x0000_0801 }
    /// The payload size the header declares: header + product of dimensions.
    public var declaredSize: Int64? { headerComplete ? declaredTotal : nil }

    /// Header length plus the product of `dims`, or nil when it does not fit in 63 bits
    /// (a hostile header: four dimensions of up to 2^32 - 1 each can overflow).
    static func declaredTotal(headerLength: Int, dims: [Int]) -> Int64? {
        var total = Int64(1)
        for dim in dims {
            let (product, overflow) = total.multipliedReportingOverflow(by: Int64(dim))
            if overflow { return nil }
            total = product
        }
        let (sum, overflow) = total.addingReportingOverflow(Int64(headerLength))
        return overflow ? nil : sum
    }

    /// Consumes a chunk of payload.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(IntegrityFault) {
        var offset = 0
        let before = totalBytes
        totalBytes += Int64(bytes.count)
        while !headerComplete && offset < bytes.count {
            header.append(bytes[offset])
            offset += 1
            if header.count == 4 {
                guard header[0] == 0, header[1] == 0 else { throw .badIDXMagic(found: Self.hex(header)) }
                guard header[2] == 0x08 else {
                    throw .badIDXHeader(detail: String(format: "element type 0x%02x is not unsigned byte (0x08)", header[2]))
                }
                let rank = Int(header[3])
                guard rank == 1 || rank == 3 else { throw .badIDXMagic(found: Self.hex(header)) }
                magic = UInt32(header[2]) << 8 | UInt32(header[3])
                headerLength = 4 + 4 * rank
                if isLabels { histogram = Array(repeating: 0, count: 256) }
            }
            if let headerLength, header.count == headerLength {
                dims = (0..<(headerLength - 4) / 4).map { i in
                    let base = 4 + 4 * i
                    return Int(header[base]) << 24 | Int(header[base + 1]) << 16 | Int(header[base + 2]) << 8 | Int(header[base + 3])
                }
                if dims.contains(0) { throw .badIDXHeader(detail: "a dimension is zero (\(dims))") }
                guard let total = Self.declaredTotal(headerLength: headerLength, dims: dims) else {
                    throw .badIDXHeader(detail: "dimensions \(dims) declare more bytes than any file can hold")
                }
                declaredTotal = total
            }
        }
        guard let declared = declaredSize else { return }
        // Faults are reported in stream order whatever the chunking: elements inside the declared
        // size are checked first, then anything past it is a length mismatch.
        let end = Int(min(Int64(bytes.count), max(Int64(offset), declared - before)))
        if isLabels && offset < end {
            // Label histogram and range check on the remaining bytes.
            let labels = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            for (position, value) in labels.enumerated() {
                histogram[Int(value)] &+= 1
                if Int(value) >= classCount {
                    throw .labelOutOfRange(value: Int(value), index: elementIndex + Int64(position), classCount: classCount)
                }
            }
            elementIndex += Int64(labels.count)
        }
        if end < bytes.count { throw .idxLengthMismatch(declared: declared, actual: totalBytes) }
    }

    /// Checks that the stream held exactly what the header declared.
    public func finish() throws(IntegrityFault) {
        if totalBytes == 0 { throw .badIDXHeader(detail: "the payload is empty") }
        guard let declared = declaredSize else {
            if header.count < 4 { throw .badIDXHeader(detail: "only \(header.count) byte(s), no complete magic") }
            throw .badIDXHeader(detail: "the header is cut short after \(header.count) bytes")
        }
        if declared != totalBytes { throw .idxLengthMismatch(declared: declared, actual: totalBytes) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        "0x" + bytes.prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
