import Foundation

/// `fmnist doctor`'s turns in placing a file: a loader's own folder names first, then any folder.
/// In each turn the layouts (``DoctorFormat``) are asked in the registry's order.
///
/// ```swift
/// DoctorTurn.allCases   // [.loaderFolder, .anyFolder]
/// ```
package enum DoctorTurn: Sendable, CaseIterable {
    /// A loader's own folder names: torchvision's `<Class>/raw`, keras's `datasets/<name>`,
    /// swift-models' `<Class>`, a TFDS manual dir or download cache.
    case loaderFolder
    /// Any folder: one named after its dataset (the seed loader), else TF1's `read_data_sets`.
    case anyFolder
}

/// One layout's side of `fmnist doctor`: which loader reads a file with a published name in a
/// folder, and the dataset that folder says. Each loader layout's type in `Layouts/` that a
/// loader reads conforms (``LoaderFormat``); ``LoaderLayout/place(folder:name:registry:formats:stems:)``
/// asks them turn by turn (``DoctorTurn``).
///
/// ```swift
/// let formats: [any DoctorFormat] = [TorchvisionFormat(), GzipFolderFormat()]
/// LoaderLayout.place(folder: ["r", "FashionMNIST", "raw"], name: "train-images-idx3-ubyte",
///                    registry: registry, formats: formats)   // torchvision, uncompressed, fashion
/// ```
package protocol DoctorFormat: Sendable {
    /// The loader that reads a file with a published name in `folder` (its path components,
    /// outermost first) in `turn`, and the dataset the folder says (nil when it does not say);
    /// nil when the folder is not this layout's or the turn is not its.
    func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)?

    /// Something else in this layout's place that doctor reports, found before any file is read:
    /// the entry `name` of the folder `folder` (its path components, outermost first), a directory
    /// when `isDirectory` (keras's pinned npz, torchvision's stale `processed/` cache); nil for
    /// anything else (the default).
    func doctorFinding(folder: [String], name: String, isDirectory: Bool, registry: ManifestRegistry) -> DoctorCandidate.Kind?
}

extension DoctorFormat {
    package func doctorFinding(folder: [String], name: String, isDirectory: Bool, registry: ManifestRegistry) -> DoctorCandidate.Kind? {
        nil
    }
}

extension LoaderLayout {
    /// Where a file named `name` in the folder `folder` (its path components, outermost first) is
    /// read from, or nil when the name is not one of the published file names (or no layout of
    /// `formats` places it).
    package static func place(
        folder: [String], name: String, registry: ManifestRegistry, formats: [any DoctorFormat],
        stems: [(stem: String, role: FileRole)]? = nil
    ) -> LoaderPlace? {
        placeAndTurn(folder: folder, name: name, registry: registry, formats: formats, stems: stems)?.place
    }

    /// ``place(folder:name:registry:formats:stems:)``, and the turn it was found in: a place found
    /// among a loader's own folders names its dataset for certain; one found in any folder only
    /// by the folder's name.
    package static func placeAndTurn(
        folder: [String], name: String, registry: ManifestRegistry, formats: [any DoctorFormat],
        stems: [(stem: String, role: FileRole)]? = nil
    ) -> (place: LoaderPlace, turn: DoctorTurn)? {
        guard let role = role(fromName: name, stems: stems ?? self.stems(registry)) else { return nil }
        let form: FileForm = name.lowercased().hasSuffix(".gz") ? .gzip : .uncompressed
        for turn in DoctorTurn.allCases {
            for format in formats {
                if let (loader, dataset) = format.doctorLoader(folder: folder, name: name, turn: turn, registry: registry) {
                    return (LoaderPlace(loader: loader, form: form, role: role, dataset: dataset), turn)
                }
            }
        }
        return nil
    }

    /// The first dataset whose folder (`folderOf`, relative components) `folder` ends with.
    package static func manifest(whoseFolder folderOf: (Manifest) -> [String], endsAt folder: [String], registry: ManifestRegistry) -> Manifest? {
        registry.manifests.first { folderOf($0) == Array(folder.suffix(folderOf($0).count)) }
    }
}
