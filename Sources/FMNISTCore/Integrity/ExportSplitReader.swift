import Foundation

/// The bounds an exported split (a PNG folder or a Parquet file) is read under, from the manifests
/// (``CSVLimits``: image size, the most images of any split, the most classes) plus the largest
/// PNG an image of that size can be.
public struct ExportReadLimits: Sendable {
    public let rows: Int
    public let columns: Int
    public let maxImages: Int
    public let classCount: Int
    /// The largest PNG of one image: 4 KiB for 28×28 (an uncompressed one is under 900 bytes).
    public let maxPNGSize: Int
    /// The largest Parquet file of a split: every row's PNG at its largest, plus 1 MiB.
    public var maxParquetSize: Int64 { Int64(maxImages) * Int64(maxPNGSize + 12) + (1 << 20) }

    public init(rows: Int, columns: Int, maxImages: Int, classCount: Int) {
        self.rows = rows
        self.columns = columns
        self.maxImages = maxImages
        self.classCount = classCount
        maxPNGSize = max(4096, 2 * (columns + 1) * rows + 1024)
    }

    public init(registry: ManifestRegistry) {
        let csv = CSVLimits(registry: registry)
        self.init(rows: csv.rows, columns: csv.columns, maxImages: csv.maxRows, classCount: csv.classCount)
    }
}

/// Why an exported split cannot be read: the file (or row) and the problem. Exit 3.
public struct ExportReadFault: FMNISTError, Equatable, Codable {
    /// The file or folder read.
    public let path: String
    /// Where in it ("train/3/17.png", "row 17"), or "" for the whole file.
    public let at: String
    public let problem: String
    public var exitStatus: ExitStatus { .integrity }
    public var hint: String? { "fmnist export png|hf DEST writes one from verified data; `fmnist verify PATH` names what a file holds" }
    public var description: String { at.isEmpty ? "\(path): \(problem)" : "\(path): \(at): \(problem)" }
}

extension CSVSplit {
    /// The split's two IDX payloads rebuilt from images (row-major, image after image) and labels.
    static func rebuilt(pixels: [UInt8], labels: [UInt8], rows: Int, columns: Int, classCount: Int) -> CSVSplit {
        func be32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: UInt32(value) >> (24 - 8 * UInt32($0))) } }
        let count = labels.count
        var histogram = [Int](repeating: 0, count: classCount)
        for label in labels where Int(label) < classCount { histogram[Int(label)] += 1 }
        return CSVSplit(
            imagesPayload: [0, 0, 8, 3] + be32(count) + be32(rows) + be32(columns) + pixels,
            labelsPayload: [0, 0, 8, 1] + be32(count) + labels, count: count, classHistogram: histogram)
    }
}

