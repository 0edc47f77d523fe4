import Foundation

/// A resumable download: `.fmnist/partial/<dataset>/<name>.part` holds the bytes received so far
/// (a verified-so-far prefix of the file), and `<name>.part.json` the URL they came from and its
/// validators (ETag, Last-Modified), so that the next attempt, mirror or run continues with an
/// HTTP Range request — with `If-Range` when it asks the same URL.
///
/// Partial files never live in the live folders; a verified, complete `.part` file is renamed
/// into the store.
///
/// On a shared file system (``SharedFileSystem``) each process writes its own partial,
/// `<name>.part.proc-<host>-<pid>`, so two writers never append to one file even if a lease were
/// lost: it takes over `<name>.part` by one atomic rename when it starts, and
/// ``consolidate(_:)`` (under the workspace lease) renames what is left back to `<name>.part` for
/// the next run to resume.
public struct PartialDownload: Sendable {
    /// Where a partial download came from.
    public struct Sidecar: Sendable, Codable, Equatable {
        /// The full URL of the bytes.
        public var source: String
        public var etag: String?
        public var lastModified: String?

        public init(source: String, etag: String? = nil, lastModified: String? = nil) {
            self.source = RedactedURL.redact(source)
            self.etag = etag
            self.lastModified = lastModified
        }

        /// The validator to send as `If-Range` when resuming from `url`: a strong ETag, else
        /// Last-Modified; nil when the bytes came from elsewhere.
        public func ifRange(resuming url: String) -> String? {
            guard url == source else { return nil }
            if let etag, !etag.hasPrefix("W/") { return etag }
            return lastModified
        }
    }

    /// The `.part` file.
    public let url: URL
    /// The `.part.json` sidecar.
    public var sidecarURL: URL { url.appendingPathExtension("json") }

    public init(url: URL) {
        self.url = url
    }

    /// `fileSystem`: the workspace's (measured when nil).
    public init(layout: WorkspaceLayout, dataset: String, name: String, fileSystem: SharedFileSystem? = nil) {
        let shared = layout.partialFile(dataset: dataset, name: name)
        guard (fileSystem ?? layout.fileSystem).isShared else {
            self.init(url: shared)
            return
        }
        let own = URL(fileURLWithPath: shared.path + Self.processSuffix)
        self.init(url: own)
        // Take over the resumable bytes a previous run left: one rename, so one process gets them.
        var info = stat()
        if lstat(own.path, &info) != 0, lstat(shared.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            if rename(shared.path, own.path) == 0 {
                if rename(shared.path + ".json", sidecarURL.path) != 0 { unlink(sidecarURL.path) }
            }
        }
    }

    /// What a per-process partial adds to `<name>.part` on a shared file system.
    static let processMarker = ".proc-"
    static var processSuffix: String {
        let host = WorkspaceLease.hostName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return "\(processMarker)\(String(host))-\(getpid())"
    }

    /// Renames every per-process partial of `layout` back to `<name>.part` (its sidecar with it), or
    /// removes it when `<name>.part` already exists. Run on a shared file system by the lease's
    /// holder, when it takes the lease (what dead processes left) and before it releases it.
    ///
    /// ```swift
    /// // .fmnist/partial/fashion/train-images-idx3-ubyte.gz.part.proc-node-a-4242
    /// PartialDownload.consolidate(layout)
    /// // .fmnist/partial/fashion/train-images-idx3-ubyte.gz.part (resumed by the next run)
    /// ```
    public static func consolidate(_ layout: WorkspaceLayout) {
        let fm = FileManager.default
        guard (try? WorkspaceBoundary(layout: layout).checkOwnedPath(layout.partialDirectory.appendingPathComponent("x"))) != nil,
            let datasets = try? fm.contentsOfDirectory(atPath: layout.partialDirectory.path)
        else { return }
        for dataset in datasets {
            let folder = layout.partialDirectory.appendingPathComponent(dataset)
            guard let info = FilePaths.lstat(folder.path), (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            for entry in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
                guard let base = sharedName(ofProcessPartial: entry) else { continue }
                let own = folder.appendingPathComponent(entry).path
                let shared = folder.appendingPathComponent(base).path
                guard let info = FilePaths.lstat(own), FilePaths.isRegular(info) else { continue }
                // Never replace an existing `<name>.part`: it wins and this copy goes. link(2) makes
                // that atomic; where the file system has no hard links, rename after a look.
                let linked = link(own, shared) == 0
                if linked || ((errno == EPERM || errno == ENOTSUP || errno == ENOSYS) && FilePaths.lstat(shared) == nil
                    && rename(own, shared) == 0)
                {
                    unlink(shared + ".json")
                    if rename(own + ".json", shared + ".json") != 0 { unlink(shared + ".json") }
                }
                if linked || FilePaths.lstat(own) != nil { unlink(own) }
                unlink(own + ".json")
            }
        }
    }

