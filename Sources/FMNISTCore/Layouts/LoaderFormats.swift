import Foundation

/// The one list of loader layouts (``LoaderFormat``): `export` looks a layout up here, `import`
/// tries them in order, `verify PATH` and `doctor` ask them turn by turn (``VerifyTurn``,
/// ``DoctorTurn``), and `switch --link` (with `status`, `remove`, and the link checks of
/// `verify` and `doctor`) asks them for a link's symlinks. Adding a layout is one file in
/// `Layouts/` and one line here: its names in `--json` (``ExportLayout``, ``ImportLayout``,
/// ``LinkLayout``, a doctor-only ``Loader``) are its own `name` unless the file says otherwise.
///
/// ```swift
/// let format = try LoaderFormats.exportFormat(named: "kaggle")   // KaggleCSVFormat
/// format.exportLayout                                            // .csv
/// ```
package enum LoaderFormats {
    /// Every layout, once. Import tries them in this order (a folder of the four files before the
    /// loaders' caches, Kaggle CSVs before an export's `.npz`, PNG and Parquet); so does verify
    /// within each of its turns (a folder of payloads before a torchvision root, keras before TFDS),
    /// and doctor (torchvision, keras, swift-models, a TFDS manual dir, TFDS's downloads).
    package static let all: [any LoaderFormat] = [
        GzipFolderFormat(),
        IDXFolderFormat(),
        TorchvisionFormat(),
        KerasFormat(),
        SwiftModelsFormat(),
        TFDSManualFormat(),
        TFDSDownloadsFormat(),
        KaggleCSVFormat(),
        NPZFormat(),
        PNGFolderFormat(),
        HFParquetFormat(),
    ]

    /// The layouts `fmnist export` writes, in the list's order.
    package static var exportFormats: [any ExportFormat] {
        all.compactMap { $0 as? any ExportFormat }
    }

    /// The layouts `fmnist import` recognises, in the order it tries them.
    package static var importFormats: [any ImportFormat] {
        all.compactMap { $0 as? any ImportFormat }
    }

    /// The layouts `fmnist verify PATH` recognises, in the order it asks them within a turn.
    package static var verifyFormats: [any VerifyFormat] {
        all.compactMap { $0 as? any VerifyFormat }
    }

    /// The layouts `fmnist doctor` places a file in, in the order it asks them within a turn.
    package static var doctorFormats: [any DoctorFormat] {
        all.compactMap { $0 as? any DoctorFormat }
    }

    /// The symlinks of every link layout (``LinkFormat``): seed, torchvision, keras.
    package static var linkPlacements: LinkPlacements {
        LinkPlacements(all.compactMap { $0 as? any LinkFormat })
    }

    /// The layout that writes `layout`; a name no layout of this build writes is refused.
    package static func exportFormat(_ layout: ExportLayout) throws(ExportError) -> any ExportFormat {
        guard let format = exportFormats.first(where: { $0.exportLayout == layout }) else {
            throw ExportError.unknownLayout(layout.rawValue, known: exportFormats.map(\.exportLayout))
        }
        return format
    }

    /// The exportable layout named `name` or one of its aliases, case-insensitive.
    package static func exportFormat(named name: String) throws -> any ExportFormat {
        let lowered = name.lowercased()
        for format in all where format.name == lowered || format.aliases.contains(lowered) {
            if let export = format as? any ExportFormat { return export }
        }
        throw ExportError.unknownLayout(name, known: exportFormats.map(\.exportLayout))
    }
}

extension ExportLayout {
    /// Parses a layout name (case-insensitive; each layout's aliases too: `huggingface`, `kaggle`).
    public init(parsing name: String) throws {
        self = try LoaderFormats.exportFormat(named: name).exportLayout
    }
}

extension ExportService {
    /// Exports `dataset` (`fashion`, `mnist`, `current`, `all`, or nil: every dataset present) in
    /// `exportLayout`, written by its layout's type (``LoaderFormats``).
    public func run(layout exportLayout: ExportLayout, destination: URL, dataset: String? = nil, force: Bool = false)
        throws -> ExportResult
    {
        try run(format: LoaderFormats.exportFormat(exportLayout), destination: destination, dataset: dataset, force: force)
    }
}

