import Foundation

/// The four files of an MNIST-format dataset, in canonical order.
public enum FileRole: String, Sendable, Codable, CaseIterable, Comparable {
    case trainImages = "train-images"
    case trainLabels = "train-labels"
    case testImages = "test-images"
    case testLabels = "test-labels"

    /// Whether this role holds images (IDX3) rather than labels (IDX1).
    public var isImages: Bool { self == .trainImages || self == .testImages }
    /// Whether this role belongs to the training split.
    public var isTrain: Bool { self == .trainImages || self == .trainLabels }
    /// Short human name, e.g. "t10k-images" for test images, as people call the files.
    public var fileStem: String {
        switch self {
        case .trainImages: return "train-images"
        case .trainLabels: return "train-labels"
        case .testImages: return "t10k-images"
        case .testLabels: return "t10k-labels"
        }
    }

    public static func < (lhs: FileRole, rhs: FileRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Size and digests of a gzip container as served by a mirror.
public struct ContainerDigests: Sendable, Codable, Equatable {
    public let size: Int64
    public let md5: String
    public let sha256: String
}

/// Size and digest of the decompressed IDX payload: the identity of a file.
public struct PayloadDigests: Sendable, Codable, Equatable {
    public let size: Int64
    public let sha256: String
}

/// IDX element type and dimensions.
public struct IDXShape: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Element type; only "u8" (0x08) is used by MNIST-format datasets.
    public let type: String
    public let dims: [Int]

    public init(type: String = "u8", dims: [Int]) {
        self.type = type
        self.dims = dims
    }

    /// Bytes of the IDX payload including its header: 4 (magic) + 4 per dimension + elements.
    /// Saturates at `Int64.max` when the dimensions are too large to multiply out (the loader
    /// rejects such manifests; see ``elementCount``).
    public var payloadSize: Int64 {
        guard let elements = elementCount else { return .max }
        let (size, overflow) = elements.addingReportingOverflow(4 + 4 * Int64(dims.count))
        return overflow ? .max : size
    }

    /// The product of the dimensions, or nil when it does not fit in an `Int64`.
    public var elementCount: Int64? {
        var total = Int64(1)
        for dim in dims {
            let (product, overflow) = total.multipliedReportingOverflow(by: Int64(dim))
            if overflow { return nil }
            total = product
        }
        return total
    }

    public var description: String { dims.map(String.init).joined(separator: "×") + " \(type)" }
}

/// One file of a dataset version as the manifest pins it.
public struct ManifestFile: Sendable, Codable, Equatable {
    public let role: FileRole
    /// File name as served by mirrors and placed in the live folder, e.g. `train-images-idx3-ubyte.gz`.
    public let name: String
    public let container: ContainerDigests
    public let payload: PayloadDigests
    public let idx: IDXShape
}

/// A file published beside a version's four files in another form, that a loader reads instead of
/// them: keras's `mnist.npz`. Pinned by its own size and SHA-256, and cross-checked array by array
/// against the version's payloads (`arrays` maps each array name to the role it must equal).
public struct ManifestArtifact: Sendable, Codable, Equatable {
    /// The loaders an artifact may serve.
    public static let knownLoaders: Set<String> = ["keras"]

    /// File name as published and as the loader reads it, e.g. `mnist.npz`.
    public let name: String
    /// The loader that reads it, e.g. `keras`.
    public let loader: String
    /// The published URL (the last mirror tried).
    public let url: String
    public let size: Int64
    public let sha256: String
    /// Array name inside the archive (without `.npy`) → the role whose payload it equals.
    public let arrays: [String: FileRole]

    /// The array names in the order of their roles (train-images first).
    public var orderedArrays: [(name: String, role: FileRole)] {
        arrays.map { (name: $0.key, role: $0.value) }.sorted { $0.role < $1.role }
    }
}

/// A known version of a dataset: four pinned files.
public struct ManifestVersion: Sendable, Codable, Equatable {
    /// Human name of the release, e.g. "2017-08-31".
    public let name: String
    public let description: String?
    public let files: [ManifestFile]
    /// Other published forms of the same data (optional; e.g. keras's `mnist.npz`).
    public var artifacts: [ManifestArtifact]? = nil

    /// The artifact a loader reads, if this version has one.
    public func artifact(loader: String) -> ManifestArtifact? {
        artifacts?.first { $0.loader == loader }
    }

    /// The file of a role.
    public func file(_ role: FileRole) -> ManifestFile {
        files.first { $0.role == role }!  // the loader guarantees all four roles
    }

    /// The version identity computed from the payload digests (see ``VersionIdentity``).
    public var identity: VersionIdentity {
        VersionIdentity(payloadDigests: Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.payload.sha256) }))
    }
}

/// Known class histogram of each split.
public struct ClassHistogram: Sendable, Codable, Equatable {
    public let train: [Int]
    public let test: [Int]

