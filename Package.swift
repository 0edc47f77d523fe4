// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fmnist",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "fmnist", targets: ["fmnist"]),
        // The public face for other packages: `import FMNIST`.
        .library(name: "FMNIST", targets: ["FMNIST"]),
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
        // statfs(2), which Swift's Glibc module leaves out: the file-system type of a workspace.
        .systemLibrary(name: "CFileSystem", path: "Sources/CFileSystem"),
        // Hand-written SIMD kernels (GEMM) with runtime AVX2/FMA dispatch and a portable fallback.
        // No unsafe flags: SwiftPM refuses them in a versioned dependency, and release builds
        // compile C at -O2, which trains as fast here (README, "Benchmarks").
        .target(name: "CKernels", path: "Sources/CKernels"),
        // LeNet-5 training: tensors, layers, optimisers, trainer. No I/O.
        .target(
            name: "FMNISTTraining", dependencies: ["CKernels"], path: "Sources/FMNISTTraining"),
        // All behaviour: manifests, integrity, transfer, catalog, workspace, training glue.
        .target(
            name: "FMNISTCore",
            dependencies: [
                "CZlib", "CSQLite", "CCurl", "CCrypto", "CFileSystem", "FMNISTTraining",
            ],
            path: "Sources/FMNISTCore",
            // The built-in manifests: `Manifest/Builtin` links to the repository's `manifests/`,
            // whose bytes SwiftPM compiles in (`PackageResources`), so they have one home.
            resources: [
                .embedInCode("Manifest/Builtin/fashion-mnist.json"),
                .embedInCode("Manifest/Builtin/mnist.json"),
            ]),
        // The front door for Swift programs: Workspace, load(_:), splits, batches, conversions.
        // FMNISTCore is imported internally, so none of its types leak into this API.
        .target(
            name: "FMNIST", dependencies: ["FMNISTCore"], path: "Sources/FMNIST",
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),
        // Thin executable: argument parsing and output formatting only.
        .executableTarget(
            name: "fmnist",
            dependencies: [
                "FMNISTCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/fmnist"),
        // Test helpers shared by the test targets: synthetic IDX builders, a seeded generator.
        .target(name: "TestSupport", dependencies: ["FMNISTCore"], path: "Tests/TestSupport"),
        .testTarget(
            name: "FMNISTCoreTests", dependencies: ["FMNISTCore", "TestSupport"],
            path: "Tests/FMNISTCoreTests"),
        .testTarget(
            name: "FMNISTTrainingTests", dependencies: ["FMNISTTraining", "CKernels"],
            path: "Tests/FMNISTTrainingTests"),
        .testTarget(
            name: "FMNISTTests", dependencies: ["FMNIST", "FMNISTCore", "TestSupport"],
            path: "Tests/FMNISTTests"),
        .testTarget(
            name: "EndToEndTests", dependencies: ["FMNISTCore", "TestSupport", "fmnist"],
            path: "Tests/EndToEndTests", exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
