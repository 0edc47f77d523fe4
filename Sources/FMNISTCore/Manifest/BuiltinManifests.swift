/// The manifests compiled into fmnist: the repository's `manifests/*.json`, whose bytes SwiftPM
/// embeds (`.embedInCode` in Package.swift, through the `Manifest/Builtin` link), so that a
/// mirror or a version added there is in the next build with no copy to keep in step.
///
/// ```swift
/// BuiltinManifests.files.map(\.name)   // ["fashion-mnist.json", "mnist.json"]
/// ```
enum BuiltinManifests {
    static let files: [(name: String, json: String)] = [
        ("fashion-mnist.json", String(decoding: PackageResources.fashion_mnist_json, as: UTF8.self)),
        ("mnist.json", String(decoding: PackageResources.mnist_json, as: UTF8.self)),
    ]
}