/// One split of `fmnist export png`: `SPLIT/<label>/<index>.png`. The file name is the image's
/// position in the split and its folder the label, so the split's IDX payloads are rebuilt in
/// exactly the published order: indices must be 0…n−1, each once. A class folder is a decimal
/// label below the class count; a file there that is an image but not `<index>.png` (which
/// torchvision's `ImageFolder` would load) is a fault, other files are ignored, as the loaders do.
public enum PNGSplitFolder {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "ppm", "bmp", "pgm", "tif", "tiff", "webp", "gif"]

    /// A canonical decimal (no sign, no leading zero) below `limit`, or nil.
    static func decimal(_ text: Substring, below limit: Int) -> Int? {
        guard !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCII && $0.isNumber }), text == "0" || text.first != "0",
            let value = Int(text), value < limit
        else { return nil }
        return value
    }

    /// Reads and decodes every image of the split folder `folder` (its name shown as `name`).
    public static func read(_ folder: URL, limits: ExportReadLimits) throws -> CSVSplit {
        let name = folder.lastPathComponent
        func fault(_ at: String, _ problem: String) -> ExportReadFault { ExportReadFault(path: folder.path, at: at, problem: problem) }
        let manager = FileManager.default
        guard let classNames = try? manager.contentsOfDirectory(atPath: folder.path) else {
            throw fault("", "cannot be listed")
        }
        // index → (label, relative path)
        var labelOf = [Int16](repeating: -1, count: 0)
        var seen = 0
        for className in classNames.sorted() {
            let classURL = folder.appendingPathComponent(className)
            let kind = RegularFile.kind(at: classURL.path)
            if kind != .directory { continue }  // ImageFolder reads folders only
            guard let label = decimal(Substring(className), below: min(limits.classCount, 256)) else {
                throw fault(className, "a folder that is no class label (0…\(limits.classCount - 1)): torchvision's ImageFolder would load it as a class")
            }
            guard let files = try? manager.contentsOfDirectory(atPath: classURL.path) else { throw fault(className, "cannot be listed") }
            for file in files {
                let relative = "\(name)/\(className)/\(file)"
                let dot = file.lastIndex(of: ".")
                let ext = dot.map { file[file.index(after: $0)...].lowercased() } ?? ""
                guard imageExtensions.contains(ext) else { continue }
                guard ext == "png", file.hasSuffix(".png"), let dot, let index = decimal(file[..<dot], below: limits.maxImages) else {
                    throw fault(relative, "an image that is not <index>.png (index below \(limits.maxImages)): not written by fmnist export png, and a loader would read it")
                }
                seen += 1
                guard seen <= limits.maxImages else { throw fault("", "more than \(limits.maxImages) images: more than any known split has") }
                if index >= labelOf.count { labelOf += [Int16](repeating: -1, count: index + 1 - labelOf.count) }
                if labelOf[index] >= 0 {
                    throw fault(relative, "image \(index) is there twice (also \(name)/\(labelOf[index])/\(index).png): a stale image from another export?")
                }
                labelOf[index] = Int16(label)
            }
        }
        guard !labelOf.isEmpty else { throw fault("", "holds no <label>/<index>.png images") }
        if let missing = labelOf.firstIndex(of: -1) {
            throw fault("", "image \(missing) is missing (no \(name)/<label>/\(missing).png), but image \(labelOf.count - 1) is there")
        }
        let count = labelOf.count
        let pixels = limits.rows * limits.columns
        // Decode in blocks on two threads; each block hands back its pixels or its first fault.
        let blocks = stride(from: 0, to: count, by: 2048).map { $0..<min($0 + 2048, count) }
        let labels = labelOf
        let decoded = blocks.parallelMap(threads: 2) { block -> Result<[UInt8], ExportReadFault> in
            var out = [UInt8]()
            out.reserveCapacity(block.count * pixels)
            for index in block {
                let relative = "\(name)/\(labels[index])/\(index).png"
                let url = folder.appendingPathComponent("\(labels[index])/\(index).png")
                do {
                    let data = try RegularFile.read(url.path, limit: limits.maxPNGSize, exitStatus: .integrity)
                    out += try PNGReader.grayscale([UInt8](data), width: limits.columns, height: limits.rows)
                } catch let error as PNGFault {
                    return .failure(ExportReadFault(path: folder.path, at: relative, problem: error.problem))
                } catch let error as FileAccessError {
                    return .failure(ExportReadFault(path: folder.path, at: relative, problem: error.problem))
                } catch {
                    return .failure(ExportReadFault(path: folder.path, at: relative, problem: "\(error)"))
                }
            }
            return .success(out)
        }
        var all = [UInt8]()
        all.reserveCapacity(count * pixels)
        for result in decoded {
            switch result {
            case .success(let block): all += block
            case .failure(let fault): throw fault
            }
        }
        return CSVSplit.rebuilt(
            pixels: all, labels: labelOf.map { UInt8(truncatingIfNeeded: $0) }, rows: limits.rows, columns: limits.columns, classCount: limits.classCount)
    }
}

/// One split of `fmnist export hf`: a Parquet file read by ``ParquetImageTableReader`` (bounded:
/// refused by its size before it is read), each row's PNG decoded by ``PNGReader``, row order =
/// image order.
public enum ParquetSplitFile {
    public static func read(_ url: URL, limits: ExportReadLimits) throws -> CSVSplit {
        func fault(_ at: String, _ problem: String) -> ExportReadFault { ExportReadFault(path: url.path, at: at, problem: problem) }
        var info = stat()
        if let problem = RegularFile.problem(at: url.path) { throw FileAccessError(path: url.path, problem: problem, exitStatus: .integrity) }
        if stat(url.path, &info) == 0, Int64(info.st_size) > limits.maxParquetSize {
            throw fault("", "is \(info.st_size) bytes, more than the Parquet of any known split can be (\(limits.maxParquetSize)); refusing to read it")
        }
        let data = try RegularFile.read(url.path, limit: Int(clamping: limits.maxParquetSize), exitStatus: .integrity)
        let table: ParquetImageTable
        do throws(ParquetFault) {
            table = try ParquetImageTableReader.read(
                [UInt8](data), maxRows: limits.maxImages, maxImageSize: limits.maxPNGSize, classCount: limits.classCount)
        } catch {
            throw fault("", error.problem)
        }
        let pixels = limits.rows * limits.columns
        let blocks = stride(from: 0, to: table.images.count, by: 2048).map { $0..<min($0 + 2048, table.images.count) }
        let decoded = blocks.parallelMap(threads: 2) { block -> Result<[UInt8], ExportReadFault> in
            var out = [UInt8]()
            out.reserveCapacity(block.count * pixels)
            for row in block {
                do throws(PNGFault) {
                    out += try PNGReader.grayscale(Array(table.bytes[table.images[row]]), width: limits.columns, height: limits.rows)
                } catch {
                    return .failure(ExportReadFault(path: url.path, at: "row \(row)", problem: "its image: \(error.problem)"))
                }
            }
            return .success(out)
        }
        var all = [UInt8]()
        all.reserveCapacity(table.images.count * pixels)
        for result in decoded {
            switch result {
            case .success(let block): all += block
            case .failure(let fault): throw fault
            }
        }
        return CSVSplit.rebuilt(
            pixels: all, labels: table.labels.map { UInt8(truncatingIfNeeded: $0) }, rows: limits.rows, columns: limits.columns, classCount: limits.classCount)
    }
}
