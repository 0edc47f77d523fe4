internal import FMNISTCore

/// Why a ``Workspace`` call failed: what happened, where, and (in ``description``) what to do
/// next, said as a call of this API (never as a command line or a flag).
///
/// ```swift
/// do {
///     let data = try workspace.load(.fashion)
/// } catch .wrongFile(let path, let expected, let found) {
///     print("\(path) should be \(expected) but is \(found)")
/// } catch .unknownVersion(_, let version, let known) {
///     print("no \(version); stored: \(known)")
/// } catch {
///     print(error)   // says what to call next, e.g. workspace.fetch(.fashion)
/// }
/// ```
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No manifest names this dataset; `known` lists the names that work.
    case unknownDataset(String, known: [String])
    /// The workspace has no version of the dataset recorded in its live folder.
    case notFetched(dataset: String, root: String)
    /// No stored version of `dataset` answers to `version` (a name or id prefix);
    /// `known` lists the stored ones ("2017-08-31 (915659908dce)"), empty when there are none.
    case unknownVersion(dataset: String, version: String, known: [String])
    /// Several stored versions of `dataset` answer to `version` (a short id prefix); `matches`
    /// lists them: give more digits.
    case ambiguousVersion(dataset: String, version: String, matches: [String])
    /// A file of the version read is absent or cannot be read.
    case missingFile(path: String, expected: String, problem: String)
    /// A file holds other known data, e.g. `found` is "MNIST's t10k-labels" where `expected`
    /// is "Fashion-MNIST's t10k-labels".
    case wrongFile(path: String, expected: String, found: String)
    /// A file is corrupt or truncated, or valid IDX that is not the recorded version.
    case damaged(path: String, expected: String, problem: String)
    /// The images and labels of a split do not pair up (dimensions given).
    case mismatchedSplit(split: String, images: [Int], labels: [Int])
    /// A fetch, verify, switch, import, status or audit call (or the catalog under it) failed;
    /// `hint`, when there is one, says what to call next.
    case operationFailed(operation: String, message: String, hint: String?)

    /// The file concerned, when there is one.
    public var path: String? {
        switch self {
        case .missingFile(let path, _, _), .wrongFile(let path, _, _), .damaged(let path, _, _): return path
        default: return nil
        }
    }

    public var description: String {
        let repair = Remedy.repair(dataset: nil).advice
        switch self {
        case .unknownDataset(let name, let known):
            return "unknown dataset \"\(name)\"; known: \(known.joined(separator: ", ")) (add a manifest to know more)"
        case .notFetched(let dataset, let root):
            return "no version of \(dataset) is recorded in the workspace \(root); " + Remedy.fetch(dataset: dataset).advice
        case .unknownVersion(let dataset, let version, let known):
            return "no version \"\(version)\" of \(dataset) is stored in this workspace; "
                + (known.isEmpty ? Remedy.fetch(dataset: dataset) : Remedy.chooseVersion(dataset: dataset, known: known)).advice
        case .ambiguousVersion(let dataset, let version, let matches):
            return "\"\(version)\" matches \(matches.count) versions of \(dataset) (\(matches.joined(separator: ", "))); "
                + "give more hex digits of the id"
        case .missingFile(let path, let expected, let problem):
            return "\(path) (\(expected)): \(problem); \(repair)"
        case .wrongFile(let path, let expected, let found):
            return "\(path) should be \(expected) but is \(found); \(repair)"
        case .damaged(let path, let expected, let problem):
            return "\(path) (\(expected)): \(problem); \(repair)"
        case .mismatchedSplit(let split, let images, let labels):
            return "the \(split) images \(images) and labels \(labels) do not pair up; \(repair)"
        case .operationFailed(let operation, let message, let hint):
            return "\(operation): \(message)" + (hint.map { "; \($0)" } ?? "")
        }
    }
}