extension ExportProvenance {
    /// Where a dataset's provenance file is, relative to DEST, in `layout` (one this build writes).
    public static func location(layout: ExportLayout, manifest: Manifest) throws(ExportError) -> [String] {
        location(format: try LoaderFormats.exportFormat(layout), manifest: manifest)
    }

    /// Every provenance file at the places an export into `dest` writes one (every layout, every
    /// dataset of `registry`), in layout order. A file there that cannot be read is thrown.
    public static func findAll(in dest: URL, registry: ManifestRegistry) throws -> [Found] {
        try findAll(in: dest, registry: registry, formats: LoaderFormats.exportFormats)
    }
}

extension DatasetImporter: WorkspaceService {
    /// An importer that recognises every layout of ``LoaderFormats``.
    public init(context: WorkspaceContext) {
        self.init(context: context, formats: LoaderFormats.importFormats)
    }
}

extension VerifyService: WorkspaceService {
    /// A verifier that recognises a PATH as every layout of ``LoaderFormats``.
    public init(context: WorkspaceContext) {
        self.init(context: context, formats: LoaderFormats.verifyFormats)
    }
}

extension VerifyTarget {
    /// Resolves `fashion|mnist|all|PATH`, a PATH as any layout of ``LoaderFormats`` reads it.
    public static func resolve(
        _ argument: String, layout: WorkspaceLayout, registry: ManifestRegistry, expected: String? = nil, named: String? = nil
    ) throws -> VerifyTarget {
        try resolve(argument, layout: layout, registry: registry, formats: LoaderFormats.verifyFormats, expected: expected, named: named)
    }
}

extension LinkLayout {
    /// Parses a `--layout` value (case-insensitive) among the layouts that keep links; anything
    /// else is a usage error naming them.
    public init(parsing text: String) throws {
        let layouts = LoaderFormats.linkPlacements.layouts
        guard let layout = layouts.first(where: { $0.rawValue == text.lowercased() }) else {
            throw UsageError(
                "\"\(text)\" is not a link layout (\(layouts.map(\.rawValue).joined(separator: ", ")))",
                hint: "e.g. fmnist switch fashion --link ~/tv-root --layout torchvision")
        }
        self = layout
    }

    /// The symlinks this layout keeps for the registered path `root` (absolute, standardized),
    /// as its layout type places them; one per path, the first in registry order kept.
    public func placements(root: String, registry: ManifestRegistry) -> [Placement] {
        LoaderFormats.linkPlacements.placements(self, root: root, registry: registry)
    }
}

extension WorkspaceContext {
    /// The context of the workspace at `layout`, whose services keep every link layout's
    /// symlinks (``LoaderFormats``).
    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.init(layout: layout, registry: registry, linkPlacements: LoaderFormats.linkPlacements)
    }
}

extension WorkspaceService {
    /// The service over the workspace at `layout`, e.g. `GarbageCollector(layout: layout, registry: registry)`.
    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.init(context: WorkspaceContext(layout: layout, registry: registry))
    }
}

extension DoctorService {
    /// The doctor of the workspace at `layout`, placing files as every layout of ``LoaderFormats``
    /// does and checking every link layout's symlinks.
    public init(layout: WorkspaceLayout, registry: ManifestRegistry, defaultLocations: [URL] = DoctorLocations.defaults()) {
        self.init(
            layout: layout, registry: registry, defaultLocations: defaultLocations, linkPlacements: LoaderFormats.linkPlacements,
            formats: LoaderFormats.doctorFormats)
    }
}

extension DoctorScanner {
    /// A scanner that places files as every layout of ``LoaderFormats`` does.
    public convenience init(registry: ManifestRegistry) {
        self.init(registry: registry, formats: LoaderFormats.doctorFormats)
    }
}

extension LoaderLayout {
    /// Where a file named `name` in the folder `folder` (its path components, outermost first) is
    /// read from, as the layouts of ``LoaderFormats`` place it; nil when the name is not one of the
    /// published file names.
    public static func place(
        folder: [String], name: String, registry: ManifestRegistry, stems: [(stem: String, role: FileRole)]? = nil
    ) -> LoaderPlace? {
        place(folder: folder, name: name, registry: registry, formats: LoaderFormats.doctorFormats, stems: stems)
    }
}