    public func counts(for role: FileRole) -> [Int] { role.isTrain ? train : test }
}

/// The accuracy band a healthy smoke-train of this dataset falls into.
public struct SanityBand: Sendable, Codable, Equatable {
    public let minAccuracy: Double
    public let maxAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case minAccuracy = "min_accuracy"
        case maxAccuracy = "max_accuracy"
    }

    public func contains(_ accuracy: Double) -> Bool { accuracy >= minAccuracy && accuracy <= maxAccuracy }
}

/// Mean and standard deviation of the training images' pixels scaled to 0…1 (all pixels of
/// all training images; the standard deviation is the unbiased one), for normalising inputs.
public struct PixelStatistics: Sendable, Codable, Equatable {
    public let mean: Double
    public let std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }
}

/// How the frameworks name a dataset (a manifest's optional `frameworks` object). Every field is
/// optional; an absent one takes the default derived from the manifest's `name` (see
/// `FrameworkNames` in Formats/, and README "Manifests"):
///
/// ```json
/// "frameworks": { "torchvision": "KMNIST", "kaggle": "kmnist", "tfds": "kmnist" }
/// ```
///
/// | field | names | default |
/// |---|---|---|
/// | `torchvision` | the class folder `<root>/<Class>/raw` | the name upper-cased (`MNIST`) |
/// | `kaggle` | the CSV prefix `<kaggle>_train.csv` | the name |
/// | `tfds` | the TFDS builder and manual folder, the Hugging Face folder | the name |
/// | `keras` | keras's cache folder `datasets/<keras>/` (or `datasets/<keras>.npz`) | `kaggle` |
/// | `keras_reads` | `gzip` (the four `.gz`) or `npz` (keras's own pinned npz, an artifact) | `gzip` |
/// | `hf_classes` | the class labels of an `export hf` Parquet file | `classes` |
public struct ManifestFrameworks: Sendable, Codable, Equatable {
    /// The forms `keras_reads` may name.
    public static let kerasForms: [String] = ["gzip", "npz"]

    public var torchvision: String?
    public var kaggle: String?
    public var tfds: String?
    public var keras: String?
    /// `gzip` or `npz` (validated by the loader, so that a wrong word gets its own message).
    public var kerasReads: String?
    public var hfClasses: [String]?

    /// These names, each absent one taken from `other`.
    public func filled(from other: ManifestFrameworks) -> ManifestFrameworks {
        ManifestFrameworks(
            torchvision: torchvision ?? other.torchvision, kaggle: kaggle ?? other.kaggle, tfds: tfds ?? other.tfds,
            keras: keras ?? other.keras, kerasReads: kerasReads ?? other.kerasReads, hfClasses: hfClasses ?? other.hfClasses)
    }

    enum CodingKeys: String, CodingKey {
        case torchvision, kaggle, tfds, keras
        case kerasReads = "keras_reads"
        case hfClasses = "hf_classes"
    }
}

/// A dataset manifest: everything fmnist knows about one dataset (`manifests/*.json`).
public struct Manifest: Sendable, Codable, Equatable {
    /// The only schema version this build understands.
    public static let supportedSchema = 1

    public let schema: Int
    /// Short name and live-folder name, e.g. "fashion" or "mnist".
    public let name: String
    /// Display name, e.g. "Fashion-MNIST".
    public let title: String
    public let aliases: [String]
    public let license: String
    public let homepage: String?
    /// Class names in label order.
    public let classes: [String]
    /// Mirror base URLs in preference order; a file's URL is base + file name.
    public let mirrors: [String]
    public let histogram: ClassHistogram
    public let sanity: SanityBand
    /// Training-pixel statistics of the default version; optional (older manifests lack them).
    public let statistics: PixelStatistics?
    public let versions: [ManifestVersion]
    /// How torchvision, Kaggle, TFDS, keras and the Hugging Face hub name this dataset; optional
    /// (each absent name is derived from `name`).
    public var frameworks: ManifestFrameworks? = nil

    /// The newest (first listed) version: what `fetch` downloads by default.
    public var defaultVersion: ManifestVersion { versions[0] }

    /// This manifest with each framework name it leaves out taken from `replaced`, the manifest of
    /// the same name it replaces (`hf_classes` only when the class names are the same).
    public func inheritingFrameworks(from replaced: Manifest) -> Manifest {
        guard let inherited = replaced.frameworks else { return self }
        var merged = (frameworks ?? ManifestFrameworks()).filled(from: inherited)
        if classes != replaced.classes { merged.hfClasses = frameworks?.hfClasses }
        var result = self
        result.frameworks = merged
        return result
    }

    /// Whether `name` (case-insensitive) names this dataset or one of its aliases.
    public func answers(to name: String) -> Bool {
        let lower = name.lowercased()
        return self.name.lowercased() == lower || aliases.contains { $0.lowercased() == lower }
    }
}
