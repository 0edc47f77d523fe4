import Foundation

/// A fresh temporary folder, removed (read-only store files included) when released.
///
/// ```swift
/// let scratch = try ScratchFolder("load")
/// let root = scratch.url.appendingPathComponent("data")
/// ```
public final class ScratchFolder {
    public let url: URL

    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        if let walker = FileManager.default.enumerator(atPath: url.path) {
            for case let path as String in walker { chmod(url.appendingPathComponent(path).path, 0o755) }
        }
        try? FileManager.default.removeItem(at: url)
    }
}
