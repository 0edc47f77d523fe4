import Foundation

/// A folder inside an export destination, held open by descriptor so that every later step
/// (`openat`, `mkdirat`, `renameat`) works relative to it and never follows a symlink.
///
/// The rules it enforces: an entry that is a symlink is refused (fmnist made none in DEST);
/// files are written to a temporary name in the same folder and renamed into place; nothing is
/// ever deleted except fmnist's own temporaries.
///
/// ```swift
/// let dest = try ExportDirectory.open(URL(fileURLWithPath: "out"))
/// let raw = try dest.subdirectory("FashionMNIST").subdirectory("raw")
/// let file = try raw.create("train-labels-idx1-ubyte", replacing: true)
/// try file.write(bytes); try file.commit()
/// ```
///
/// Sendable: its state (a path and a descriptor) never changes after `init`, and the `*at` calls
/// on one descriptor are safe from several threads (export writes two datasets at once).
public final class ExportDirectory: @unchecked Sendable {
    /// The folder's path, for messages.
    public let path: String
    let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Wraps a descriptor this folder now owns.
    convenience init(existing path: String, descriptor: Int32) { self.init(path: path, descriptor: descriptor) }

    deinit { close(descriptor) }

    /// Opens the existing folder `url` from `/` down, one component at a time with `O_NOFOLLOW`:
    /// a symlink anywhere on the way is refused (`foreignSymlink`) and nothing is created
    /// (doctor's repairs write only into a real folder reached without any link).
    public static func openExisting(noSymlinkIn url: URL) throws -> ExportDirectory {
        var fd = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ExportError.io(path: "/", operation: "opening", errno: errno) }
        var path = ""
        for component in url.standardizedFileURL.pathComponents.dropFirst() {
            path += "/" + component
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let failure = errno
            var info = stat()
            let isLink = next < 0 && fstatat(fd, component, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFLNK
            close(fd)
            guard next >= 0 else {
                if isLink { throw ExportError.foreignSymlink(path: path) }
                throw ExportError.io(path: path, operation: "opening the folder", errno: failure)
            }
            fd = next
        }
        return ExportDirectory(path: path.isEmpty ? "/" : path, descriptor: fd)
    }

    /// What a name in a folder is, without following symlinks.
    public enum EntryKind: Equatable, Sendable {
        case absent, file, directory, symlink, other
    }

    /// Opens (creating if needed) the destination folder. DEST itself must not be a symlink;
    /// its parents are the user's to choose.
    public static func open(_ url: URL) throws -> ExportDirectory {
        let path = url.standardizedFileURL.path
        let parent = url.standardizedFileURL.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            // Foundation wraps the POSIX error; report its errno (EIO when there is none).
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            let code = underlying?.domain == NSPOSIXErrorDomain ? Int32(underlying!.code) : EIO
            throw ExportError.io(path: parent.path, operation: "creating the folder", errno: code)
        }
        let parentFD = Glibc.open(parent.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parentFD >= 0 else { throw ExportError.io(path: parent.path, operation: "opening", errno: errno) }
        defer { close(parentFD) }
        let name = url.standardizedFileURL.lastPathComponent
        let holder = ExportDirectory(path: parent.path, descriptor: dup(parentFD))
        return try holder.subdirectory(name, displayPath: path)
    }

    /// The kind of `name` in this folder (lstat semantics).
    public func kind(of name: String) -> EntryKind {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .absent }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The path of `name` in this folder, for messages.
    public func path(of name: String) -> String { path + "/" + name }

    /// Opens the subfolder `name`, creating it when absent. A symlink or a non-folder there is refused.
    public func subdirectory(_ name: String) throws -> ExportDirectory {
        try subdirectory(name, displayPath: path(of: name))
    }

