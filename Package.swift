// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fmnist",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "fmnist", targets: ["fmnist"]),
        .library(name: "FMNISTCore", targets: ["FMNISTCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a module map plus a header of `static inline` shims each.
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        // Hand-written SIMD kernels (GEMM) with runtime AVX2/FMA dispatch and a portable fallback.
        .target(
            name: "CKernels", path: "Sources/CKernels",
            cSettings: [.unsafeFlags(["-O3"])]),
        // LeNet-5 training: tensors, layers, optimisers, trainer. No I/O.
        .target(
            name: "FMNISTTraining", dependencies: ["CKernels"], path: "Sources/FMNISTTraining"),
        // All behaviour: manifests, integrity, transfer, catalog, workspace, training glue.
        .target(
            name: "FMNISTCore",
            dependencies: [
                "CZlib", "CSQLite", "CCurl", "CCrypto", "FMNISTTraining",
            ],
            path: "Sources/FMNISTCore"),
        // Thin executable: argument parsing and output formatting only.
        .executableTarget(
            name: "fmnist",
            dependencies: [
                "FMNISTCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/fmnist"),
        .testTarget(
            name: "FMNISTCoreTests", dependencies: ["FMNISTCore", "FMNISTTraining"],
            path: "Tests/FMNISTCoreTests"),
        .testTarget(
            name: "EndToEndTests", dependencies: ["FMNISTCore", "fmnist"],
            path: "Tests/EndToEndTests"),
    ],
    swiftLanguageModes: [.v6]
)
