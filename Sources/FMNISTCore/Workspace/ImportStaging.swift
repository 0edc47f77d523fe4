import Foundation

/// Turns an ``ImportSource`` into the four published-name `.gz` files in a staging folder of
/// `.fmnist/tmp/`: `.gz` sources are copied byte for byte (their containers are provenance),
/// uncompressed payloads and CSV rows are gzipped with ``Deflater/gzip(_:level:runLengthOnly:blockSize:threads:)``
/// at ``stagedLevel`` in 1 MiB pieces on every core (so verify reports them as "same data, different container"). Every source is read as a regular file within the bound
/// ``ImportSource/bounds(_:registry:)`` gives; nothing outside `staging` is written.
enum ImportStaging {
    static func stage(
        _ source: ImportSource, manifest: Manifest, registry: ManifestRegistry, into staging: URL, progress: (String) -> Void
    ) throws {
        let names = Dictionary(uniqueKeysWithValues: FileRole.allCases.map { ($0, manifest.defaultVersion.file($0).name) })
        switch source.parts {
        case .files(let files):
            let copies = FileRole.allCases.filter { files[$0]!.compressed }
            let payloads = FileRole.allCases.filter { !files[$0]!.compressed }
            if !copies.isEmpty { progress("copying \(copies.count) files from \(source.readFrom.path)") }
            for role in copies {
                try VersionStore.copyFile(from: files[role]!.url.path, to: staging.appendingPathComponent(names[role]!).path)
            }
            if !payloads.isEmpty { progress("compressing \(payloads.count) uncompressed payloads from \(source.readFrom.path)") }
            let jobs = payloads.map { role in
                (url: files[role]!.url, limit: ImportSource.maxPayloadSize(manifest, role), to: staging.appendingPathComponent(names[role]!))
            }
            let failures = jobs.parallelMap(threads: 2, cost: { $0.limit }) { job -> String? in
                do {
                    let bytes = try RegularFile.read(job.url.path, limit: Int(clamping: job.limit), exitStatus: .integrity)
                    try stageCompressed([UInt8](bytes), as: job.to)
                    return nil
                } catch {
                    return "\(job.url.lastPathComponent): \(error)"
                }
            }.compactMap { $0 }
            if !failures.isEmpty {
                throw ImportError(reason: .integrity, directory: source.readFrom.path, dataset: manifest.title, problems: failures)
            }
        case .csv(let train, let test):
            progress("reading \(train.lastPathComponent) and \(test.lastPathComponent)")
            let limits = CSVLimits(registry: registry)
            let splits = [train, test].parallelMap(threads: 2) { url -> Result<CSVSplit, CSVReadFailure> in
                do { return .success(try KaggleCSVFile.read(url, limits: limits)) } catch {
                    return .failure(CSVReadFailure(line: "\(url.lastPathComponent): \(Self.reason(error, path: url.path))"))
                }
            }
            let problems = splits.compactMap { if case .failure(let f) = $0 { return f.line } else { return nil } }
            if !problems.isEmpty {
                throw ImportError(reason: .integrity, directory: source.readFrom.path, dataset: manifest.title, problems: problems)
            }
            progress("rebuilding the IDX files and compressing them")
            var jobs: [(bytes: [UInt8], to: URL)] = []
            for (result, roles) in zip(splits, [(FileRole.trainImages, FileRole.trainLabels), (.testImages, .testLabels)]) {
                guard case .success(let split) = result else { continue }
                jobs.append((split.imagesPayload, staging.appendingPathComponent(names[roles.0]!)))
                jobs.append((split.labelsPayload, staging.appendingPathComponent(names[roles.1]!)))
            }
            try compressAll(jobs, in: staging)
        case .npz(let url):
            try NPZStaging.stage(url, manifest: manifest, names: names, into: staging)
        case .splits(let train, let test, let form):
            progress("reading \(form == .pngFolders ? "the PNG files" : "the Parquet files") in \(source.readFrom.path)")
            let limits = ExportReadLimits(registry: registry)
            var problems: [String] = []
            var jobs: [(bytes: [UInt8], to: URL)] = []
            for (url, roles) in [(train, (FileRole.trainImages, FileRole.trainLabels)), (test, (.testImages, .testLabels))] {
                do {
                    let split = form == .pngFolders ? try PNGSplitFolder.read(url, limits: limits) : try ParquetSplitFile.read(url, limits: limits)
                    jobs.append((split.imagesPayload, staging.appendingPathComponent(names[roles.0]!)))
                    jobs.append((split.labelsPayload, staging.appendingPathComponent(names[roles.1]!)))
                } catch let fault as ExportReadFault {
                    problems.append("\(url.lastPathComponent): \(fault.at.isEmpty ? "" : fault.at + ": ")\(fault.problem)")
                } catch {
                    problems.append("\(url.lastPathComponent): \(Self.reason(error, path: url.path))")
                }
            }
            if !problems.isEmpty {
                throw ImportError(reason: .integrity, directory: source.readFrom.path, dataset: manifest.title, problems: problems)
            }
            progress("rebuilding the IDX files and compressing them")
            try compressAll(jobs, in: staging)
        }
    }

