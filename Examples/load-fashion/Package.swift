// swift-tools-version:6.0
// An example program that depends only on the FMNIST library product.
// Here it uses the project by path; another package uses it by version:
//   .package(url: "https://…/fmnist.git", from: "0.1.0")
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
