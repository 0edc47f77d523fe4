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
        var head: [UInt8] = []
        try? FileVerifier.stream(url: url) { chunk in
            head.append(contentsOf: chunk.prefix(6 - head.count))
            return head.count < 6
        }
        return head == Array("label,".utf8)
    }

    /// Parses the whole file. Throws ``CSVFault`` (exit 3, naming the line and column) or
    /// ``FileAccessError`` (missing, not a regular file, unreadable).
    package static func read(_ url: URL, limits: CSVLimits) throws -> CSVSplit {
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
        let size = FileVerifier.readSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        do {
            while true {
                let count = Foundation.read(fd, buffer, size)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileAccessError(path: path, problem: "read failed (\(String(cString: strerror(errno))))", exitStatus: .integrity)
                }
                if count == 0 { break }
                total += Int64(count)
                if total > limits.maxFileSize {
                    throw CSVFault(
                        path: path, line: 0, column: 0,
                        problem: "grew past \(limits.maxFileSize) bytes while being read (more than any known split's CSV can be); stopped reading")
                }
                try parser.feed(UnsafeRawBufferPointer(start: buffer, count: count))
            }
            return try parser.finish()
        } catch let fault as CSVFault {
            throw fault.at(path)
        }
    }
}
