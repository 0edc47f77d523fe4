import Foundation

/// `fmnist verify PATH` of a keras cache (`KERAS_HOME` or its `datasets/`) or a TFDS manual dir:
/// each dataset folder the loader reads (``LoaderCache``) verified like `fmnist verify DIR`, with
/// the dataset and version it holds; keras's `mnist.npz` reported through ``KerasNPZCheck``.
public struct LoaderCacheReport: Sendable, Codable {
    public let path: String
    /// `keras` or `tfds-manual`.
    public let loader: Loader
    /// One report per dataset folder found (`datasets/fashion-mnist`, `fashion_mnist`, …).
    public let datasets: [DatasetReport]
    /// keras's npz files (`datasets/mnist.npz`).
    public let npz: [NPZEntry]
    /// What the loader itself would refuse although the data verifies (TFDS checks the published
    /// container digests, so a re-compressed `.gz` fails it).
    public let loaderProblems: [String]
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32

    public static func verify(_ cache: LoaderCache, registry: ManifestRegistry) -> LoaderCacheReport {
        let requests = cache.folders.compactMap { place in (try? registry.manifest(named: place.dataset)).map { (place.url, $0) } }
        let reports = DatasetVerifier(registry: registry).verify(requests)
        let npz = cache.npz.map { KerasNPZCheck.check($0.url, dataset: $0.dataset, registry: registry) }
        var problems: [String] = []
        if cache.loader == .tfdsManual {
            for report in reports {
                for file in report.files where file.status == .recompressed {
                    problems.append("\(file.path): same data, different container; TFDS checks the published SHA-256 and would refuse it")
                }
            }
        }
        let status = ExitStatus.combine(reports.map(\.exitStatus) + npz.compactMap(\.exitStatus) + (problems.isEmpty ? [] : [.integrity]))
        return LoaderCacheReport(
            path: cache.root.path, loader: cache.loader, datasets: reports, npz: npz, loaderProblems: problems, ok: status == .success,
            exitStatus: status, exitCode: status.rawValue)
    }
}
