/// What a person (or a program) can do about an error, as data: each front end renders it in its
/// own words. The `fmnist` executable says it as a command line (its errors' `hint`), the `FMNIST`
/// library product as a call of its API (`workspace.fetch(.fashion)`), so no library user is told
/// to pass a flag their API does not have.
///
/// ```swift
/// let error = WorkspaceError.datasetMissing(dataset: "fashion")
/// error.remedy   // .fetch(dataset: "fashion")
/// error.hint     // "run: fmnist fetch fashion (or fmnist import DIR --as fashion)": remedy.commandLine
/// ```
public enum Remedy: Sendable, Equatable {
    /// Download `dataset` (or import a copy of it): it is absent, or its stored bytes are bad.
    case fetch(dataset: String)
    /// The stored bytes of `dataset` are bad: download good ones again.
    case refetch(dataset: String)
    /// Bring a copy of `dataset` in from `folder` (nil: any folder holding it).
    case importFolder(folder: String?, dataset: String)
    /// Make another stored version or dataset live (`dataset`; nil: any present one).
    case switchTo(dataset: String?)
    /// Re-hash the dataset's files to see every problem, then restore good bytes.
    case repair(dataset: String?)
    /// The data is valid but no manifest knows it: keep it anyway, as an unknown version.
    case acceptUnknown
    /// A fetch refused content of no known version (perhaps an older release): keep it anyway.
    case acceptUnknownRelease
    /// Every mirror failed: name another mirror (a base URL).
    case giveMirror(dataset: String)
    /// A TLS peer was not trusted: name the CA bundle to trust.
    case trustCA
    /// Another process held the workspace lock: wait for it, or wait longer.
    case raiseLockTimeout
    /// The run was interrupted: running it again resumes from the kept partial bytes.
    case rerunToResume
    /// Pick a version from those stored (`known`: their labels) or give more digits of its id.
    case chooseVersion(dataset: String, known: [String])
    /// A short id prefix matched several versions (`matches`: their labels): give more of its digits.
    case giveMoreDigits(dataset: String, matches: [String])
    /// A path is in the way (not a link, a file where a folder goes, a foreign symlink or folder):
    /// move it aside; nothing replaces it automatically.
    case moveAside(path: String, place: InTheWay = .linkPlace)
    /// The workspace folder cannot be written: check its permissions and free space, or use another root.
    case checkWorkspace
    /// The catalog cannot be opened or written: check the workspace folder's permissions, or use another.
    case checkCatalogAccess
    /// No workspace at the root given: check the root, or create one by fetching or importing.
    case checkRoot
    /// The catalog is unreadable: move it aside (it is rebuilt from the stored versions).
    case moveCatalogAside(path: String)
    /// The catalog was written by a newer version of fmnist: upgrade, or use another workspace.
    case upgrade
    /// A transient condition (busy catalog, full disk): fix it and retry.
    case retry
    /// The disk is full: free some space and retry.
    case freeDiskSpace
    /// A manifest is malformed: fix it.
    case fixManifest
    /// The folder lacks some of the four files: give one that holds them, or another layout import
    /// reads (`accepted`: each as hints list it, "a torchvision root").
    case giveDatasetFolder(accepted: [String])
    /// The folder holds one split of a two-split layout (a Kaggle CSV, an export's PNG or Parquet
    /// split): put the other one, `missing`, beside it and import again.
    case addMissingSplit(missing: String, folder: String)
    /// The folder holds the uncompressed payloads only: gzip them (keeping the originals) and import again.
    case compressPayloads(folder: String)
    /// The folder is not the dataset named: check what it holds, or name the dataset it is.
    case checkSource(folder: String, dataset: String)
    /// The dataset name is not one the manifests know: add a manifest, or use a known name.
    case knownDataset(suggestion: String?, known: [String] = [])

    /// What is in the way of a ``Remedy/moveAside(path:place:)``.
    public enum InTheWay: Sendable, Equatable {
        /// A path where a link is to go (a `--link` place, a layout's folder).
        case linkPlace
        /// A symlink the tool did not make, on the way to where it writes.
        case foreignLink
        /// A file (or other) where the workspace's private folder goes.
        case privateArea
        /// A real folder of the dataset's where its live link goes.
        case liveFolder(dataset: String)
    }
}
