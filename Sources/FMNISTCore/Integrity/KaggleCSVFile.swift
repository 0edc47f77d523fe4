import Foundation

/// Reads one Kaggle-format CSV file through ``RegularFile`` (a FIFO, device or socket is refused
/// before a byte is read) under ``CSVLimits``: a file larger than a CSV of the largest known split
/// can be is refused by its size, and one that grows while read is cut at that size, so a 5 GB or
/// endless file costs one `fstat` or at most the bound, never unbounded memory.
///
/// ```swift
/// let split = try KaggleCSVFile.read(url, limits: CSVLimits(registry: registry))   // CSVFault or FileAccessError
/// ```
package enum KaggleCSVFile {
    /// Whether `url` is meant as a CSV: named `.csv`, or starting with `label,` (by content).
    package static func looksLikeCSV(_ url: URL) -> Bool {
        if url.pathExtension.lowercased() == "csv" { return true }
        return FileVerifier.head(of: url, count: 6) == Array("label,".utf8)
    }

    /// Parses the whole file. Throws ``CSVFault`` (exit 3, naming the line and column) or
    /// ``FileAccessError`` (missing, not a regular file, unreadable).
    ///
    /// With more than one thread the file is cut at newlines into segments of about
    /// ``segmentSize`` bytes that are parsed side by side and joined in order (the same split, byte
    /// for byte). Anything out of the ordinary there (a fault, a missing last newline, a file that
    /// grows) sends the file to the one-pass parser, so a refusal names exactly the line and column
    /// it always did.
    package static func read(_ url: URL, limits: CSVLimits, threads: Int = WorkLoop.defaultThreads) throws -> CSVSplit {
        if threads > 1, let split = readInSegments(url, limits: limits, threads: threads) { return split }
        return try readInOnePass(url, limits: limits)
    }

    /// Bytes of CSV text a worker parses at a time (about 1,500 rows of 28×28).
    static let segmentSize = 4 << 20

    /// The split, parsed in segments on `threads` threads; nil when anything is amiss (the caller
    /// then parses the file in one pass and reports what it finds).
    static func readInSegments(_ url: URL, limits: CSVLimits, threads: Int, segmentSize: Int = segmentSize) -> CSVSplit? {
        guard let fd = try? RegularFile.openForReading(url.path, exitStatus: .integrity) else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Int64(info.st_size) <= limits.maxFileSize else { return nil }
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        // Room for the IDX headers, then the rows (reserved for the most rows a file this size can hold).
        let pixels = limits.pixelsPerImage
        let mostRows = min(limits.maxRows, Int(info.st_size) / (2 * (pixels + 1)))
        var images = [UInt8](repeating: 0, count: 16)
        images.reserveCapacity(16 + mostRows * pixels)
        var labels = [UInt8](repeating: 0, count: 8)
        labels.reserveCapacity(8 + mostRows)
        var histogram = [Int](repeating: 0, count: limits.classCount)
        var count = 0
        var carry: [UInt8] = []  // the bytes after the last newline read so far
        var total: Int64 = 0
        var atStart = true
        var ended = false
        while !ended {
            var segments: [[UInt8]] = []
            while segments.count < threads && !ended {
                var block = carry
                let start = block.count
                block.append(contentsOf: repeatElement(0, count: segmentSize))
                var filled = start
                while filled < block.count {
                    let got = block.withUnsafeMutableBytes { DescriptorIO.read(fd, into: $0.baseAddress! + filled, count: $0.count - filled) }
                    guard got >= 0 else { return nil }
                    if got == 0 {
                        ended = true
                        break
                    }
                    filled += got
                }
                block.removeLast(block.count - filled)
                total += Int64(filled - start)
                guard total <= limits.maxFileSize else { return nil }
                guard let newline = block.lastIndex(of: 0x0A) else {
                    // No line ends here: a row this long is refused by the one-pass parser.
                    guard block.count <= 2 * (limits.maxRowLength + limits.header.count) else { return nil }
                    carry = block
                    continue
                }
                carry = Array(block[(newline + 1)...])
                block.removeLast(block.count - newline - 1)
                segments.append(block)
            }
            let first = atStart
            atStart = atStart && segments.isEmpty
            let parsed = Array(segments.enumerated()).parallelMap(threads: threads) { item -> CSVRows? in
                let (position, segment) = item
                var parser = KaggleCSVParser(limits: limits, rowsOnly: !(first && position == 0))
                do { try parser.feed(segment) } catch { return nil }
                return parser.rows()
            }
            for rows in parsed {
                guard let rows, count + rows.count <= limits.maxRows else { return nil }
                images += rows.pixels
                labels += rows.labels
                for (label, seen) in rows.histogram.enumerated() { histogram[label] += seen }
                count += rows.count
            }
        }
        guard carry.isEmpty, !atStart, count > 0 else { return nil }
        return KaggleCSVParser.split(images: images, labels: labels, count: count, histogram: histogram, limits: limits)
    }

    /// Parses the whole file in one pass on the calling thread.
    static func readInOnePass(_ url: URL, limits: CSVLimits) throws -> CSVSplit {
        let path = url.path
        let fd = try RegularFile.openForReading(path, exitStatus: .integrity)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, Int64(info.st_size) > limits.maxFileSize {
            throw CSVFault(
                path: path, line: 0, column: 0,
                problem: "is \(info.st_size) bytes, more than a Kaggle-format CSV of the largest known split can be "
                    + "(\(limits.maxRows) rows, at most \(limits.maxFileSize) bytes); refusing to read it")
        }
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        var parser = KaggleCSVParser(limits: limits)
        var total: Int64 = 0
        do {
            let failure = try DescriptorIO.forEachChunk(fd, size: FileVerifier.readSize) { chunk in
                total += Int64(chunk.count)
                if total > limits.maxFileSize {
                    throw CSVFault(
                        path: path, line: 0, column: 0,
                        problem: "grew past \(limits.maxFileSize) bytes while being read (more than any known split's CSV can be); stopped reading")
                }
                try parser.feed(chunk)
                return true
            }
            if let failure {
                throw FileAccessError(path: path, problem: "read failed (\(String(cString: strerror(failure))))", exitStatus: .integrity)
            }
            return try parser.finish()
        } catch let fault as CSVFault {
            throw fault.at(path)
        }
    }
}
