/// Where a version lives in a tree `fmnist publish` wrote: `<dataset>/<version-id>/`, itself a
/// mirror base holding the four `.gz` files (see ``MirrorIndex`` for the tree's index).
///
/// ```swift
/// PublishedTree.folder(dataset: "fashion", versionID: id)          // "fashion/915659908dce…/"
/// PublishedTree.mirror(base: "s3://team/fmnist", dataset: "fashion", versionID: id)
/// // "s3://team/fmnist/fashion/915659908dce…/"
/// ```
public enum PublishedTree {
    /// The folder of a version, relative to the tree's root, with a trailing slash.
    public static func folder(dataset: String, versionID: String) -> String { "\(dataset)/\(versionID)/" }

    /// The mirror base URL of a version under a published tree's `base` (a slash is added to `base`
    /// when it has none).
    public static func mirror(base: String, dataset: String, versionID: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + folder(dataset: dataset, versionID: versionID)
    }
}
