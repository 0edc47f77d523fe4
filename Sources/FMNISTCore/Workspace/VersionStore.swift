import Foundation

/// How a file of a version directory was made ready.
public enum PlacementMethod: String, Sendable, Codable {
    /// Copied from the store (a new version directory, or a damaged copy replaced).
    case copy
    /// Already there and proven: nothing written.
    case unchanged
}

/// The content-addressed store `.fmnist/store/sha256/<container-sha256>`, the per-version
/// directories `.fmnist/versions/<dataset>/<version-id>/` made from it, and the live links
/// `data/<dataset> -> .fmnist/versions/<dataset>/<version-id>`.
///
/// - Stored files are read-only (0444) and are reused only once proven (``TrustedFileChecker``):
///   a damaged one is replaced by verified bytes.
/// - A version directory holds *copies* of its four stored files (not hard links), so a write
///   through `data/fashion/…` damages only the copy, which the store restores. It is built under a
///   temporary name and renamed into place, and it is read-only (0555, files 0444).
/// - Switching versions flips the live link by symlink + rename, so a reader sees the four files of
///   one version or of the other, never a mix.
///
/// ```swift
/// let store = VersionStore(layout: layout)
/// try store.install(fileAt: tempURL, measurement: measurement, checker: checker)
/// let directory = try store.prepareVersion(dataset: "fashion", versionID: id, files: files, checker: checker, classCount: 10)
/// try store.pointLive(dataset: "fashion", versionID: id)
/// ```
package struct VersionStore: Sendable {
    package let layout: WorkspaceLayout

    package init(layout: WorkspaceLayout) {
        self.layout = layout
    }

    var boundary: WorkspaceBoundary { WorkspaceBoundary(layout: layout) }

    /// The stored path of a container digest (64 lower-case hex digits, else a usage error).
    package func url(containerSHA256 hex: String) throws -> URL {
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw UsageError("\"\(hex)\" is not a SHA-256 digest (64 lower-case hex digits)")
        }
        return layout.storedFile(containerSHA256: hex)
    }

    /// Whether the store holds a regular file under this digest (and, when `size` is given, with
    /// that size). Says nothing of its content: use ``TrustedFileChecker`` for that.
    package func contains(containerSHA256 hex: String, size: Int64? = nil) -> Bool {
        guard let url = try? url(containerSHA256: hex), let info = FilePaths.lstat(url.path), FilePaths.isRegular(info) else { return false }
        return size == nil || Int64(info.st_size) == size
    }

    /// A fresh temporary path under `.fmnist/tmp/` (same file system as the store).
    package func temporaryURL(_ label: String) throws -> URL {
        try boundary.ensureOwnedDirectory(layout.temporaryDirectory)
        return layout.temporaryDirectory.appendingPathComponent("\(label).\(getpid()).\(UUID().uuidString.prefix(8))")
    }

    /// Moves a verified temporary file into the store and makes it read-only. When the store already
    /// holds the digest and that file is proven, the temporary file is dropped; a damaged stored file
    /// is replaced. Returns whether the store's bytes were (re)written.
    @discardableResult
    package func install(fileAt temporary: URL, file: CatalogFile, checker: TrustedFileChecker, classCount: Int) throws -> Bool {
        let destination = try url(containerSHA256: file.containerSHA256)
        try boundary.ensureOwnedDirectory(layout.storeDirectory)
        guard let info = FilePaths.lstat(temporary.path), FilePaths.isRegular(info) else {
            throw WorkspaceError.fileSystem(operation: "install", path: temporary.path, detail: "not a regular file")
        }
        try WorkspaceBoundary.refuseSymlinkOrDirectory(destination)
        if checker.check(destination, recorded: file, classCount: classCount).isProven {
            unlink(temporary.path)
            return false
        }
        try placeInStore(temporary, at: destination)
        try proveOrRemember(destination, file: file, checker: checker, classCount: classCount)
        return true
    }

    /// After fmnist placed verified bytes at `url`: on a local disk, records them as proven; on a
    /// shared file system (where another host's writes or a client cache can stand between the
    /// stream and the server), reads the file back and proves it, removing it when it fails.
    func proveOrRemember(_ url: URL, file: CatalogFile, checker: TrustedFileChecker, classCount: Int) throws {
        let fileSystem = layout.fileSystem
        guard fileSystem.isShared else {
            checker.remember(url, payloadSHA256: file.payloadSHA256)
            return
        }
        if case .damaged(let problem) = checker.check(url, recorded: file, classCount: classCount, rehash: true) {
            unlink(url.path)
            throw WorkspaceError.fileSystem(
                operation: "read back", path: url.path,
                detail: "the bytes read back from the shared file system (\(fileSystem.name)) are not the verified bytes"
                    + " (\(problem)); the file was removed: run the command again")
        }
    }

    /// Makes the verified `temporary` read-only (0444), synced, the store file `destination`: one
    /// rename, or, when the store is on another file system than `.fmnist/tmp`, a copy beside it
    /// renamed into place.
    package func placeInStore(_ temporary: URL, at destination: URL) throws {
        try Self.syncFile(temporary.path)
        if chmod(temporary.path, 0o444) != 0 { throw WorkspaceError.posix("chmod", temporary.path) }
        if rename(temporary.path, destination.path) != 0 {
            guard errno == EXDEV else { throw WorkspaceError.posix("rename into the store", temporary.path) }
            let copy = layout.storeDirectory.appendingPathComponent(".install.\(getpid()).\(UUID().uuidString.prefix(8))")
            try Self.copyFile(from: temporary.path, to: copy.path)
            if chmod(copy.path, 0o444) != 0 || rename(copy.path, destination.path) != 0 {
                let error = WorkspaceError.posix("rename into the store", copy.path)
                unlink(copy.path)
                throw error
            }
            unlink(temporary.path)
        }
        FilePaths.syncDirectory(layout.storeDirectory.path)
    }

    /// What ``prepareVersion(dataset:versionID:files:checker:classCount:rehash:)`` did.
    package struct PreparedVersion: Sendable {
        package let directory: URL
        /// How each file of the directory was made ready, by name.
        package let placement: [String: PlacementMethod]
        /// Files that were there but damaged (written to, truncated, replaced), restored from the store.
        package let restored: [String]
        /// Stored files that were missing or damaged, restored from a proven copy in the version directory.
        package let restoredStore: [String]
    }

    /// Makes `.fmnist/versions/<dataset>/<versionID>/` hold proven copies of the four files: builds
    /// it (temporary name + rename) when absent, and replaces any damaged copy from the store. A
    /// stored file that is missing or damaged is restored from a proven copy. Throws
    /// ``WorkspaceError/corruptStore(dataset:version:problems:)`` when a file has no good copy left.
    @discardableResult
    package func prepareVersion(
        dataset: String, versionID: String, files: [CatalogFile], checker: TrustedFileChecker, classCount: Int,
        rehash: Bool = false
    ) throws -> PreparedVersion {
        let directory = layout.versionDirectory(dataset: dataset, versionID: versionID)
        let exists = try Self.openVersionFolder(directory, dataset: dataset, versionID: versionID, files: files, layout: layout)

        var placement: [String: PlacementMethod] = [:]
        var restored: [String] = []
        var restoredStore: [String] = []
        var problems: [String] = []
        // Which files need a copy from the store; the store's own health first.
        var toCopy: [(CatalogFile, URL)] = []
        for file in files {
            let stored = try url(containerSHA256: file.containerSHA256)
            let copy = directory.appendingPathComponent(file.name)
            let copyVerdict = exists ? checker.check(copy, recorded: file, classCount: classCount, rehash: rehash) : .missing
            let storeVerdict = checker.check(stored, recorded: file, classCount: classCount, rehash: rehash)
            switch (copyVerdict.isProven, storeVerdict.isProven) {
            case (true, true):
                placement[file.name] = .unchanged
            case (true, false):
                // The store lost or damaged its bytes; the version's copy is proven: restore the store.
                try WorkspaceBoundary.refuseSymlinkOrDirectory(stored)
                let temporary = try temporaryURL("restore-\(file.name)")
                try Self.copyFile(from: copy.path, to: temporary.path)
                try install(fileAt: temporary, file: file, checker: checker, classCount: classCount)
                restoredStore.append(file.name)
                placement[file.name] = .unchanged
            case (false, true):
                if case .damaged = copyVerdict { restored.append(file.name) }
                toCopy.append((file, stored))
            case (false, false):
                let why: String
                switch storeVerdict {
                case .damaged(let reason): why = reason
                default: why = "missing"
                }
                problems.append("\(file.name): no good copy left (the stored file is \(why))")
            }
        }
        if !problems.isEmpty {
            throw WorkspaceError.corruptStore(dataset: dataset, version: String(versionID.prefix(12)), problems: problems)
        }
        try fillVersionFolder(directory, exists: exists, versionID: versionID, writing: !toCopy.isEmpty) { folder in
            for (file, stored) in toCopy {
                try Self.placeCopy(of: stored, at: folder.appendingPathComponent(file.name))
                placement[file.name] = .copy
            }
        }
        for (file, _) in toCopy {
            try proveOrRemember(directory.appendingPathComponent(file.name), file: file, checker: checker, classCount: classCount)
        }
        return PreparedVersion(directory: directory, placement: placement, restored: restored, restoredStore: restoredStore)
    }

    /// The version id the live link `data/<dataset>` shows, when it is fmnist's own link.
    package func liveLinkVersionID(dataset: String) -> String? {
        let path = layout.liveDirectory(dataset: dataset).path
        guard let text = WorkspaceBoundary.linkText(path) else { return nil }
        return WorkspaceLayout.versionID(inLiveLinkText: text, dataset: dataset)
    }

    /// Whether `data/<dataset>` shows this version and its directory holds the files with their
    /// recorded sizes (a cheap look for `status`; proving the content is ``TrustedFileChecker``'s job).
    package func isShownLive(_ versionID: String, files: [CatalogFile], dataset: String) -> Bool {
        guard liveLinkVersionID(dataset: dataset) == versionID else { return false }
        let directory = layout.versionDirectory(dataset: dataset, versionID: versionID)
        return files.allSatisfy { file in
            FilePaths.lstat(directory.appendingPathComponent(file.name).path).map { FilePaths.isRegular($0) && Int64($0.st_size) == file.containerSize } ?? false
        }
    }

    /// Points `data/<dataset>` at the version directory (symlink under a temporary name, renamed
    /// over the old link). A foreign symlink or a file there is refused; a real folder left by an
    /// older fmnist or filled by hand is replaced only when `canReplaceFolder` vouches for every
    /// entry in it (each is a proven copy of a recorded file), else refused. Returns whether the
    /// link changed.
    @discardableResult
    package func pointLive(dataset: String, versionID: String, canReplaceFolder: (URL) -> Bool = { _ in false }) throws -> Bool {
        try Self.checkName(dataset)
        let link = layout.liveDirectory(dataset: dataset).standardizedFileURL
        let text = WorkspaceLayout.liveLinkText(dataset: dataset, versionID: versionID)
        var info = Foundation.stat()
        var folderToRemove: URL?
        if lstat(link.path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                let current = WorkspaceBoundary.linkText(link.path) ?? ""
                guard WorkspaceLayout.versionID(inLiveLinkText: current, dataset: dataset) != nil else {
                    throw WorkspaceError.foreignSymlink(path: link.path, target: current)
                }
                if current == text { return false }
            case S_IFDIR:
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: link.path)) ?? []
                let strangers = entries.filter { !canReplaceFolder(link.appendingPathComponent($0)) }
                guard strangers.isEmpty else {
                    throw WorkspaceError.foreignLiveFolder(path: link.path, dataset: dataset, entries: strangers.sorted())
                }
                // Every entry is a proven copy of a recorded file: move the folder out of the way.
                let aside = try temporaryURL("old-\(dataset)")
                if rename(link.path, aside.path) != 0 { throw WorkspaceError.posix("move aside", link.path) }
                folderToRemove = aside
            default:
                throw WorkspaceError.notALink(path: link.path, kind: "regular file")
            }
        }
        let temporary = link.deletingLastPathComponent().appendingPathComponent(
            ".\(dataset).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        if symlink(text, temporary.path) != 0 { throw WorkspaceError.posix("create symlink", temporary.path) }
        if rename(temporary.path, link.path) != 0 {
            let error = WorkspaceError.posix("rename symlink over", link.path)
            unlink(temporary.path)
            throw error
        }
        FilePaths.syncDirectory(link.deletingLastPathComponent().path)
        if let folderToRemove { FilePaths.removeTree(folderToRemove) }
        return true
    }

    /// Removes fmnist's own half-written temporaries (`.<name>.fmnist-<pid>-<hex>`, left by a killed
    /// process) from a version directory. Anything else a user put there through `data/<dataset>`
    /// is left alone: it is not a file of the version, and deleting it would lose their data.
    func removeLeftovers(in directory: URL) throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let leftovers = entries.filter(WorkspaceJanitor.isPlacementLeftover)
        guard !leftovers.isEmpty else { return }
        try Self.withWritableDirectory(directory) {
            for name in leftovers { FilePaths.removeTree(directory.appendingPathComponent(name)) }
        }
    }

    // MARK: - File-system helpers

    /// Writes what a folder of one version lacks (`fill` is given the folder to write into): an
    /// absent folder is built whole under a temporary name beside it, made read-only and renamed
    /// into place (removed when `fill` fails); an existing one is made writable while `fill` runs
    /// (only when `writing`), and loses any leftover that is none of its files.
    func fillVersionFolder(_ directory: URL, exists: Bool, versionID: String, writing: Bool, _ fill: (URL) throws -> Void) throws {
        if exists {
            if writing { try Self.withWritableDirectory(directory) { try fill(directory) } }
            try removeLeftovers(in: directory)
            return
        }
        let building = directory.deletingLastPathComponent()
            .appendingPathComponent(".build-\(versionID.prefix(12)).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        if mkdir(building.path, 0o755) != 0 { throw WorkspaceError.posix("create directory", building.path) }
        do {
            try fill(building)
            FilePaths.syncDirectory(building.path)
            _ = chmod(building.path, 0o555)
            if rename(building.path, directory.path) != 0 { throw WorkspaceError.posix("rename into place", directory.path) }
        } catch {
            FilePaths.removeTree(building)
            throw error
        }
        FilePaths.syncDirectory(directory.deletingLastPathComponent().path)
    }

    /// Refuses names that could leave their folder.
    /// Opens a folder of one version (`.fmnist/versions/…`, `.fmnist/payloads/…`) for building:
    /// its names are plain names (``checkName(_:)``), its parent an owned directory, and the folder,
    /// when there, a real directory (never a symlink). Returns whether it exists.
    static func openVersionFolder(
        _ directory: URL, dataset: String, versionID: String, files: [CatalogFile], layout: WorkspaceLayout
    ) throws -> Bool {
        try checkName(dataset)
        try checkName(versionID)
        for file in files { try checkName(file.name) }
        try WorkspaceBoundary(layout: layout).ensureOwnedDirectory(directory.deletingLastPathComponent())
        let exists = FilePaths.lstat(directory.path) != nil
        if exists { try WorkspaceBoundary.requireRealDirectory(directory.path) }
        return exists
    }

    static func checkName(_ name: String) throws {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0") {
            throw UsageError("refusing the file name \"\(name)\": it must be a plain name inside its folder")
        }
    }

    /// Copies `source` to a temporary name beside `final`, makes it read-only, syncs, renames it over `final`.
    static func placeCopy(of source: URL, at final: URL) throws {
        try WorkspaceBoundary.refuseSymlinkOrDirectory(final)
        let temporary = final.deletingLastPathComponent().appendingPathComponent(
            ".\(final.lastPathComponent).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        try copyFile(from: source.path, to: temporary.path)
        _ = chmod(temporary.path, 0o444)
        try syncFile(temporary.path)
        if rename(temporary.path, final.path) != 0 {
            let error = WorkspaceError.posix("rename into place", final.path)
            unlink(temporary.path)
            throw error
        }
    }

    /// Runs `body` with the (read-only) version directory made writable for the owner, then read-only again.
    static func withWritableDirectory(_ directory: URL, _ body: () throws -> Void) throws {
        _ = chmod(directory.path, 0o755)
        defer {
            FilePaths.syncDirectory(directory.path)
            _ = chmod(directory.path, 0o555)
        }
        try body()
    }

    /// Copies bytes with plain read/write (works across file systems; never writes through a
    /// symlink: the destination is created with O_EXCL | O_NOFOLLOW).
    static func copyFile(from source: String, to destination: String) throws {
        // Only a regular file is copied, and opening a FIFO swapped in never blocks.
        let input = try RegularFile.openForReading(source)
        defer { close(input) }
        try DescriptorIO.withNewFile(at: destination, orThrow: { WorkspaceError.posix("create", destination) }) { output in
            let readFailure = try DescriptorIO.forEachChunk(input, size: 1 << 20) { chunk in
                if let failure = DescriptorIO.writeAll(output, chunk) { throw WorkspaceError.posix("write", destination, errno: failure) }
                return true
            }
            if let readFailure { throw WorkspaceError.posix("read", source, errno: readFailure) }
        }
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw WorkspaceError.posix("open", path) }
        defer { close(fd) }
        _ = fsync(fd)
    }

}
