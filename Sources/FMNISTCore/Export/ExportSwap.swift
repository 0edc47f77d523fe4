import Foundation

/// How an export replaces one dataset's part of DEST as a whole: the new part is built in a
/// staging folder beside it (`.<name>.fmnist-tmp-<pid>-<n>`, same folder, so same file system),
/// then exchanged with the old one in one `renameat2(RENAME_EXCHANGE)` (where the file system
/// lacks it: the old one renamed aside, the new one renamed in, the old one renamed back if that
/// fails), and the old one, now under the staging name, is removed. A crash leaves the old or the
/// new part under its name, never a mix; what it leaves beside it carries the `.fmnist-tmp-` name
/// of a process that is gone, and the next export of that part removes it.
extension ExportDirectory {
    /// The existing folder at `path` (never following a symlink as its last component), or nil
    /// when there is none or it cannot be opened.
    static func openExisting(_ path: String) -> ExportDirectory? {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        return fd >= 0 ? ExportDirectory(existing: path, descriptor: fd) : nil
    }

    /// The marker in the names of fmnist's temporaries in DEST (files and staging folders).
    static let temporaryMarker = ".fmnist-tmp-"

    /// A new empty staging folder beside `name`, named for messages as `name` itself (what it becomes).
    func makeStaging(for name: String) throws -> (name: String, directory: ExportDirectory) {
        let staging = ".\(name)\(Self.temporaryMarker)\(getpid())-\(ExportFile.nextSerial())"
        if mkdirat(descriptor, staging, 0o755) != 0 {
            throw ExportError.io(path: path(of: staging), operation: "creating the staging folder", errno: errno)
        }
        return (staging, try subdirectory(staging, displayPath: path(of: name)))
    }

    /// Puts the staging folder `staged` in the place of `name` (absent, or a folder: the old part)
    /// and removes the old part. Returns a note when the old part could not be removed (it is left
    /// under the staging name, which the next export removes).
    func install(staged: String, as name: String) throws -> String? {
        switch kind(of: name) {
        case .absent:
            if Self.renameNoReplace(descriptor, staged, name) != 0 {
                throw ExportError.io(path: path(of: name), operation: "renaming the new export into place", errno: errno)
            }
            return nil
        case .directory: break
        case .symlink: throw ExportError.foreignSymlink(path: path(of: name))
        case .file: throw ExportError.obstructed(path: path(of: name), found: "a file where a folder belongs")
        case .other: throw ExportError.obstructed(path: path(of: name), found: "something that is neither a file nor a folder")
        }
        if Self.renameExchange(descriptor, staged, name) != 0 {
            guard [EINVAL, ENOSYS, EOPNOTSUPP].contains(errno) else {
                throw ExportError.io(path: path(of: name), operation: "exchanging the old export with the new one", errno: errno)
            }
            // No atomic exchange here: old aside, new in, old back if the new could not go in.
            let aside = ".\(name)\(Self.temporaryMarker)\(getpid())-\(ExportFile.nextSerial())"
            if renameat(descriptor, name, descriptor, aside) != 0 {
                throw ExportError.io(path: path(of: name), operation: "moving the old export aside", errno: errno)
            }
            if renameat(descriptor, staged, descriptor, name) != 0 {
                let code = errno
                if renameat(descriptor, aside, descriptor, name) != 0 {
                    // The old export stays whole in `aside`; the next export renames it back.
                    throw ExportError.io(path: path(of: name), operation: "renaming the new export into place (the previous one is in \(aside))", errno: code)
                }
                throw ExportError.io(path: path(of: name), operation: "renaming the new export into place", errno: code)
            }
            return removalNote(aside, replacing: name)
        }
        return removalNote(staged, replacing: name)
    }

    private func removalNote(_ old: String, replacing name: String) -> String? {
        do {
            try removeTree(old)
            return nil
        } catch {
            return "the previous \(path(of: name)) was replaced, but its files (now \(path(of: old))) could not all be removed: \(error); "
                + "delete it yourself (the next export of this part tries again)"
        }
    }

    /// Removes the entry `name` and, for a folder, everything in it: never following a symlink
    /// (a link is unlinked, its target untouched) and never crossing into another file system.
    func removeTree(_ name: String, depth: Int = 0) throws {
        switch kind(of: name) {
        case .absent: return
        case .directory:
            guard depth < Self.maximumDepth else {
                throw ExportError.obstructed(path: path(of: name), found: "folders nested more than \(Self.maximumDepth) deep")
            }
            let child = try subdirectory(name, displayPath: path(of: name))
            guard child.device == device else {
                throw ExportError.obstructed(path: path(of: name), found: "another file system mounted there; not removing across it")
            }
            child.makeOwnerWritable()
            for entry in try child.entries() { try child.removeTree(entry, depth: depth + 1) }
            if unlinkat(descriptor, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                throw ExportError.io(path: path(of: name), operation: "removing the folder", errno: errno)
            }
        default:
            if unlinkat(descriptor, name, 0) != 0 && errno != ENOENT {
                throw ExportError.io(path: path(of: name), operation: "removing", errno: errno)
            }
        }
    }

