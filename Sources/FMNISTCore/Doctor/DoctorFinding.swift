/// What `fmnist doctor` found one file (or a stale torchvision `processed/`) to be.
public enum DoctorStatus: String, Sendable, Codable {
    /// A known file of the dataset and role its place implies, in the form its loader reads.
    case ok
    /// A known file of another dataset, e.g. MNIST's train-images in a Fashion-MNIST place.
    case otherDataset = "other-dataset"
    /// Truncated, wrong size, CRC/SHA mismatch, the wrong role or the wrong form for its loader.
    case damaged
    /// Not MNIST-format data at all: an HTML page, an empty file, not IDX, not a regular file.
    case notData = "not-data"
    /// A valid IDX file that matches no known version.
    case unknown
    /// A torchvision `processed/` folder that shadows `raw/`.
    case staleCache = "stale-cache"
}

/// What `--fix` did about one finding.
public struct DoctorFix: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// The file was replaced by the verified bytes of the right file (temporary + rename).
        case replaced
        /// The stale `processed/` folder was renamed aside.
        case movedAside = "moved_aside"
        /// Nothing was written: the place is a symlink, fmnist's own workspace, or cannot be told.
        case refused
        /// The workspace lacks the version needed: `fetchCommand` says what to run.
        case needsFetch = "needs_fetch"
        /// Nothing was written because the file cannot be proven a broken copy of a known file:
        /// valid data of no known version, or a known file in a folder whose dataset is only
        /// guessed from its name. `message` says why.
        case leftAlone = "left_alone"
    }
    public let action: Action
    public let message: String
    /// The `fmnist fetch …` to run first, for `needsFetch`.
    public let fetchCommand: String?
}

/// How the dataset a place calls for (`expectedDataset`) was decided.
public enum DatasetBasis: String, Sendable, Codable {
    /// The loader's own folder names it: torchvision's `FashionMNIST/raw`, keras's
    /// `datasets/fashion-mnist`, swift-models' `<Class>/`, TFDS's `fashion_mnist/` or `manual/mnist/`,
    /// a TFDS download named after its URL, fmnist's own live folder. A known file of another
    /// dataset there is damage.
    case place
    /// The identified files in the folder agree on it (a folder only named like a cache, such as
    /// `MNIST_data/`, or a flat TFDS manual dir): the user's choice, read as it is.
    case files
    /// Only the folder's name suggests it (`MNIST_data` → MNIST): none of its files is a known file.
    case folderName = "folder-name"
    /// A link `fmnist switch --link` keeps (registered in the catalog): it shows the active dataset
    /// in that framework's layout, whatever its class folder is called.
    case fmnistLink = "fmnist-link"
}

/// One file found in a loader's place, and what it really is.
public struct DoctorFinding: Sendable, Codable {
    public let path: String
    public let status: DoctorStatus
    /// The program that reads it from there (`torchvision`, `keras`, `tfds-manual`, …).
    public let loader: Loader
    /// What the bytes are, e.g. "MNIST's train-images", when they are a known file.
    public let identity: String?
    /// The identified file's dataset, version and role.
    public let dataset: String?
    public let version: String?
    public let role: FileRole?
    /// What the place calls for, e.g. "Fashion-MNIST's train-images" (role only when the folder does not say).
    public let expected: String
    public let expectedDataset: String?
    public let expectedRole: FileRole?
    /// The form the loader reads (`gzip` or `uncompressed`); absent for a `processed/` folder and an artifact.
    public let form: FileForm?
    /// One sentence: what it is and why that is (or is not) what the loader needs.
    public let message: String
    /// The integrity fault's code (`truncated_gzip`, `html_page`, …), when there is one.
    public let fault: String?
    /// Set when the file was reached through a symlinked folder or is a symlink: the link's path.
    public let linkedThrough: String?
    /// What `--fix` did (absent without `--fix`, and for `ok` findings).
    public var fix: DoctorFix?
    /// The artifact the place holds instead of the four files (keras's `mnist.npz`), by loader.
    public var artifact: String? = nil
    /// How `expectedDataset` was decided; absent when nothing says which dataset belongs here.
    public var expectedFrom: DatasetBasis? = nil

    /// Whether the finding needs nothing more: `ok`, or repaired by `--fix`.
    public var settled: Bool {
        status == .ok || fix?.action == .replaced || fix?.action == .movedAside
    }
}

/// Everything one `fmnist doctor` run found.
public struct DoctorReport: Sendable {
    public let findings: [DoctorFinding]
    /// The folders scanned (given PATHs, then the default locations that exist).
    public let scanned: [String]
    /// Directory entries looked at, and files opened for reading (only candidates are opened).
    public let entriesSeen: Int
    public let filesRead: Int
    public let seconds: Double
    /// Findings that `--fix` would try to repair (not ok, and neither left alone nor refused
    /// beforehand: a link, the workspace, valid data of no known version, a folder whose dataset
    /// cannot be proven).
    public var repairable: Int = 0

    /// 0 when every finding is `ok` (or was repaired by `--fix`), 3 otherwise.
    public var exitStatus: ExitStatus { findings.allSatisfy(\.settled) ? .success : .integrity }
}