    /// Opens (creating when absent) the subfolder `name`, naming it `displayPath` in messages (a
    /// staging folder is named after the part it becomes).
    func subdirectory(_ name: String, displayPath: String) throws -> ExportDirectory {
        switch kind(of: name) {
        case .absent:
            if mkdirat(descriptor, name, 0o755) != 0 && errno != EEXIST {
                throw ExportError.io(path: displayPath, operation: "creating the folder", errno: errno)
            }
        case .directory: break
        case .symlink: throw ExportError.foreignSymlink(path: displayPath)
        case .file: throw ExportError.obstructed(path: displayPath, found: "a file where a folder belongs")
        case .other: throw ExportError.obstructed(path: displayPath, found: "something that is neither a file nor a folder")
        }
        // O_NOFOLLOW: if a symlink appeared since the check, this fails instead of following it.
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw ExportError.foreignSymlink(path: displayPath) }
            throw ExportError.io(path: displayPath, operation: "opening the folder", errno: errno)
        }
        return ExportDirectory(path: displayPath, descriptor: fd)
    }

    /// Opens the existing subfolder `name` without creating it: nil when absent; a symlink or a
    /// non-folder there is refused as ``subdirectory(_:)`` refuses it.
    public func existingSubdirectory(_ name: String) throws -> ExportDirectory? {
        kind(of: name) == .absent ? nil : try subdirectory(name)
    }

    /// Opens the regular file `name` for reading (never through a symlink; a FIFO never blocks):
    /// nil when absent; a symlink (`foreignSymlink`) or anything but a regular file (`obstructed`)
    /// is refused. The caller closes the descriptor.
    public func openRegularFile(_ name: String) throws -> Int32? {
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: return nil
            case ELOOP: throw ExportError.foreignSymlink(path: path(of: name))
            default: throw ExportError.io(path: path(of: name), operation: "opening", errno: errno)
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw ExportError.obstructed(path: path(of: name), found: "something that is not a regular file where a file belongs")
        }
        return fd
    }

    /// Flushes this folder's entries (the renames into it) to disk.
    public func sync() { _ = fsync(descriptor) }

    /// Checks that `name` may be (re)placed: absent, or a regular file when `replacing`.
    public func checkPlaceable(_ name: String, replacing: Bool) throws {
        switch kind(of: name) {
        case .absent: return
        case .file: if !replacing { throw ExportError.exists(path: path(of: name)) }
        case .symlink: throw ExportError.foreignSymlink(path: path(of: name))
        case .directory: throw ExportError.obstructed(path: path(of: name), found: "a folder where a file belongs")
        case .other: throw ExportError.obstructed(path: path(of: name), found: "something that is neither a file nor a folder")
        }
    }

    /// Starts writing `name`: a temporary file in this folder that ``ExportFile/commit()`` renames into place.
    public func create(_ name: String, replacing: Bool, bufferSize: Int = 1 << 20) throws -> ExportFile {
        try checkPlaceable(name, replacing: replacing)
        let temporary = ".\(name).fmnist-tmp-\(getpid())-\(ExportFile.nextSerial())"
        let fd = openat(descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError.io(path: path(of: temporary), operation: "creating", errno: errno) }
        return ExportFile(directory: self, name: name, temporary: temporary, descriptor: fd, replacing: replacing,
                          bufferSize: bufferSize)
    }

    /// Writes `bytes` as `name` in one go (temporary + rename). Returns the committed file.
    @discardableResult
    public func writeFile(_ name: String, _ bytes: [UInt8], replacing: Bool) throws -> ExportFile {
        try writeFile(name, replacing: replacing, bufferSize: 0) { file in try bytes.withUnsafeBytes { try file.write($0) } }
    }

    /// Writes `name` with what `body` writes into its temporary, renamed into place only when
    /// `body` returns (the temporary is removed when it throws). Returns the committed file.
    @discardableResult
    public func writeFile(_ name: String, replacing: Bool, bufferSize: Int = 1 << 20, _ body: (ExportFile) throws -> Void) throws -> ExportFile {
        let file = try create(name, replacing: replacing, bufferSize: bufferSize)
        do {
            try body(file)
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
        return file
    }

    /// Renames the entry `name` to `newName` in this folder (never across folders, never a symlink).
    public func moveAside(_ name: String, to newName: String) throws {
        if kind(of: name) == .symlink { throw ExportError.foreignSymlink(path: path(of: name)) }
        guard kind(of: newName) == .absent else { throw ExportError.exists(path: path(of: newName)) }
        if renameat(descriptor, name, descriptor, newName) != 0 {
            throw ExportError.io(path: path(of: name), operation: "renaming to \(newName)", errno: errno)
        }
    }
}

