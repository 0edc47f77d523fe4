import Foundation

/// The uncompressed payloads that torchvision links show: `.fmnist/payload/<dataset>/<version-id>/`
/// holds `{train,t10k}-{images-idx3,labels-idx1}-ubyte`, inflated once per version from the
/// version directory's proven `.gz` copies.
///
/// - A payload file's identity is its SHA-256, which is the payload SHA-256 the catalog records for
///   the version's file: it is proven like every other file (``TrustedFileChecker`` with
///   `compressed: false`: a recorded stat fingerprint, re-hashed whenever it changed).
/// - The folder is built under a temporary name and renamed into place; it is read-only (0555,
///   files 0444). A damaged payload (a framework that wrote through a link, as root) is inflated
///   again from the proven `.gz`: a write through a link reaches this copy only, never the store.
///
/// ```swift
/// let payloads = PayloadStore(layout: layout)
/// let prepared = try payloads.prepare(dataset: "fashion", versionID: id, files: files, checker: checker, classCount: 10)
/// // prepared.directory/train-images-idx3-ubyte
/// ```
package struct PayloadStore: Sendable {
    package let layout: WorkspaceLayout

    package init(layout: WorkspaceLayout) {
        self.layout = layout
    }

    /// The payload file name of a container name: `train-images-idx3-ubyte.gz` -> `train-images-idx3-ubyte`.
    package static func payloadName(_ name: String) -> String { LoaderLayout.uncompressedName(name) }

    /// What ``prepare(dataset:versionID:files:checker:classCount:rehash:)`` did.
    package struct Prepared: Sendable {
        package let directory: URL
        /// Whether the folder was built now (it did not exist).
        package let built: Bool
        /// Payload files that were there but damaged, inflated again from the proven `.gz`.
        package let restored: [String]
    }

    /// Makes the version's payload folder hold proven payloads of its four files. The version
    /// directory must hold proven copies (``VersionStore/prepareVersion(dataset:versionID:files:checker:classCount:rehash:)``
    /// first): they are what gets inflated. `staged` (by `.gz` name) are uncompressed payloads a
    /// command already wrote in `.fmnist/tmp/` (an import): one that measures as the recorded payload
    /// is moved in instead (read once, not inflated); any other is ignored and the `.gz` inflated.
    @discardableResult
    package func prepare(
        dataset: String, versionID: String, files: [CatalogFile], checker: TrustedFileChecker, classCount: Int,
        rehash: Bool = false, staged: [String: URL] = [:]
    ) throws -> Prepared {
        let directory = layout.payloadDirectory(dataset: dataset, versionID: versionID)
        let exists = try VersionStore.openVersionFolder(directory, dataset: dataset, versionID: versionID, files: files, layout: layout)
        let sources = layout.versionDirectory(dataset: dataset, versionID: versionID)

        var toWrite: [CatalogFile] = []
        var restored: [String] = []
        for file in files {
            let url = directory.appendingPathComponent(Self.payloadName(file.name))
            let verdict = exists ? checker.check(url, recorded: file, classCount: classCount, rehash: rehash, compressed: false) : .missing
            guard !verdict.isProven else { continue }
            if case .damaged = verdict { restored.append(Self.payloadName(file.name)) }
            toWrite.append(file)
        }
        try VersionStore(layout: layout).fillVersionFolder(directory, exists: exists, versionID: versionID, writing: !toWrite.isEmpty) { folder in
            try Self.inflateAll(toWrite, from: sources, into: folder, classCount: classCount, staged: staged)
        }
        for file in toWrite {
            checker.remember(directory.appendingPathComponent(Self.payloadName(file.name)), payloadSHA256: file.payloadSHA256)
        }
        return Prepared(directory: directory, built: !exists, restored: restored.sorted())
    }

    /// Inflates each of `files` from `sources` into `folder` (or moves in its proven `staged`
    /// payload), on both cores (largest first); throws the first failure once all are done.
    static func inflateAll(_ files: [CatalogFile], from sources: URL, into folder: URL, classCount: Int, staged: [String: URL] = [:]) throws {
        let failures = files.parallelMap(cost: { $0.payloadSize }) { file -> WorkspaceError? in
            do {
                let final = folder.appendingPathComponent(payloadName(file.name))
                if let payload = staged[file.name], adopt(payload, recorded: file, classCount: classCount, to: final) { return nil }
                try inflate(sources.appendingPathComponent(file.name), recorded: file, classCount: classCount, to: final)
                return nil
            } catch let error as WorkspaceError {
                return error
            } catch {
                return WorkspaceError.fileSystem(operation: "inflate", path: sources.appendingPathComponent(file.name).path, detail: "\(error)")
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
    }

    /// Moves the uncompressed payload at `staged` to `final` when it is a regular file that measures
    /// as exactly the recorded payload (size, SHA-256, IDX header and labels): made read-only
    /// (0444), synced, renamed. False, leaving `final` alone, for anything else.
    static func adopt(_ staged: URL, recorded: CatalogFile, classCount: Int, to final: URL) -> Bool {
        guard (try? WorkspaceBoundary.refuseSymlinkOrDirectory(final)) != nil,
            let fd = try? RegularFile.openForReading(staged.path, followSymlinks: false)
        else { return false }
        defer { close(fd) }
        // Measured through the descriptor that is then made read-only, synced and renamed: the
        // bytes proven are the file moved in.
        var opened = stat()
        guard let measured = try? FileVerifier.measure(
            descriptor: fd, path: staged.path, payloadLimit: recorded.payloadSize, classCount: classCount, compressed: false),
            RecordedFileCheck.problem(measured, recorded: recorded) == nil,
            fstat(fd, &opened) == 0, let named = FilePaths.lstat(staged.path), named.st_ino == opened.st_ino, named.st_dev == opened.st_dev,
            fchmod(fd, 0o444) == 0, fsync(fd) == 0
        else { return false }
        return rename(staged.path, final.path) == 0
    }

    /// Inflates the `.gz` at `source` into `final` (a temporary name beside it, 0444, synced, then
    /// renamed over it); refuses, writing nothing, unless the payload is exactly the recorded one.
    static func inflate(_ source: URL, recorded: CatalogFile, classCount: Int, to final: URL) throws {
        try WorkspaceBoundary.refuseSymlinkOrDirectory(final)
        let temporary = final.deletingLastPathComponent().appendingPathComponent(
            ".\(final.lastPathComponent).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        try DescriptorIO.withNewFile(at: temporary.path, orThrow: { WorkspaceError.posix("create", temporary.path) }) { output in
            let verifier = StreamingVerifier(payloadLimit: recorded.payloadSize, classCount: classCount)
            var writeFailure: Int32?
            verifier.onPayload = { chunk in
                if writeFailure == nil { writeFailure = DescriptorIO.writeAll(output, chunk) }
            }
            do {
                try FileVerifier.stream(url: source) { chunk in
                    (try? verifier.feed(chunk)) != nil && writeFailure == nil
                }
            } catch let error as FileAccessError {
                throw WorkspaceError.fileSystem(operation: "inflate", path: source.path, detail: error.problem)
            }
            let measurement = verifier.finish()
            verifier.onPayload = nil
            if let writeFailure { throw WorkspaceError.posix("write", temporary.path, errno: writeFailure) }
            if let problem = RecordedFileCheck.problem(measurement, recorded: recorded) {
                throw WorkspaceError.fileSystem(operation: "inflate", path: source.path, detail: problem)
            }
            _ = fchmod(output, 0o444)
            _ = fsync(output)
            if rename(temporary.path, final.path) != 0 { throw WorkspaceError.posix("rename into place", final.path) }
        }
    }
}
