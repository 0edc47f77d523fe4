import Foundation

/// How a live file was placed.
public enum PlacementMethod: String, Sendable, Codable {
    /// A hard link to the stored bytes (no copy).
    case hardLink = "hard_link"
    /// A copy (hard links failed, e.g. across file systems).
    case copy
    /// Already in place: the live file is the stored file.
    case unchanged
}

/// The content-addressed store `.fmnist/store/sha256/<container-sha256>` and the live folders
/// (`data/<dataset>/<name>`) placed from it.
///
/// Stored files are read-only (0444) and never change; several versions of a dataset can be
/// kept, so switching versions never downloads. Every live file is placed under a temporary
/// name in its own folder and renamed into place, so no reader ever sees a half-written file.
///
/// ```swift
/// let store = VersionStore(layout: layout)
/// try store.install(fileAt: tempURL, containerSHA256: measurement.containerSHA256)
/// try store.placeLive(files, dataset: "fashion")
/// ```
public struct VersionStore: Sendable {
    public let layout: WorkspaceLayout

    public init(layout: WorkspaceLayout) {
        self.layout = layout
    }

    /// The stored path of a container digest (64 lower-case hex digits, else a usage error).
    public func url(containerSHA256 hex: String) throws -> URL {
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw UsageError("\"\(hex)\" is not a SHA-256 digest (64 lower-case hex digits)")
        }
        return layout.storedFile(containerSHA256: hex)
    }

    /// Whether the store holds these bytes (and, when `size` is given, with that size).
    public func contains(containerSHA256 hex: String, size: Int64? = nil) -> Bool {
        guard let url = try? url(containerSHA256: hex), let info = Self.stat(url.path), Self.isRegular(info) else { return false }
        return size == nil || Int64(info.st_size) == size
    }

    /// A fresh temporary path under `.fmnist/tmp/` (same file system as the store and live folders).
    public func temporaryURL(_ label: String) throws -> URL {
        try createDirectory(layout.temporaryDirectory)
        return layout.temporaryDirectory.appendingPathComponent("\(label).\(getpid()).\(UUID().uuidString.prefix(8))")
    }

    /// Moves a verified temporary file into the store (rename within one file system; copy first if
    /// it lies elsewhere) and makes it read-only. If the store already holds the digest with the same
    /// size, the temporary file is removed instead. Returns the stored path.
    @discardableResult
    public func install(fileAt temporary: URL, containerSHA256 hex: String) throws -> URL {
        let destination = try url(containerSHA256: hex)
        try createDirectory(layout.storeDirectory)
        guard let info = Self.stat(temporary.path), Self.isRegular(info) else {
            throw WorkspaceError.fileSystem(operation: "install", path: temporary.path, detail: "not a regular file")
        }
        if contains(containerSHA256: hex, size: Int64(info.st_size)) {
            unlink(temporary.path)
            return destination
        }
        try Self.syncFile(temporary.path)
        if chmod(temporary.path, 0o444) != 0 { throw WorkspaceError.posix("chmod", temporary.path) }
        if rename(temporary.path, destination.path) != 0 {
            guard errno == EXDEV else { throw WorkspaceError.posix("rename into the store", temporary.path) }
            // Another file system: copy beside the store, then rename.
            let copy = try temporaryURL("install")
            try Self.copyFile(from: temporary.path, to: copy.path)
            try Self.syncFile(copy.path)
            if chmod(copy.path, 0o444) != 0 || rename(copy.path, destination.path) != 0 {
                let error = WorkspaceError.posix("rename into the store", copy.path)
                unlink(copy.path)
                throw error
            }
            unlink(temporary.path)
        }
        Self.syncDirectory(layout.storeDirectory.path)
        return destination
    }

    /// Whether `file` is in place in `dataset`'s live folder: the live file is a hard link to the stored
    /// bytes, or (for copies, unless `requireHardLink`) has the recorded size.
    public func isPlaced(_ file: CatalogFile, dataset: String, requireHardLink: Bool = false) -> Bool {
        guard let stored = try? url(containerSHA256: file.containerSHA256), let blob = Self.stat(stored.path),
            let live = Self.stat(layout.liveDirectory(dataset: dataset).appendingPathComponent(file.name).path),
            Self.isRegular(live)
        else { return false }
        if blob.st_dev == live.st_dev && blob.st_ino == live.st_ino { return true }
        return !requireHardLink && Int64(live.st_size) == file.containerSize
    }

    /// Makes `data/<dataset>/<name>` hold the stored bytes of each file: a hard link (a copy when
    /// linking fails) under a temporary name in the same folder, then rename(2) over the old file.
    /// Afterwards removes `stale` names (files of the previous version) that the new files do not
    /// replace. Files already in place are left alone unless `force`.
    @discardableResult
    public func placeLive(
        _ files: [CatalogFile], dataset: String, removing stale: [String] = [], force: Bool = false
    ) throws -> [String: PlacementMethod] {
        let directory = layout.liveDirectory(dataset: dataset)
        try Self.checkName(dataset)
        for file in files { try Self.checkName(file.name) }
        try createDirectory(directory)
        // Every stored file must exist before anything changes.
        var sources: [(CatalogFile, URL)] = []
        for file in files {
            let stored = try url(containerSHA256: file.containerSHA256)
            guard contains(containerSHA256: file.containerSHA256, size: file.containerSize) else {
                throw WorkspaceError.storeFileMissing(path: stored.path, dataset: dataset)
            }
            sources.append((file, stored))
        }
        var methods: [String: PlacementMethod] = [:]
        for (file, stored) in sources {
            if !force && isPlaced(file, dataset: dataset, requireHardLink: true) {
                methods[file.name] = .unchanged
                continue
            }
            let final = directory.appendingPathComponent(file.name)
            let temporary = directory.appendingPathComponent(".\(file.name).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
            var method = PlacementMethod.hardLink
            if link(stored.path, temporary.path) != 0 {
                method = .copy
                try Self.copyFile(from: stored.path, to: temporary.path)
                _ = chmod(temporary.path, 0o444)
                try Self.syncFile(temporary.path)
            }
            if rename(temporary.path, final.path) != 0 {
                let error = WorkspaceError.posix("rename into place", final.path)
                unlink(temporary.path)
                throw error
            }
            methods[file.name] = method
        }
        Self.syncDirectory(directory.path)
        let keep = Set(files.map(\.name))
        for name in stale where !keep.contains(name) {
            guard (try? Self.checkName(name)) != nil else { continue }
            unlink(directory.appendingPathComponent(name).path)
        }
        return methods
    }

    // MARK: - File-system helpers

    /// Refuses names that could leave their folder.
    static func checkName(_ name: String) throws {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0") {
            throw UsageError("refusing the file name \"\(name)\": it must be a plain name inside its folder")
        }
    }

    func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError.fileSystem(operation: "create directory", path: url.path, detail: error.localizedDescription)
        }
    }

    static func stat(_ path: String) -> stat? {
        var info = Foundation.stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    static func isRegular(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }

    /// Copies bytes with plain read/write (works across file systems; does not follow to a partial destination).
    static func copyFile(from source: String, to destination: String) throws {
        // Only a regular file is copied, and opening a FIFO swapped in never blocks.
        let input = try RegularFile.openForReading(source)
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw WorkspaceError.posix("create", destination) }
        var success = false
        defer {
            close(output)
            if !success { unlink(destination) }
        }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer, size)
            if count < 0 {
                if errno == EINTR { continue }
                throw WorkspaceError.posix("read", source)
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = Foundation.write(output, buffer + offset, count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WorkspaceError.posix("write", destination)
                }
                offset += written
            }
        }
        success = true
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WorkspaceError.posix("open", path) }
        defer { close(fd) }
        _ = fsync(fd)
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
