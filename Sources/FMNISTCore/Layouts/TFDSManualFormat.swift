import Foundation

/// A TFDS manual dir: `MANUAL/fashion_mnist/*.gz`, `MANUAL/mnist/*.gz` (the builder's name added,
/// `--add_name_to_manual_dir`), which `tfds build` reads and checks against the published digests.
///
/// ```swift
/// let format = TFDSManualFormat()
/// format.exportLayout   // .tfds: `fmnist export tfds DEST`
/// ```
package struct TFDSManualFormat: LoaderFormat, ExportFormat, ImportFormat, VerifyFormat, DoctorFormat {
    package init() {}
    package var name: String { "tfds" }
    package var importPhrase: String { "a TFDS manual dir" }

    package var writer: any DatasetExporter {
        GzipCopyExporter(folder: LoaderLayout.tfdsManualFolder) { target, source in
            let name = source.manifest.frameworkNames.tfds
            target.tally.notes.append(
                "TFDS keeps extracted manual files by name alone in <data_dir>/downloads/extracted: build \(name) "
                    + "with a data_dir (or --download_dir) of its own, or a later mnist/fashion_mnist build reuses these files")
            target.tally.usage = [
                "tfds build \(name) --manual_dir=\(target.destination) --add_name_to_manual_dir",
                "tfds.load(\"\(name)\", download_and_prepare_kwargs={\"download_config\": "
                    + "tfds.download.DownloadConfig(manual_dir=\"\(target.directory.path)\")})",
            ]
        }
    }

    package var importLayout: ImportLayout { .tfdsManual }
    /// A TFDS manual dir (``LoaderCache``): the dataset's folder of `.gz`.
    package func importSource(folder url: URL, manifest: Manifest, registry: ManifestRegistry) -> ImportSource? {
        guard let cache = LoaderCache.find(url, registry: registry), cache.loader == .tfdsManual,
            let place = cache.folders.first(where: { $0.dataset == manifest.name })
        else { return nil }
        return ImportSource.files(.tfdsManual, given: url, in: place.url, manifest: manifest)
    }

    /// A TFDS manual dir (``LoaderCache``): each dataset folder in it verified.
    package func verifyTarget(_ url: URL, turn: VerifyTurn, registry: ManifestRegistry) -> VerifyTarget? {
        guard turn == .loaderCache else { return nil }
        return LoaderCache.tfdsManual(url, registry: registry).map { .loaderCache($0) }
    }

    /// A file in `downloads/manual/` itself (no dataset said), or in a dataset's TFDS folder
    /// inside `manual/` (or anywhere, when that name is TFDS's alone: `fashion_mnist`).
    package func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)? {
        guard turn == .loaderFolder else { return nil }
        let parent = folder.last ?? ""
        let grandparent = folder.count >= 2 ? folder[folder.count - 2] : nil
        if parent == LoaderLayout.tfdsManualName && grandparent == "downloads" { return (.tfdsManual, nil) }
        if let manifest = LoaderLayout.manifest(whoseFolder: LoaderLayout.tfdsManualFolder, endsAt: folder, registry: registry),
            grandparent == LoaderLayout.tfdsManualName || LoaderLayout.tfdsNameIsOwn(manifest)
        {
            // `fashion_mnist` is TFDS's name only; a folder `mnist` is one only inside `manual/`.
            return (.tfdsManual, manifest.name)
        }
        return nil
    }
}

extension ExportLayout {
    /// `DEST/fashion_mnist/*.gz`, `DEST/mnist/*.gz`: TFDS manual dirs.
    public static let tfds = ExportLayout(rawValue: TFDSManualFormat().name)
}

extension ImportLayout {
    /// A TFDS manual dir: `fashion_mnist/*.gz`, `manual/mnist/*.gz`.
    public static let tfdsManual = ImportLayout(rawValue: "tfds-manual")
}
