import Foundation

/// The library side of `fmnist preview`: load the test split of a dataset folder, draw a sprite, write a PNG.
public struct PreviewService: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// What `preview` wrote.
    public struct Result: Sendable, Codable {
        public let dataset: String
        public let title: String
        public let source: String
        public let output: String
        public let width: Int
        public let height: Int
        public let perClass: Int
        public let rowsPerClass: Int
        public let legend: Bool
        public let classes: [String]
    }

    /// Draws `rowsPerClass` rows of `perClass` test images for each class of `dataset`
    /// (`fashion`, `mnist` or `current`) into the PNG file `output`, with the class names in a
    /// legend column when `legend` is set. The output path is checked first: never inside the
    /// workspace's own folders (``WorkspaceBoundary/checkOutput(_:option:registry:followFinalSymlink:)``),
    /// then ``OutputPathProblem``.
    /// The two files are proven while read (``VersionFiles/load(_:purpose:index:)``): a file that
    /// is not the live version's recorded one, or not a known file of this dataset, is refused
    /// (exit 3) and nothing is drawn.
    public func run(dataset: String, output: URL, perClass: Int, rowsPerClass: Int = 1, legend: Bool = false) throws -> Result {
        guard (1...100).contains(perClass) else {
            throw UsageError("--per-class must be between 1 and 100, not \(perClass)")
        }
        try checkOutput(output)
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        // The proven read smoke-train uses: each file verified while decompressed, against the
        // catalog's record of the live version (or, for a folder it does not know, the manifests).
        let source = try VersionFiles.resolve(
            dataset: dataset, version: nil, roles: [.testImages, .testLabels], layout: layout, registry: registry)
        let manifest = source.manifest
        let directory = layout.liveDirectory(dataset: manifest.name)
        let loaded = try source.load([.testImages, .testLabels], purpose: "draw", index: KnownFileIndex(registry: registry))
        let images = loaded[.testImages]!
        let labels = loaded[.testLabels]!
        guard images.dims.count == 3, labels.dims.count == 1, images.dims[0] == labels.dims[0] else {
            throw IDXLoader.LoadError(path: directory.path, problem: "images \(images.dims) and labels \(labels.dims) do not pair up")
        }
        let sprite = SpriteRenderer().render(
            images: images.elements, labels: labels.elements, rows: images.dims[1], columns: images.dims[2],
            classes: manifest.classes.count, perClass: perClass, rowsPerClass: rowsPerClass,
            legend: legend ? manifest.classes : nil)
        try write(sprite, to: output)
        return Result(dataset: manifest.name, title: manifest.title, source: directory.path, output: output.path,
                      width: sprite.width, height: sprite.height, perClass: perClass, rowsPerClass: rowsPerClass,
                      legend: legend, classes: manifest.classes)
    }
}

extension PreviewService {
    /// What `preview --from-audit` wrote.
    public struct AuditSpriteResult: Sendable, Codable {
        public let dataset: String
        public let versionId: String
        public let output: String
        public let width: Int
        public let height: Int
        /// Images drawn per band: `train` and `test` suspects, `pairs` (two images each).
        public let trainImages: Int
        public let testImages: Int
        public let pairs: Int
    }

