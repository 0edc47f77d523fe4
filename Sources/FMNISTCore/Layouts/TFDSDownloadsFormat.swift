import Foundation

/// TFDS's download cache, `~/tensorflow_datasets/downloads/`, whose file names are derived from
/// the URL (the dataset is the one the name mentions). Only `doctor` knows it (no export, import
/// or link).
///
/// ```swift
/// LoaderLayout.place(folder: ["h", "tensorflow_datasets", "downloads"],
///                    name: "fashion-mnist…_t10k-labels-idx1-ubyteABC.gz", registry: registry)?.loader   // .tfdsDownloads
/// ```
package struct TFDSDownloadsFormat: LoaderFormat, DoctorFormat {
    package init() {}
    package var name: String { Loader.tfdsDownloads.rawValue }

    /// A file below a `downloads` folder of `tensorflow_datasets`, or directly in a `downloads` folder.
    package func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)? {
        guard turn == .loaderFolder, folder.contains("downloads"), folder.contains("tensorflow_datasets") || folder.last == "downloads"
        else { return nil }
        return (.tfdsDownloads, LoaderLayout.dataset(inName: name, registry: registry))
    }
}