    /// How deep `removeTree` and `foreignEntry` go (an export is at most three folders deep).
    static let maximumDepth = 16

    /// The first entry below the folder `name` that an export must not replace: a symlink fmnist
    /// did not make, or a folder on another file system. Nil when there is none.
    func foreignEntry(below name: String, depth: Int = 0) throws -> ExportError? {
        guard depth < Self.maximumDepth else {
            return .obstructed(path: path(of: name), found: "folders nested more than \(Self.maximumDepth) deep")
        }
        let child = try subdirectory(name, displayPath: path(of: name))
        if child.device != device {
            return .obstructed(path: child.path, found: "another file system mounted there; export will not replace it")
        }
        for entry in try child.entries() {
            switch child.kind(of: entry) {
            case .symlink: return .foreignSymlink(path: child.path(of: entry))
            case .directory: if let found = try child.foreignEntry(below: entry, depth: depth + 1) { return found }
            default: break
            }
        }
        return nil
    }

    /// The paths (relative to the folder `name`) of everything below it that is not a folder,
    /// and of every empty folder, never following a symlink.
    func leaves(below name: String, prefix: String = "", depth: Int = 0) throws -> [String] {
        guard depth < Self.maximumDepth else { return [prefix + name] }
        let child = try subdirectory(name, displayPath: path(of: name))
        var found: [String] = []
        let entries = try child.entries()
        if entries.isEmpty && depth > 0 { return [prefix + name + "/"] }
        let inner = depth == 0 ? "" : prefix + name + "/"
        for entry in entries {
            if child.kind(of: entry) == .directory {
                found += try child.leaves(below: entry, prefix: inner, depth: depth + 1)
            } else {
                found.append(inner + entry)
            }
        }
        return found
    }

    /// Removes what interrupted exports left beside `name` (`.<name>.fmnist-tmp-<pid>-<n>` of a
    /// process that is gone) and returns a note for each. When `name` itself is absent (a crash
    /// between the two renames where no atomic exchange exists), a leftover folder that holds a
    /// provenance file is a whole export (it is written last) and is renamed back instead.
    func removeLeftovers(of name: String, leftBy command: String = "export") -> [String] {
        let prefix = ".\(name)\(Self.temporaryMarker)"
        var notes: [String] = []
        for entry in ((try? entries()) ?? []).sorted() where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid > 0, !Self.processIsAlive(pid) else { continue }
            if kind(of: name) == .absent, kind(of: entry) == .directory,
               (try? subdirectory(entry, displayPath: path(of: entry)))?.kind(of: ExportProvenance.fileName) == .file,
               Self.renameNoReplace(descriptor, entry, name) == 0
            {
                notes.append("restored \(path(of: name)) from \(path(of: entry)), where an interrupted \(command) had left it")
                continue
            }
            do {
                try removeTree(entry)
                notes.append("removed \(path(of: entry)), left by an interrupted \(command)")
            } catch {
                notes.append("could not remove \(path(of: entry)), left by an interrupted \(command): \(error)")
            }
        }
        return notes
    }

    static func processIsAlive(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    /// The names in this folder (without `.` and `..`).
    func entries() throws -> [String] {
        let fd = dup(descriptor)
        guard fd >= 0, let stream = fdopendir(fd) else {
            let code = errno
            if fd >= 0 { close(fd) }
            throw ExportError.io(path: path, operation: "listing the folder", errno: code)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Adds the owner's write and search bits to this folder when the process owns it and they
    /// are missing (a folder made read-only inside a part being removed); otherwise nothing.
    func makeOwnerWritable() {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o300 != 0o300 else { return }
        fchmod(descriptor, (info.st_mode & 0o7777) | 0o300)
    }

    /// The file system this folder is on.
    var device: UInt64 {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? UInt64(info.st_dev) : 0
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    /// glibc's `renameat2` (2.28+), looked up at run time: Swift's Glibc module does not export it.
    private static let renameat2Function: RenameAt2? = {
        guard let symbol = dlsym(nil, "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// `renameat2(RENAME_EXCHANGE)`; -1 with `ENOSYS` when the C library lacks it.
    static func renameExchange(_ fd: Int32, _ from: String, _ to: String) -> Int32 {
        guard let rename2 = renameat2Function else {
            errno = ENOSYS
            return -1
        }
        return rename2(fd, from, fd, to, 2)  // RENAME_EXCHANGE
    }

    /// `renameat2(RENAME_NOREPLACE)`, else a plain `renameat` (which replaces only an empty folder).
    static func renameNoReplace(_ fd: Int32, _ from: String, _ to: String) -> Int32 {
        if let rename2 = renameat2Function {
            let result = rename2(fd, from, fd, to, 1)  // RENAME_NOREPLACE
            if result == 0 || ![EINVAL, ENOSYS, EOPNOTSUPP].contains(errno) { return result }
        }
        return renameat(fd, from, fd, to)
    }
}