    /// Draws the images an `fmnist audit --json` report lists (``AuditSelection``) from the version
    /// it audited: its training and test suspects captioned "given/suggested", and its first
    /// `maxPairs` near-duplicate pairs side by side captioned with their labels, `perRow` images
    /// to a row. The version is the live one of the report's dataset when its id matches, else
    /// the stored version with the report's id; the files are proven while read.
    public func runFromAudit(report path: String, output: URL, perRow: Int, maxPairs: Int = 20) throws -> AuditSpriteResult {
        try checkOutput(output)
        let selection = try AuditSelection.read(path)
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        var source = try VersionFiles.resolve(dataset: selection.dataset, version: nil, layout: layout, registry: registry)
        var loaded = try source.load(FileRole.allCases, purpose: "draw", index: KnownFileIndex(registry: registry))
        if VersionIdentity(payloadDigests: loaded.mapValues { $0.measurement.payloadSHA256 }).full != selection.versionId {
            source = try VersionFiles.resolve(dataset: selection.dataset, version: selection.versionId, layout: layout, registry: registry)
            loaded = try source.load(FileRole.allCases, purpose: "draw", index: KnownFileIndex(registry: registry))
        }
        let images: [AuditSplit: LoadedIDX] = [.train: loaded[.trainImages]!, .test: loaded[.testImages]!]
        func cell(_ split: AuditSplit, _ index: Int, _ caption: String) throws -> SuspectSprite.Cell {
            let file = images[split]!
            guard file.dims.count == 3, file.dims[1] == 28, file.dims[2] == 28, index >= 0, index < file.dims[0] else {
                throw UsageError("--from-audit \(path) lists \(split.rawValue) image \(index), which \(source.description) does not have",
                                 hint: "draw the report with the workspace that ran the audit")
            }
            return SuspectSprite.Cell(pixels: Array(file.elements[(index * 784)..<((index + 1) * 784)]), caption: caption)
        }
        var bands: [SuspectSprite.Band] = []
        var counts: [AuditSplit: Int] = [:]
        for split in AuditSplit.allCases {
            let cells = try selection.labelIssues.filter { $0.split == split }
                .map { try cell(split, $0.index, "\($0.givenLabel)/\($0.suggestedLabel)") }
            counts[split] = cells.count
            bands.append(SuspectSprite.Band(name: split.rawValue.uppercased(), cells: cells))
        }
        let pairs = selection.nearDuplicates.prefix(maxPairs)
        let pairCells = try pairs.flatMap { pair in
            [try cell(pair.a.split, pair.a.index, "\(pair.a.label)"), try cell(pair.b.split, pair.b.index, "\(pair.b.label)")]
        }
        bands.append(SuspectSprite.Band(name: "PAIRS", cells: pairCells))
        guard bands.contains(where: { !$0.cells.isEmpty }) else {
            throw UsageError("--from-audit \(path) lists no images", hint: "run `fmnist audit` with --top 1 or more")
        }
        let sprite = SuspectSprite(perRow: perRow % 2 == 0 || pairCells.isEmpty ? perRow : perRow + 1).render(bands: bands)
        try write(sprite, to: output)
        return AuditSpriteResult(
            dataset: source.manifest.name, versionId: selection.versionId, output: output.path, width: sprite.width, height: sprite.height,
            trainImages: counts[.train] ?? 0, testImages: counts[.test] ?? 0, pairs: pairs.count)
    }

    /// The checks every output PNG path gets before any work: never inside the workspace's own
    /// folders, an existing folder, a `.png` name.
    func checkOutput(_ output: URL) throws {
        try WorkspaceBoundary(layout: layout).checkOutput(output.path, option: "--out", registry: registry)
        try WorkspaceBoundary.checkFolder(of: output.path, option: "--out", createsMissing: false)
        if let problem = OutputPathProblem.check(output) { throw problem }
    }

    /// Encodes and writes the PNG (a temporary file renamed into place).
    func write(_ sprite: (width: Int, height: Int, pixels: [UInt8]), to output: URL) throws {
        let png = PNGWriter.grayscale(width: sprite.width, height: sprite.height, pixels: sprite.pixels)
        do {
            try Data(png).write(to: output, options: .atomic)
        } catch {
            throw OutputPathProblem.writeFailed(path: output.path, reason: OutputPathProblem.reason(error))
        }
    }
}

/// What is wrong with an output file path (`preview --out`): a usage problem (exit 2), found
/// before any work is done, never the workspace's fault.
public enum OutputPathProblem: FMNISTError, Equatable {
    /// The path names an existing folder.
    case isDirectory(path: String)
    /// The folder the file would go in does not exist (or is not a folder).
    case missingFolder(path: String, folder: String)
    /// The name ends in another image format's extension: only PNG is written.
    case notPNG(path: String, suggested: String)
    /// The file could not be written (permission denied, read-only file system, disk full …).
    case writeFailed(path: String, reason: String)

    /// The problem with writing a PNG at `url`, or nil when it can be tried.
    public static func check(_ url: URL) -> OutputPathProblem? {
        let path = url.path
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return .isDirectory(path: path) }
        let folder = url.deletingLastPathComponent().path
        if stat(folder, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR { return .missingFolder(path: path, folder: folder) }
        let ext = url.pathExtension.lowercased()
        if ext != "png" {
            let stem = ext.isEmpty ? url.lastPathComponent : url.deletingPathExtension().lastPathComponent
            return .notPNG(path: path, suggested: stem + ".png")
        }
        if access(folder, W_OK) != 0 { return .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        return nil
    }

    /// The operating system's reason behind a failed write, without Foundation's error domain text.
    static func reason(_ error: Error) -> String {
        ErrorReason.describe(error)
    }

    public var exitStatus: ExitStatus { .usage }

    public var description: String {
        switch self {
        case .isDirectory(let path): return "--out \(path) is a folder; give the PNG file to write"
        case .missingFolder(let path, let folder): return "--out \(path): the folder \(folder) does not exist"
        case .notPNG(let path, _): return "--out \(path): fmnist writes PNG images only"
        case .writeFailed(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .isDirectory(let path): return "e.g. --out \((path as NSString).appendingPathComponent("preview.png"))"
        case .missingFolder(_, let folder): return "create it first (mkdir -p \(folder)), or write somewhere else"
        case .notPNG(_, let suggested): return "name the file with .png, e.g. --out \(suggested)"
        case .writeFailed: return "write the PNG somewhere writable (check the folder's permissions and free space)"
        }
    }
}