    /// The deflate level of the containers an import makes: zlib's fastest, with its run-length
    /// strategy (`Z_RLE`). They are fmnist's own (a version's identity is its payloads). Level 6
    /// took twice the time of level 1 for 3% less, and at level 1 `Z_RLE` takes half the time of
    /// the default strategy and is smaller still on these images: Fashion's train images are
    /// 27.3 MB at level 1 (0.67 s on one core), 26.4 MB at level 6 (1.37 s) and 26.5 MB at level 1
    /// with `Z_RLE` (0.32 s).
    static let stagedLevel: Int32 = 1

    /// Where a staged `.gz` keeps the payload it was made from: `<staging>/payloads/<name without .gz>`.
    /// The installer proves it against the verified `.gz`'s recorded payload and moves it into the
    /// payload store instead of inflating the `.gz` again (``PayloadStore``).
    static func stagedPayload(of name: String, in staging: URL) -> URL {
        staging.appendingPathComponent("payloads").appendingPathComponent(PayloadStore.payloadName(name))
    }

    /// Writes `payload` gzipped at `gz` (pieces on every core, ``Deflater/gzip(_:level:runLengthOnly:blockSize:threads:)``)
    /// and as it is beside, at ``stagedPayload(of:in:)``.
    static func stageCompressed(_ payload: [UInt8], as gz: URL) throws {
        let folder = gz.deletingLastPathComponent()
        let kept = stagedPayload(of: gz.lastPathComponent, in: folder)
        let keptFolder = kept.deletingLastPathComponent().path
        if mkdir(keptFolder, 0o700) != 0 && errno != EEXIST { throw WorkspaceError.posix("create", keptFolder) }
        // Made here or by the other job, never followed when something else stands there.
        try WorkspaceBoundary.requireRealDirectory(keptFolder)
        try write(Deflater.gzip(payload, level: stagedLevel, runLengthOnly: true, threads: WorkLoop.defaultThreads), to: gz)
        try write(payload, to: kept)
    }

    /// Gzips each payload into its staging file (``stageCompressed(_:as:)``), two files at a time.
    static func compressAll(_ jobs: [(bytes: [UInt8], to: URL)], in staging: URL) throws {
        let failures = jobs.parallelMap(threads: 2, cost: { Int64($0.bytes.count) }) { job -> String? in
            do {
                try stageCompressed(job.bytes, as: job.to)
                return nil
            } catch {
                return "\(error)"
            }
        }.compactMap { $0 }
        if let failure = failures.first { throw WorkspaceError.fileSystem(operation: "write", path: staging.path, detail: failure) }
    }