extension Remedy {
    /// The remedy said as a call of the `FMNIST` API (what a Swift program can do), never as an
    /// `fmnist` command line: the executable says the same remedies as commands.
    ///
    /// ```swift
    /// Remedy.fetch(dataset: "fashion").advice
    /// // "call workspace.fetch(.fashion) (or workspace.importFolder(folder, as: .fashion) without network)"
    /// ```
    var advice: String {
        switch self {
        case .fetch(let dataset), .refetch(let dataset):
            let name = Self.swiftName(dataset)
            return "call workspace.fetch(\(name)) (or workspace.importFolder(folder, as: \(name)) without network)"
        case .importFolder(let folder, let dataset):
            return "call workspace.importFolder(URL(fileURLWithPath: \"\(folder ?? "FOLDER")\"), as: \(Self.swiftName(dataset)))"
        case .switchTo(let dataset):
            return "call workspace.switchTo(\(dataset.map(Self.swiftName) ?? "dataset")) to make a verified version live"
        case .repair(let dataset):
            let name = dataset.map(Self.swiftName) ?? "dataset"
            return "call workspace.verify(\(name)) to see every problem, then workspace.fetch(\(name)) to restore good bytes"
        case .acceptUnknown:
            return "if you trust these files, call workspace.importFolder(folder, as: dataset, acceptUnknown: true): "
                + "they are then recorded as an unknown version"
        case .acceptUnknownRelease:
            return "this may be an older release; to keep it, import its files with "
                + "workspace.importFolder(folder, as: dataset, acceptUnknown: true) (recorded as an unknown version)"
        case .giveMirror(let dataset):
            return "name another mirror: workspace.fetch(\(Self.swiftName(dataset)), mirrors: [\"https://host/path/\"])"
        case .trustCA:
            return "add the server's certificate authority to this system's trust store, or fetch from another mirror "
                + "with workspace.fetch(_:mirrors:)"
        case .raiseLockTimeout:
            return "another program is using the workspace; call again once it has finished"
        case .rerunToResume:
            return "call it again: it resumes from the verified bytes kept"
        case .giveMoreDigits(let dataset, let matches):
            return Remedy.chooseVersion(dataset: dataset, known: matches).advice
        case .chooseVersion(let dataset, let known):
            return known.isEmpty
                ? "no version of \(dataset) is stored; " + Remedy.fetch(dataset: dataset).advice
                : "stored versions: \(known.joined(separator: ", ")) (give a name or 4 or more hex digits of an id)"
        case .moveAside(let path, _):
            return "move \(path) aside (the library never replaces what it did not make)"
        case .checkWorkspace, .checkCatalogAccess:
            return "check the permissions and free space of the workspace folder, or open a Workspace(root:) somewhere writable"
        case .checkRoot:
            return "check the root given to Workspace(root:); to start a workspace there, call workspace.fetch(_:) "
                + "or workspace.importFolder(_:as:)"
        case .moveCatalogAside(let path):
            return "move \(path) aside; the next workspace.fetch(_:) or workspace.importFolder(_:as:) rebuilds it from the stored versions"
        case .upgrade:
            return "use a newer release of the FMNIST package, or open a Workspace(root:) at another workspace"
        case .retry, .freeDiskSpace:
            return "call again once the other process has finished or disk space is free"
        case .fixManifest:
            return "fix the manifest (its format is that of the built-in ones)"
        case .giveDatasetFolder(let accepted): return "give workspace.importFolder(_:as:) \(accepted.spokenList("or"))"
        case .addMissingSplit(let missing, let folder):
            return "put \(missing) (the other split of the same export) in \(folder), then call workspace.importFolder(_:as:) again"
        case .compressPayloads(let folder):
            return "gzip the payloads in \(folder) (keeping the originals), then call workspace.importFolder(_:as:) again: "
                + "a re-compressed file is accepted when its data matches"
        case .checkSource(let folder, let dataset):
            return "check that \(folder) holds \(dataset), or import it as the dataset it really is"
        case .knownDataset(let suggestion, _):
            return (suggestion.map { "did you mean \"\($0)\"? " } ?? "")
                + "use a name in workspace.datasets, or add a folder of manifests with Workspace(root:manifests:)"
        }
    }

    /// How a Swift program writes a dataset's name: `.fashion`, `.mnist`, or a string literal.
    static func swiftName(_ dataset: String) -> String {
        ["fashion", "mnist"].contains(dataset) ? ".\(dataset)" : "\"\(dataset)\""
    }
}
