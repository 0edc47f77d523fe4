import Foundation

/// `fmnist verify` on uncompressed IDX files: a torchvision root (`<Class>/raw/*-ubyte`), or a
/// `raw/` folder itself. Each file is identified by its payload SHA-256 (a file's identity); each
/// folder says which dataset and version its four files hold, and a torchvision class folder
/// that holds the other dataset (e.g. `FashionMNIST/raw` with MNIST bytes) fails — unless it is
/// a torchvision link of fmnist's (`switch --link PATH --layout torchvision`), which shows the
/// active dataset under both class names by design.
public struct PayloadFolderReport: Sendable, Codable {
    /// One folder of `*-ubyte` files.
    public struct Folder: Sendable, Codable {
        public let path: String
        /// The dataset the folder's torchvision class name promises (`FashionMNIST` → fashion), if any.
        public let expectedDataset: String?
        public let files: [SingleFileReport]
        /// e.g. "Fashion-MNIST 2017-08-31 (915659908dce)", when all four roles of one version are there.
        public let holds: String?
        public let dataset: String?
        public let versionName: String?
        public let versionShortID: String?
        public let verdict: String
        public let exitStatus: ExitStatus
    }

    public let path: String
    public let folders: [Folder]
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32

    /// The `*-ubyte` folders of `url` when it is a torchvision root or a `raw/` folder; nil otherwise.
    public static func folders(in url: URL) -> [URL]? {
        holdsPayloads(url) ? [url] : classFolders(in: url)
    }

    /// Whether `folder` holds a `*-ubyte` entry (a folder of uncompressed IDX payloads, or a `raw/`).
    package static func holdsPayloads(_ folder: URL) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains { $0.hasSuffix("-ubyte") }
    }

    /// The `<Class>/raw/` folders of the torchvision root `url` that hold `*-ubyte` entries; nil when none does.
    package static func classFolders(in url: URL) -> [URL]? {
        let classFolders = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
            .map { url.appendingPathComponent($0).appendingPathComponent(LoaderLayout.torchvisionRawFolder) }
            .filter(holdsPayloads)
        return classFolders.isEmpty ? nil : classFolders
    }

    /// Verifies every `*-ubyte` file in `folders`. `followingSwitch` holds the folders (standardized
    /// paths) that are fmnist's torchvision links: they may hold either dataset. `shownAs` maps a
    /// folder read at its resolved path to the path the user reached it by (its class name and
    /// report path come from there).
    public static func verify(
        _ folders: [URL], root: URL, registry: ManifestRegistry, followingSwitch: Set<String> = [], shownAs: [URL: URL] = [:]
    ) -> PayloadFolderReport {
        let reports = folders.map { read in
            let shown = shownAs[read] ?? read
            return folder(at: read, registry: registry, followsSwitch: followingSwitch.contains(shown.standardizedFileURL.path), shownAs: shown)
        }
        let status = ExitStatus.combine(reports.map(\.exitStatus))
        return PayloadFolderReport(path: root.path, folders: reports, ok: status == .success, exitStatus: status,
                                   exitCode: status.rawValue)
    }

    static func folder(at url: URL, registry: ManifestRegistry, followsSwitch: Bool = false, shownAs: URL? = nil) -> Folder {
        let shown = shownAs ?? url
        let className = shown.lastPathComponent == LoaderLayout.torchvisionRawFolder ? shown.deletingLastPathComponent().lastPathComponent : ""
        let expected = LoaderLayout.dataset(torchvisionClass: className, registry: registry)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasSuffix("-ubyte") }.sorted()
        let files = names.map { SingleFileReport.identify(url: url.appendingPathComponent($0), registry: registry) }
        // The dataset and version the four roles agree on.
        let index = KnownFileIndex(registry: registry)
        let identified = files.compactMap { report -> KnownFile? in
            guard let m = report.measurement, report.exitStatus == .success else { return nil }
            return index.identify(payloadSHA256: m.payloadSHA256, size: m.payloadSize)
        }
        let roles = Set(identified.map(\.role))
        let pairs = Set(identified.map { "\($0.dataset) \($0.version)" })
        var holds: String?
        var dataset: String?
        var versionName: String?
        var shortID: String?
        var status: ExitStatus = files.map(\.exitStatus).first { $0 != .success } ?? .success
        var verdict: String
        if roles.count == FileRole.allCases.count, pairs.count == 1, let first = identified.first,
            let manifest = try? registry.manifest(named: first.dataset),
            let version = manifest.versions.first(where: { $0.name == first.version })
        {
            dataset = manifest.name
            versionName = version.name
            shortID = version.identity.short
            holds = "\(manifest.title) \(version.name) (\(version.identity.short))"
            verdict = "holds \(holds!)"
            if followsSwitch {
                verdict += " (an fmnist torchvision link: it shows the active dataset under every class name)"
            } else if let expected, expected != manifest.name {
                status = .integrity
                verdict = "WRONG DATASET: \(className)/raw holds \(manifest.title)"
            }
        } else if status == .success {
            status = roles.count < FileRole.allCases.count ? .missing : .integrity
            verdict = roles.count < FileRole.allCases.count
                ? "incomplete: \(FileRole.allCases.count - roles.count) of the four files missing"
                : "mixed: the files come from different datasets or versions"
        } else {
            verdict = "FAILED"
        }
        return Folder(path: shown.path, expectedDataset: expected, files: files, holds: holds, dataset: dataset,
                      versionName: versionName, versionShortID: shortID, verdict: verdict, exitStatus: status)
    }
}
