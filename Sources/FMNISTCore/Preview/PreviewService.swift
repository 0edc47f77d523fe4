import Foundation

/// The library side of `fmnist preview`: load the test split of a dataset folder, draw a sprite, write a PNG.
public struct PreviewService: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
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
        public let classes: [String]
    }

    /// Draws `perClass` test images per class of `dataset` (`fashion`, `mnist` or `current`) into `output`.
    public func run(dataset: String, output: URL, perClass: Int) throws -> Result {
        guard (1...100).contains(perClass) else {
            throw UsageError("--per-class must be between 1 and 100, not \(perClass)")
        }
        let (directory, manifest) = try resolve(dataset)
        let version = manifest.defaultVersion
        let imagesURL = directory.appendingPathComponent(version.file(.testImages).name)
        let labelsURL = directory.appendingPathComponent(version.file(.testLabels).name)
        for url in [imagesURL, labelsURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw FileAccessError(path: url.path, problem: "file is missing; run `fmnist fetch \(manifest.name)` first")
        }
        let images = try IDXLoader.load(url: imagesURL, classCount: manifest.classes.count)
        let labels = try IDXLoader.load(url: labelsURL, classCount: manifest.classes.count)
        guard images.dims.count == 3, labels.dims.count == 1, images.dims[0] == labels.dims[0] else {
            throw IDXLoader.LoadError(path: directory.path, problem: "images \(images.dims) and labels \(labels.dims) do not pair up")
        }
        let sprite = SpriteRenderer().render(
            images: images.elements, labels: labels.elements, rows: images.dims[1], columns: images.dims[2],
            classes: manifest.classes.count, perClass: perClass)
        let png = PNGWriter.grayscale(width: sprite.width, height: sprite.height, pixels: sprite.pixels)
        do {
            try Data(png).write(to: output, options: .atomic)
        } catch {
            throw FileAccessError(path: output.path, problem: "cannot write the PNG (\(error.localizedDescription))", exitStatus: .workspace)
        }
        return Result(dataset: manifest.name, title: manifest.title, source: directory.path, output: output.path,
                      width: sprite.width, height: sprite.height, perClass: perClass, classes: manifest.classes)
    }

    /// Resolves a dataset name or `current` (the drop-in link) to its live folder and manifest.
    func resolve(_ name: String) throws -> (URL, Manifest) {
        let manifest = try ActiveDataset.manifest(named: name, layout: layout, registry: registry)
        return (layout.liveDirectory(dataset: manifest.name), manifest)
    }
}
