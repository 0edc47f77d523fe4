// swift-tools-version:6.0
// An example program that depends only on the FMNIST library product.
// Here it uses the project by path; another package uses one of the README's lines
// ("Use it from Swift"): .package(path: "../fmnist"), or by branch or revision of the repository.
import PackageDescription

let package = Package(
    name: "load-fashion",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "fmnist", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "load-fashion",
            dependencies: [.product(name: "FMNIST", package: "fmnist")],
            path: "Sources/load-fashion"),
    ],
    swiftLanguageModes: [.v6]
)