    /// `<name>.part` for a per-process partial's file name, nil for anything else (sidecars included).
    static func sharedName(ofProcessPartial entry: String) -> String? {
        guard !entry.hasSuffix(".json"), let range = entry.range(of: ".part" + processMarker) else { return nil }
        return String(entry[..<range.lowerBound]) + ".part"
    }

    /// Bytes held (0 when there is no partial file, or when it is not a regular file).
    public var size: Int64 {
        var info = stat()
        guard lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return Int64(info.st_size)
    }

    /// The sidecar, when present and readable.
    public func sidecar() -> Sidecar? {
        guard let data = try? RegularFile.read(sidecarURL.path, limit: 64 * 1024, followSymlinks: false) else { return nil }
        return try? JSONDecoder().decode(Sidecar.self, from: data)
    }

    /// Writes the sidecar (atomically: temporary file + rename).
    public func writeSidecar(_ sidecar: Sidecar) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(sidecar)
        do {
            try data.write(to: sidecarURL, options: .atomic)
        } catch {
            throw WorkspaceError.fileSystem(operation: "write", path: sidecarURL.path, detail: ErrorReason.describe(error))
        }
    }

    /// Removes the partial file and its sidecar.
    public func discard() {
        unlink(url.path)
        unlink(sidecarURL.path)
    }

    /// Removes only the sidecar (after the `.part` file was moved away).
    public func removeSidecar() {
        unlink(sidecarURL.path)
    }

    /// What to do about a partial file that is not a regular file fmnist made.
    static func removeHint(_ path: String) -> String {
        "fmnist keeps only its own regular files in .fmnist/partial: remove it (rm '\(path)') and run the command again"
    }

    /// Opens the partial file for appending, creating its folder and the file as needed. Refuses
    /// (without blocking) a `.part` path that is a FIFO, a symbolic link or anything but a regular file.
    public func openForAppend() throws -> PartialWriter {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError.fileSystem(
                operation: "create directory", path: url.deletingLastPathComponent().path, detail: ErrorReason.describe(error))
        }
        let fd = try RegularFile.openForAppending(url.path, exitStatus: .workspace, hint: Self.removeHint(url.path))
        return PartialWriter(descriptor: fd, path: url.path)
    }
}

/// Appends received bytes to a partial file. Not thread-safe: one per transfer.
public final class PartialWriter {
    private var descriptor: Int32
    public let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close() }

    /// Appends all of `bytes`, retrying short writes; throws on a file-system error (e.g. disk full).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure = DescriptorIO.writeAll(descriptor, bytes) { throw WorkspaceError.posix("write", path, errno: failure) }
    }

    /// Empties the file (the server ignored Range and sends the whole file again).
    public func truncate() throws {
        if ftruncate(descriptor, 0) != 0 {
            throw WorkspaceError.fileSystem(operation: "truncate", path: path, detail: String(cString: strerror(errno)))
        }
    }

    /// Closes the file. Safe to call twice.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = Foundation.close(descriptor)
        descriptor = -1
    }
}
