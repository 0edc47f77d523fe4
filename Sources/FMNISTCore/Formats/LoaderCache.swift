import Foundation

/// A loader's cache root found by its folder names (``LoaderLayout``): a `KERAS_HOME` (or its
/// `datasets/` folder), which holds `datasets/fashion-mnist/` and perhaps `datasets/mnist.npz`,
/// or a TFDS manual dir: one holding `fashion_mnist/` (then `mnist/` beside it too), a folder
/// named `manual` holding `mnist/`, or one holding `mnist/` with all four published `.gz` (what
/// `export tfds --dataset mnist` writes).
/// `fmnist verify` checks each dataset folder it finds; `fmnist import` reads one of them.
///
/// ```swift
/// if let cache = LoaderCache.find(URL(fileURLWithPath: "/home/me/.keras"), registry: registry) {
///     print(cache.loader, cache.folders.map(\.dataset))   // keras ["fashion"]
/// }
/// ```
public struct LoaderCache: Sendable {
    /// A dataset's place in the cache.
    public struct Place: Sendable {
        public let dataset: String
        public let url: URL
    }

    /// `.keras` or `.tfdsManual`.
    public let loader: Loader
    /// The root as given.
    public let root: URL
    /// Folders of the four `.gz` files, one per dataset found.
    public let folders: [Place]
    /// keras's npz files found (`datasets/mnist.npz`), present but not MNIST-format folders.
    public let npz: [Place]

    /// The cache `root` is, or nil when it is neither a keras nor a TFDS manual cache.
    public static func find(_ root: URL, registry: ManifestRegistry) -> LoaderCache? {
        keras(root, registry: registry) ?? tfdsManual(root, registry: registry)
    }

    private static func isDirectory(_ url: URL) -> Bool { RegularFile.kind(at: url.path) == .directory }
    private static func below(_ base: URL, _ components: [String]) -> URL { components.reduce(base) { $0.appendingPathComponent($1) } }

    /// The keras cache `root` is (a `KERAS_HOME` or its `datasets/` holding a dataset's folder or
    /// npz), or nil.
    package static func keras(_ root: URL, registry: ManifestRegistry) -> LoaderCache? {
        func exists(_ url: URL) -> Bool { RegularFile.kind(at: url.path, followSymlinks: false) != nil }
        let home = isDirectory(root.appendingPathComponent(LoaderLayout.kerasDatasets)) ? root
            : root.lastPathComponent == LoaderLayout.kerasDatasets ? root.deletingLastPathComponent() : nil
        if let home {
            let folders = registry.manifests.filter { LoaderLayout.kerasReadsGzip($0) }
                .map { Place(dataset: $0.name, url: below(home, LoaderLayout.kerasFolder($0))) }.filter { isDirectory($0.url) }
            let npz = registry.manifests.compactMap { m in LoaderLayout.kerasNPZ(m).map { Place(dataset: m.name, url: below(home, $0)) } }
                .filter { exists($0.url) }
            if !folders.isEmpty || !npz.isEmpty { return LoaderCache(loader: .keras, root: root, folders: folders, npz: npz) }
        }
        return nil
    }

    /// The TFDS manual dir `root` is, or nil.
    package static func tfdsManual(_ root: URL, registry: ManifestRegistry) -> LoaderCache? {
        // `fashion_mnist` is TFDS's name only, so it makes its parent a manual dir (as `export tfds`
        // writes it); `mnist` alone says so only inside a folder named `manual`.
        let tfds = registry.manifests.map { Place(dataset: $0.name, url: below(root, LoaderLayout.tfdsManualFolder($0))) }
            .filter { isDirectory($0.url) }
        // A `mnist/` holding all four published .gz is what `export tfds --dataset mnist` writes: a manual dir too.
        let complete = tfds.contains { place in
            registry.manifests.first { $0.name == place.dataset }.map { manifest in
                FileRole.allCases.allSatisfy { RegularFile.kind(at: place.url.appendingPathComponent(manifest.defaultVersion.file($0).name).path) == .regular }
            } ?? false
        }
        let ownName = tfds.contains { place in registry.manifests.contains { $0.name == place.dataset && LoaderLayout.tfdsNameIsOwn($0) } }
        let isManual = root.lastPathComponent == LoaderLayout.tfdsManualName || ownName
            || complete
        return isManual && !tfds.isEmpty ? LoaderCache(loader: .tfdsManual, root: root, folders: tfds, npz: []) : nil
    }
}
