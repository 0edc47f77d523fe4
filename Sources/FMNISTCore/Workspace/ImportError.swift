import Foundation

/// Why `fmnist import` refused a folder. Nothing was changed in the workspace.
public struct ImportError: FMNISTError {
    /// What kind of refusal.
    public enum Reason: String, Sendable, Codable {
        /// Some of the four files are absent from the folder.
        case missing
        /// Some files are corrupt, or are another dataset's or another role's bytes.
        case integrity
        /// The files are valid but match no known version (pass `--accept-unknown`).
        case unknownContent = "unknown_content"
    }

    public let reason: Reason
    public let directory: String
    public let dataset: String
    /// One line per offending file: "train-images-idx3-ubyte.gz: this is MNIST's train-images, not …".
    public let problems: [String]
    /// A folder that is nearly right (uncompressed files, the parent of the dataset's folder).
    public var nearMiss: ImportNearMiss? = nil
    /// What import reads, as hints list it ("a torchvision root", …): what to give instead of a
    /// folder that holds none of the layouts.
    public var accepted: [String] = []

    public var exitStatus: ExitStatus {
        switch reason {
        case .missing: return .missing
        case .integrity: return .integrity
        case .unknownContent: return .unknownContent
        }
    }

    public var description: String {
        let head: String
        switch reason {
        case .missing:
            switch nearMiss {
            case .uncompressed(let names)?:
                return "\(directory) holds uncompressed IDX files (\(names.joined(separator: ", "))), not the four published .gz files of \(dataset)"
            case .oneSplit(let present, let missing)?:
                return "\(directory) holds \(present) but not \(missing): an import needs both splits of \(dataset)"
            case .parentFolder(let folders)?:
                return "\(directory) holds no dataset files itself, but its folder\(folders.count > 1 ? "s" : "") "
                    + folders.map { "\($0.path) (\($0.dataset))" }.joined(separator: ", ") + " hold\(folders.count > 1 ? "" : "s") all four"
            case nil: head = "\(directory) does not hold all four files of \(dataset)"
            }
        case .integrity: head = "refusing to import \(directory) as \(dataset): it fails verification"
        case .unknownContent: head = "refusing to import \(directory) as \(dataset): it matches no known version"
        }
        return ([head] + problems.map { "  \($0)" }).joined(separator: "\n")
    }

    public var remedy: Remedy? {
        switch reason {
        case .missing:
            switch nearMiss {
            case .parentFolder(let folders)?: return folders.first.map { .importFolder(folder: $0.path, dataset: $0.dataset) }
            case .uncompressed?: return .compressPayloads(folder: directory)
            case .oneSplit(_, let missing)?: return .addMissingSplit(missing: missing, folder: directory)
            case nil: return .giveDatasetFolder(accepted: accepted)
            }
        case .integrity: return .checkSource(folder: directory, dataset: dataset)
        case .unknownContent: return .acceptUnknown
        }
    }

    /// The remedy's command line; for several dataset folders found inside, one import each.
    public var hint: String? {
        if reason == .missing, case .parentFolder(let folders)? = nearMiss {
            return folders.map { Remedy.importFolder(folder: $0.path, dataset: $0.dataset).commandLine }.joined(separator: "; ")
        }
        return remedy?.commandLine
    }
}

/// A folder `import` was given that is close to a dataset folder: what it is instead.
public enum ImportNearMiss: Sendable, Equatable {
    /// Files with the published names minus `.gz` (the IDX payloads, decompressed).
    case uncompressed(names: [String])
    /// Subfolders that each hold all four `.gz` files, with the dataset their name suggests.
    case parentFolder([(path: String, dataset: String)])
    /// One split of a two-split layout (`fashion-mnist_train.csv` without `_test.csv`; an export's
    /// `train/` folder or Parquet file without the test one): the names present and missing.
    case oneSplit(present: String, missing: String)

    public static func == (a: ImportNearMiss, b: ImportNearMiss) -> Bool {
        switch (a, b) {
        case (.uncompressed(let x), .uncompressed(let y)): return x == y
        case (.parentFolder(let x), .parentFolder(let y)): return x.map(\.path) == y.map(\.path) && x.map(\.dataset) == y.map(\.dataset)
        case (.oneSplit(let p, let m), .oneSplit(let q, let n)): return p == q && m == n
        default: return false
        }
    }

    /// What `directory` is, when all four `names` are absent from it, or nil when nothing fits.
    /// `datasets` are the registry's manifests, used to name a subfolder's dataset.
    static func find(in directory: URL, names: [String], requested: Manifest, manifests: [Manifest]) -> ImportNearMiss? {
        let manager = FileManager.default
        func has(_ folder: URL, _ name: String) -> Bool { manager.fileExists(atPath: folder.appendingPathComponent(name).path) }
        let plain = names.map { String($0.dropLast(3)) }
        let variants = plain + plain.map { $0.replacingOccurrences(of: "-idx", with: ".idx") }
        let uncompressed = variants.filter { has(directory, $0) }
        if !uncompressed.isEmpty { return .uncompressed(names: uncompressed) }
        let children = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        var found: [(path: String, dataset: String)] = []
        for child in children {
            let folder = directory.appendingPathComponent(child)
            guard names.allSatisfy({ has(folder, $0) }) else { continue }
            let lower = child.lowercased()
            let named = manifests.first { $0.answers(to: child) }
                ?? manifests.filter { lower.contains($0.name.lowercased()) }.max { $0.name.count < $1.name.count }
            found.append((folder.path, named?.name ?? requested.name))
        }
        return found.isEmpty ? nil : .parentFolder(found)
    }
}