    /// Problems of a source whose `.gz` sits beside the uncompressed payload torchvision reads:
    /// the two must hold the same data ("name: why"); empty when they do or there is none.
    static func companionProblems(_ source: ImportSource, staged: [FileReport], manifest: Manifest) -> [String] {
        guard case .files(let files) = source.parts else { return [] }
        var problems: [String] = []
        for report in staged {
            guard let companion = files[report.role]?.companion, let staged = report.measurement else { continue }
            let measured = try? FileVerifier.measure(
                url: companion, payloadLimit: ImportSource.maxPayloadSize(manifest, report.role), classCount: manifest.classes.count,
                compressed: false)
            if measured?.fault != nil || measured?.payloadSHA256 != staged.payloadSHA256 {
                problems.append(
                    "\(companion.lastPathComponent): differs from \(report.name) beside it, and torchvision reads this one; "
                        + "fix or remove one of them (`fmnist verify FILE` names what each is)")
            }
        }
        return problems
    }

    static func reason(_ error: Error, path: String) -> String {
        if let fault = error as? CSVFault { return fault.location.isEmpty ? fault.problem : "\(fault.location): \(fault.problem)" }
        if let access = error as? FileAccessError { return access.problem }
        return "\(error)"
    }

    /// Writes a new file in the staging folder (never over an existing name, never through a link).
    static func write(_ bytes: [UInt8], to url: URL) throws {
        try DescriptorIO.withNewFile(at: url.path, orThrow: { WorkspaceError.posix("create", url.path) }) { fd in
            if let failure = bytes.withUnsafeBytes({ DescriptorIO.writeAll(fd, $0) }) {
                throw WorkspaceError.posix("write", url.path, errno: failure)
            }
        }
    }
}

/// A CSV that could not be read, as one line of the refusal.
struct CSVReadFailure: Error {
    let line: String
}

/// `fmnist import` of an `.npz` (keras's `mnist.npz`, fmnist's `export npz`, a `np.savez` of the
/// arrays): each of the four arrays (`x_train y_train x_test y_test`, or the names the manifest's
/// artifact maps to roles) is read once by ``NPZReader`` within the manifest's payload bound, made
/// into its IDX payload and gzipped into `staging/<names[role]>`; the verify → refuse → install
/// pipeline then judges them like any other staged `.gz` ("same data, different container").
enum NPZStaging {
    /// The array that holds each role: the manifest's artifact mapping, else numpy's usual names.
    static func arrayNames(_ manifest: Manifest) -> [FileRole: String] {
        if let artifact = manifest.versions.lazy.compactMap({ $0.artifacts?.first }).first {
            return Dictionary(uniqueKeysWithValues: artifact.orderedArrays.map { ($0.role, $0.name) })
        }
        return [.trainImages: "x_train", .trainLabels: "y_train", .testImages: "x_test", .testLabels: "y_test"]
    }

    static func stage(_ url: URL, manifest: Manifest, names: [FileRole: String], into staging: URL) throws {
        let arrays = arrayNames(manifest)
        let largest = FileRole.allCases.map { ImportSource.maxPayloadSize(manifest, $0) }.max() ?? 0
        let payloads: [String: [UInt8]]
        do {
            payloads = try NPZReader.idxPayloads(FileRole.allCases.compactMap { arrays[$0] }, url: url, limits: NPZReader.limits(largestPayload: largest))
        } catch let fault as NPZFault {
            throw ImportError(reason: .integrity, directory: url.path, dataset: manifest.title, problems: ["\(url.lastPathComponent): \(fault.description)"])
        } catch let error as FileAccessError {
            throw ImportError(reason: .integrity, directory: url.path, dataset: manifest.title, problems: ["\(url.lastPathComponent): \(error.problem)"])
        }
        for role in FileRole.allCases {
            guard let array = arrays[role], let payload = payloads[array], let name = names[role] else { continue }
            try ImportStaging.stageCompressed(payload, as: staging.appendingPathComponent(name))
        }
    }
}