/// A file being written into an ``ExportDirectory``: buffered writes to a temporary, then one rename.
public final class ExportFile {
    private let directory: ExportDirectory
    private let name: String
    private let temporary: String
    private var descriptor: Int32
    private let replacing: Bool
    private let buffer: UnsafeMutableRawPointer?
    private let bufferSize: Int
    private var buffered = 0
    /// Bytes written so far.
    public private(set) var size: Int64 = 0
    /// The SHA-256 of what was written (hashed as it is written; a proven copy brings its known
    /// digest), set by ``commit()``; nil before.
    public private(set) var sha256: String?
    private var hasher: SHA256Stream? = SHA256Stream()
    private var knownSHA256: String?

    private nonisolated(unsafe) static var serial = 0
    private static let serialLock = NSLock()
    static func nextSerial() -> Int {
        serialLock.lock()
        defer { serialLock.unlock() }
        serial += 1
        return serial
    }

    init(directory: ExportDirectory, name: String, temporary: String, descriptor: Int32, replacing: Bool, bufferSize: Int) {
        self.directory = directory
        self.name = name
        self.temporary = temporary
        self.descriptor = descriptor
        self.replacing = replacing
        self.bufferSize = bufferSize
        buffer = bufferSize > 0 ? .allocate(byteCount: bufferSize, alignment: 64) : nil
    }

    deinit {
        if descriptor >= 0 { abandon() }
        buffer?.deallocate()
    }

    /// The final path, for messages.
    public var path: String { directory.path(of: name) }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        size += Int64(bytes.count)
        hasher?.update(bytes)
        if let buffer, bytes.count < bufferSize {
            if buffered + bytes.count > bufferSize { try flush() }
            (buffer + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered += bytes.count
            return
        }
        try flush()
        try writeAll(bytes)
    }

    /// Appends an array's bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends `sizes.count` pieces made on up to `width` threads, the same bytes as writing
    /// `make(0)`, `make(1)`, … in turn. Piece `i` must be exactly `sizes[i]` bytes, so its place in
    /// the file is known before it is made: the worker that made it writes it there (`pwrite`),
    /// while the calling thread feeds the pieces to the file's SHA-256 in order (the one part of a
    /// file that must run front to back) and then hands each to `release` (a maker that reuses its
    /// buffers takes them back there). A few pieces are in memory at a time (``WorkLoop``'s
    /// window). With one thread each piece is made, written and hashed in turn.
    ///
    /// ```swift
    /// try file.appendPieces(sizes: chunks.map(\.count), width: 2) { chunks[$0] }   // slices of arrays
    /// ```
    public func appendPieces<Piece: ContiguousBytes & Sendable>(
        sizes: [Int], width: Int, make: @escaping @Sendable (Int) -> Piece, release: (Piece) -> Void = { _ in }
    ) throws {
        try flush()
        let fd = descriptor
        let path = self.path
        var offsets: [Int64] = []
        offsets.reserveCapacity(sizes.count)
        var end = size
        for pieceSize in sizes {
            offsets.append(end)
            end += Int64(pieceSize)
        }
        let starts = offsets
        try WorkLoop.ordered(count: sizes.count, width: width) { index -> (piece: Piece, failure: ExportError?) in
            let piece = make(index)
            let failure = piece.withUnsafeBytes { bytes -> ExportError? in
                precondition(bytes.count == sizes[index], "piece \(index) is \(bytes.count) bytes, not the \(sizes[index]) announced")
                return DescriptorIO.writeAll(fd, bytes, at: off_t(starts[index])).map { ExportError.io(path: path, operation: "writing", errno: $0) }
            }
            return (piece, failure)
        } consume: { written in
            defer { release(written.piece) }
            if let failure = written.failure { throw failure }
            written.piece.withUnsafeBytes { hasher?.update($0) }
        }
        // pwrite leaves the file offset alone: later appends go after the pieces.
        guard lseek(fd, off_t(end), SEEK_SET) == off_t(end) else { throw ExportError.io(path: path, operation: "seeking", errno: errno) }
        size = end
    }

