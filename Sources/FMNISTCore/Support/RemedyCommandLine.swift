/// The one rendering of a ``Remedy`` in the `fmnist` executable's words: a command to run or a
/// flag to pass. An error's `hint` (what the CLI prints after "hint: " and in `--json`) is this,
/// unless the error says something more specific; the `FMNIST` library renders the same remedies
/// as calls of its API instead, so the two never drift apart.
///
/// ```swift
/// Remedy.fetch(dataset: "mnist").commandLine   // "run: fmnist fetch mnist (or fmnist import DIR --as mnist)"
/// Remedy.raiseLockTimeout.commandLine          // "wait for it to finish, or raise --lock-timeout"
/// ```
extension Remedy {
    public var commandLine: String {
        switch self {
        case .fetch(let dataset): return "run: fmnist fetch \(dataset) (or fmnist import DIR --as \(dataset))"
        case .refetch(let dataset): return "run: fmnist fetch \(dataset) to download good bytes again"
        case .importFolder(let folder, let dataset): return "run: fmnist import \(folder ?? "DIR") --as \(dataset)"
        case .switchTo(let dataset):
            let name = dataset ?? "DATASET"
            return "make one live with: fmnist switch \(name)@ID (see fmnist versions \(name))"
        case .repair(let dataset?): return "run: fmnist verify --repair (or fmnist fetch \(dataset))"
        case .repair(nil): return "run `fmnist verify` to see what is wrong, then `fmnist fetch` to repair it"
        case .acceptUnknown: return "if you trust these files, pass --accept-unknown: they are then recorded and listed as unknown"
        case .acceptUnknownRelease: return "this may be an older release; pass --accept-unknown to keep it (recorded as an unknown version)"
        case .giveMirror(let dataset): return "give another mirror with: fmnist fetch \(dataset) --mirror URL"
        case .trustCA: return "pass --cacert FILE (or set FMNIST_CA_BUNDLE) for a private CA"
        case .raiseLockTimeout: return "wait for it to finish, or raise --lock-timeout"
        case .rerunToResume: return "rerun the same command to resume from the bytes kept"
        case .chooseVersion(let dataset, _): return "run: fmnist versions \(dataset)"
        case .giveMoreDigits(let dataset, _): return "give more hex digits of the id (see: fmnist versions \(dataset))"
        case .moveAside(let path, .linkPlace): return "move \(path) aside, or choose another --link path"
        case .moveAside(let path, .foreignLink):
            return "move \(path) aside (fmnist only writes through links it made), or use another --root"
        case .moveAside(let path, .privateArea):
            return "move \(path) aside (fmnist never makes it a file), or use --root DIR for another workspace"
        case .moveAside(let path, .liveFolder(let dataset)):
            return "move \(path) aside; to keep its files as a version, run: fmnist import DIR --as \(dataset) from where you moved it"
        case .checkWorkspace: return "check the permissions and free space of the workspace, or use --root DIR somewhere writable"
        case .checkCatalogAccess: return "check the permissions of the workspace folder (--root), or choose another with --root"
        case .checkRoot:
            return "check --root (or $FMNIST_ROOT); to create a workspace there, run: fmnist fetch fashion (or fmnist import DIR --as fashion)"
        case .moveCatalogAside(let path):
            return "move it aside (mv \(path) \(path).bad) and run `fmnist import` or `fmnist fetch` again to rebuild it"
        case .upgrade: return "upgrade fmnist, or point --root at another workspace"
        case .retry: return "wait for the other fmnist process to finish, then retry"
        case .freeDiskSpace: return "free some disk space and retry"
        case .fixManifest: return "fix the manifest (see manifests/*.json in the fmnist source for the format)"
        case .giveDatasetFolder(let accepted): return "give \(accepted.spokenList("or")) (see fmnist import --help)"
        case .addMissingSplit(let missing, let folder):
            return "put \(missing) (the other split of the same export) in \(folder), then run fmnist import again"
        case .compressPayloads(let folder):
            return "import reads a folder of all four uncompressed payloads too (a torchvision raw/ folder); for the ones here, "
                + "compress them, keeping the originals (gzip -k \(folder)/*-ubyte), then import again: "
                + "a re-compressed file is accepted when its data matches (\"same data, different container\")"
        case .checkSource(let folder, let dataset):
            return "check that the folder holds \(dataset) (see: fmnist verify \(folder)), or choose --as for the dataset it really is"
        case .knownDataset(let suggestion, let known):
            return (suggestion.map { "did you mean \"\($0)\"? " } ?? "")
                + "known datasets: \(known.joined(separator: ", ")) (or add a manifest with --manifests DIR)"
        }
    }
}
