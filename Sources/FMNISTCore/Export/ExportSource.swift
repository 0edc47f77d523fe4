import Foundation

/// The verified data an export reads: a dataset's live version as the catalog records it, each
/// file re-verified while it is read (container and payload SHA-256 against the catalog's record).
///
/// ```swift
/// let source = try ExportSource.live(dataset: manifest, layout: layout)
/// let images = try source.load(.trainImages)        // whole payload in memory, verified
/// try source.stream(.testLabels) { container, payload in … }   // one pass, verified at the end
/// ```
public struct ExportSource: Sendable {
    public let manifest: Manifest
    public let version: CatalogVersion
    /// The catalog's record of each file of the live version, by role.
    public let files: [FileRole: CatalogFile]
    /// The live folder the files are read from.
    public let directory: URL
    /// Proven copies in the workspace that whole-file exports copy, and whose payloads ``load(_:)``
    /// reads, instead of re-reading the live folder (set under the workspace lock by
    /// ``ExportService``; nil: stream and verify).
    var proven: ProvenFiles?
    /// The version's artifacts the catalog records (`fetch --artifact`), by loader.
    public var artifacts: [String: CatalogArtifact] = [:]
    /// The content-addressed store the artifacts are read from.
    public var storeDirectory: URL? = nil

    /// The live version of `manifest`'s dataset, from the catalog. Throws `.notPresent` when the
    /// dataset has none.
    public static func live(dataset manifest: Manifest, layout: WorkspaceLayout) throws -> ExportSource {
        guard FileManager.default.fileExists(atPath: layout.catalogFile.path) else {
            throw ExportError.notPresent(dataset: manifest.name)
        }
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        guard let live = try catalog.liveVersion(dataset: manifest.name), let version = try catalog.version(id: live.versionID)
        else { throw ExportError.notPresent(dataset: manifest.name) }
        let records = try catalog.files(versionID: version.id)
        var files: [FileRole: CatalogFile] = [:]
        for record in records { files[record.role] = record }
        guard files.count == FileRole.allCases.count else { throw ExportError.notPresent(dataset: manifest.name) }
        var source = ExportSource(manifest: manifest, version: version, files: files,
                                  directory: layout.liveDirectory(dataset: manifest.name))
        for artifact in try catalog.artifacts(versionID: version.id) { source.artifacts[artifact.loader] = artifact }
        source.storeDirectory = layout.storeDirectory
        return source
    }

    /// Reads the stored artifact of `loader` once, handing each chunk to `body`, and throws unless
    /// the bytes are exactly the recorded ones (size and SHA-256, the pin they were fetched by).
    /// Callers must not publish what they wrote until this returns.
    public func streamArtifact(_ loader: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let artifact = artifacts[loader], let storeDirectory else { throw ExportError.kerasNeedsOriginalMNIST(dataset: manifest.name) }
        let url = storeDirectory.appendingPathComponent(artifact.sha256)
        let check = DigestVerifier(size: artifact.size, sha256: artifact.sha256)
        var sinkError: Error?
        do {
            try FileVerifier.stream(url: url, followSymlinks: false) { chunk in
                do {
                    try check.feed(chunk)
                    try body(chunk)
                } catch {
                    if !(error is IntegrityFault) { sinkError = error }
                    return false
                }
                return true
            }
        } catch let error as FileAccessError {
            throw ExportError.sourceMismatch(path: url.path, problem: error.problem)
        }
        if let sinkError { throw sinkError }
        if let problem = check.finish() {
            throw ExportError.sourceMismatch(path: url.path, problem: "the stored \(artifact.name) is not the recorded one (\(problem))")
        }
    }

    /// The catalog record of a role.
    public func file(_ role: FileRole) -> CatalogFile { files[role]! }

    /// The live path of a role's `.gz` file.
    public func url(_ role: FileRole) -> URL { directory.appendingPathComponent(file(role).name) }

