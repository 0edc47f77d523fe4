import Foundation

/// swift-models' `MNIST`/`FashionMNIST` datasets: `~/.cache/swift-models/datasets/<Class>/`, the
/// torchvision class name under a `swift-models` folder. Only `doctor` knows it (no export,
/// import or link).
///
/// ```swift
/// LoaderLayout.place(folder: ["h", ".cache", "swift-models", "datasets", "MNIST"],
///                    name: "train-images-idx3-ubyte", registry: registry)?.loader   // .swiftModels
/// ```
package struct SwiftModelsFormat: LoaderFormat, DoctorFormat {
    package init() {}
    package var name: String { "swift-models" }

    /// A file in a folder named by a dataset's torchvision class, below a `swift-models` folder.
    package func doctorLoader(folder: [String], name: String, turn: DoctorTurn, registry: ManifestRegistry) -> (loader: Loader, dataset: String?)? {
        guard turn == .loaderFolder, folder.contains("swift-models"),
            let dataset = LoaderLayout.dataset(torchvisionClass: folder.last ?? "", registry: registry)
        else { return nil }
        return (.swiftModels, dataset)
    }
}

extension Loader {
    /// swift-models' `MNIST`/`FashionMNIST` datasets: `~/.cache/swift-models/datasets/<Class>/`.
    public static let swiftModels = Loader(rawValue: SwiftModelsFormat().name)
}
