/// What one pass over a `.gz` file measured. Complete only when `fault` is nil.
public struct FileMeasurement: Sendable, Codable, Equatable {
    public var containerSize: Int64 = 0
    public var containerMD5: String = ""
    public var containerSHA256: String = ""
    public var payloadSize: Int64 = 0
    public var payloadSHA256: String = ""
    /// IDX dimensions from the header (empty when the header could not be read).
    public var idxDims: [Int] = []
    /// For label files: count per class (length = class count), else empty.
    public var labelHistogram: [Int] = []
    /// The first fault met, if any: the bytes are then not a valid file.
    public var fault: IntegrityFault?

    public init() {}

    /// Whether this is a label file (IDX1).
    public var isLabels: Bool { idxDims.count == 1 }

    enum CodingKeys: String, CodingKey {
        case containerSize, containerMD5, containerSHA256, payloadSize, payloadSHA256, idxDims, labelHistogram, fault
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        containerSize = try c.decode(Int64.self, forKey: .containerSize)
        containerMD5 = try c.decode(String.self, forKey: .containerMD5)
        containerSHA256 = try c.decode(String.self, forKey: .containerSHA256)
        payloadSize = try c.decode(Int64.self, forKey: .payloadSize)
        payloadSHA256 = try c.decode(String.self, forKey: .payloadSHA256)
        idxDims = try c.decode([Int].self, forKey: .idxDims)
        labelHistogram = try c.decode([Int].self, forKey: .labelHistogram)
        fault = nil
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(containerSize, forKey: .containerSize)
        try c.encode(containerMD5, forKey: .containerMD5)
        try c.encode(containerSHA256, forKey: .containerSHA256)
        try c.encode(payloadSize, forKey: .payloadSize)
        try c.encode(payloadSHA256, forKey: .payloadSHA256)
        try c.encode(idxDims, forKey: .idxDims)
        try c.encode(labelHistogram, forKey: .labelHistogram)
        try c.encodeIfPresent(fault?.description, forKey: .fault)
    }
}