    /// Reads a role's `.gz` once, handing each container chunk and each decompressed payload chunk
    /// to the callbacks, and throws unless the bytes are exactly the catalog's record (sizes,
    /// container SHA-256, payload SHA-256, a valid IDX). Callers must not publish what they wrote
    /// until this returns.
    public func stream(
        _ role: FileRole, container: ((UnsafeRawBufferPointer) throws -> Void)? = nil,
        payload: ((UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws {
        let record = file(role)
        let url = url(role)
        let verifier = StreamingVerifier(payloadLimit: record.payloadSize, classCount: manifest.classes.count)
        var sinkError: Error?
        if let payload {
            verifier.onPayload = { chunk in
                guard sinkError == nil else { return }
                do { try payload(chunk) } catch { sinkError = error }
            }
        }
        do {
            try FileVerifier.stream(url: url) { chunk in
                do {
                    try verifier.feed(chunk)
                    try container?(chunk)
                } catch {
                    if sinkError == nil, !(error is IntegrityFault) { sinkError = error }
                    return false
                }
                return sinkError == nil
            }
        } catch let error as FileAccessError {
            throw ExportError.sourceMismatch(path: url.path, problem: error.problem)
        }
        let m = verifier.finish()
        verifier.onPayload = nil
        if let sinkError { throw sinkError }
        if let fault = m.fault { throw ExportError.sourceMismatch(path: url.path, problem: fault.description) }
        if m.containerSHA256 != record.containerSHA256 || m.containerSize != record.containerSize {
            throw ExportError.sourceMismatch(
                path: url.path, problem: "the file is not the \(record.role.rawValue) of version \(version.shortID) that the catalog records")
        }
        if m.payloadSHA256 != record.payloadSHA256 || m.payloadSize != record.payloadSize {
            throw ExportError.sourceMismatch(path: url.path, problem: "its payload differs from the catalog's record")
        }
    }

    /// A role's IDX elements (after the header), verified as ``stream(_:container:payload:)`` does,
    /// or, when the payload store's copy was proven under the lock (``proven``), read from it as it is.
    public func load(_ role: FileRole) throws -> [UInt8] {
        let record = file(role)
        if let proven, proven.payloads[role] != nil {
            return try proven.payloadElements(role, recorded: record)
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(ByteSpan.reservation(record.payloadSize))
        try stream(role, payload: { chunk in payload.append(contentsOf: chunk) })
        let header = 4 + 4 * record.idx.dims.count
        guard payload.count >= header else {
            throw ExportError.sourceMismatch(path: record.name, problem: "its payload ends inside the IDX header (\(payload.count) bytes)")
        }
        return Array(payload[header...])
    }

    /// One split in memory: images (n×rows×columns) and labels, verified.
    public func loadSplit(train: Bool) throws -> LoadedSplit {
        try loadSplits(train ? [true] : [false], threads: 1)[0]
    }

    /// Both splits in memory (train, then test), their four files read and verified on up to
    /// `threads` threads, largest first. A failure is the one a one-thread read meets first
    /// (train images, train labels, their pairing, then test).
    ///
    /// ```swift
    /// let splits = try source.loadSplits(threads: 2)   // [train, test]
    /// ```
    public func loadSplits(_ trains: [Bool] = [true, false], threads: Int) throws -> [LoadedSplit] {
        let roles = trains.flatMap { train -> [FileRole] in train ? [.trainImages, .trainLabels] : [.testImages, .testLabels] }
        let source = self
        let loaded = roles.parallelMap(threads: threads, cost: { source.file($0).payloadSize }) { role in
            Result<[UInt8], Error> { try source.load(role) }
        }
        return try trains.enumerated().map { position, train in
            let (imagesRole, labelsRole) = (roles[2 * position], roles[2 * position + 1])
            let dims = file(imagesRole).idx.dims
            guard dims.count == 3 else {
                throw ExportError.sourceMismatch(path: url(imagesRole).path, problem: "expected a 3-dimensional image file, found \(dims)")
            }
            let split = LoadedSplit(
                name: train ? "train" : "test", images: try loaded[2 * position].get(), labels: try loaded[2 * position + 1].get(),
                rows: dims[1], columns: dims[2])
            guard split.labels.count == dims[0] else {
                throw ExportError.sourceMismatch(path: url(labelsRole).path, problem: "labels and images do not pair up")
            }
            return split
        }
    }
}

/// One split of a dataset in memory.
public struct LoadedSplit: Sendable {
    /// "train" or "test".
    public let name: String
    /// Row-major pixels, image after image.
    public let images: [UInt8]
    public let labels: [UInt8]
    public let rows: Int
    public let columns: Int
    public var count: Int { labels.count }
    public var pixelsPerImage: Int { rows * columns }
}