    /// Appends exactly `size` bytes read from the start of the open file `source` (in-kernel with
    /// `sendfile`, else through a buffer). `sourcePath` is for messages; `sha256` is the digest the
    /// caller proved the source to have (the whole file must be this one copy).
    public func copyContents(of source: Int32, size expected: Int64, sourcePath: String, sha256: String) throws {
        try flush()
        hasher = nil
        knownSHA256 = size == 0 ? sha256 : nil
        var copied: Int64 = 0
        var sourceOffset: Int64 = 0
        var inKernel = true
        let chunk = 1 << 20
        var scratch: UnsafeMutableRawPointer?
        defer { scratch?.deallocate() }
        while copied < expected {
            let want = Int(min(Int64(chunk) * 8, expected - copied))
            var count: Int
            if inKernel {
                var offset = off_t(sourceOffset)
                count = sendfile(descriptor, source, &offset, want)
                if count > 0 { sourceOffset = Int64(offset) }
                if count < 0 {
                    if errno == EINTR { continue }
                    if [ENOSYS, EINVAL, EOPNOTSUPP].contains(errno) {
                        inKernel = false
                        continue
                    }
                    throw ExportError.io(path: path, operation: "copying \(sourcePath)", errno: errno)
                }
            } else {
                if scratch == nil { scratch = .allocate(byteCount: chunk, alignment: 64) }
                count = pread(source, scratch!, min(want, chunk), off_t(sourceOffset))
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ExportError.sourceMismatch(path: sourcePath, problem: "read failed (\(String(cString: strerror(errno))))")
                }
                try writeAll(UnsafeRawBufferPointer(start: scratch!, count: count))
                sourceOffset += Int64(count)
            }
            if count == 0 {
                throw ExportError.sourceMismatch(path: sourcePath, problem: "it ended after \(copied) of its \(expected) bytes")
            }
            copied += Int64(count)
        }
        size += copied
    }

    private func flush() throws {
        guard let buffer, buffered > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(start: buffer, count: buffered))
        buffered = 0
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure = DescriptorIO.writeAll(descriptor, bytes) { throw ExportError.io(path: path, operation: "writing", errno: failure) }
    }

    /// The SHA-256 of everything written (finishes the hash: write nothing after it).
    func digest() -> String? {
        if sha256 == nil {
            sha256 = knownSHA256 ?? hasher?.finalize()
            hasher = nil
        }
        return sha256
    }

    /// Closes the temporary and renames it over `name` (checked again: never over a symlink or folder).
    /// `durably`: the temporary's bytes reach the disk (`fsync`) before the rename, so that not even
    /// a power cut leaves a short file under the final name.
    public func commit(durably: Bool = false) throws {
        try flush()
        _ = digest()
        let fd = descriptor
        descriptor = -1
        if durably && fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlinkat(directory.descriptor, temporary, 0)
            throw ExportError.io(path: path, operation: "syncing", errno: code)
        }
        if close(fd) != 0 {
            let code = errno
            unlinkat(directory.descriptor, temporary, 0)
            throw ExportError.io(path: path, operation: "closing", errno: code)
        }
        do {
            try directory.checkPlaceable(name, replacing: replacing)
        } catch {
            unlinkat(directory.descriptor, temporary, 0)
            throw error
        }
        if renameat(directory.descriptor, temporary, directory.descriptor, name) != 0 {
            let code = errno
            unlinkat(directory.descriptor, temporary, 0)
            throw ExportError.io(path: path, operation: "renaming into place", errno: code)
        }
    }

    /// Commits files staged together, in order (each rename is atomic; the set is placed only once
    /// every file of it was written and proved).
    public static func commitAll(_ files: [ExportFile]) throws {
        for file in files { try file.commit() }
    }

    /// Closes and removes the temporary (fmnist's own file); the final name is untouched.
    public func abandon() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlinkat(directory.descriptor, temporary, 0)
    }
}

extension ExportDirectory {
    /// Renames this torchvision class folder's stale `processed/` to `processed.stale-<unix time>`
    /// (never deleted, never through a symlink) and returns the new name.
    public func moveProcessedAside() throws -> String {
        let base = "\(LoaderLayout.torchvisionProcessed).stale-\(Int(Date().timeIntervalSince1970))"
        var aside = base
        var serial = 1
        while kind(of: aside) != .absent {
            serial += 1
            aside = "\(base)-\(serial)"
        }
        try moveAside(LoaderLayout.torchvisionProcessed, to: aside)
        return aside
    }
}
