import Foundation

/// The set of manifests in effect: the built-in ones, plus any from `--manifests DIR` or
/// `FMNIST_MANIFESTS` (colon-separated directories), which add datasets or override by name (an
/// override keeps each `frameworks` name it leaves out from the manifest it replaces).
public struct ManifestRegistry: Sendable {
    /// Manifests in a stable order: built-ins first (fashion, mnist), then additions.
    public let manifests: [Manifest]

    public init(manifests: [Manifest]) {
        self.manifests = manifests
    }

    /// The manifests compiled into fmnist.
    public static func builtin() throws -> ManifestRegistry {
        let manifests = try BuiltinManifests.files.map {
            try ManifestLoader.parse(Data($0.json.utf8), source: "builtin:\($0.name)")
        }
        return ManifestRegistry(manifests: manifests.sorted { $0.name < $1.name })
    }

    /// Built-ins overlaid with the directories given explicitly and in `FMNIST_MANIFESTS`.
    public static func load(
        extraDirectories: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ManifestRegistry {
        var result = try builtin().manifests
        var directories = (environment["FMNIST_MANIFESTS"] ?? "").split(separator: ":").map(String.init)
        directories += extraDirectories
        for directory in directories where !directory.isEmpty {
            for manifest in try ManifestLoader.load(directory: URL(fileURLWithPath: directory)) {
                if let index = result.firstIndex(where: { $0.name == manifest.name }) {
                    // A replacement (a private mirror's copy of `mnist`) keeps the framework names it
                    // does not give: they name the same dataset.
                    result[index] = manifest.inheritingFrameworks(from: result[index])
                } else {
                    result.append(manifest)
                }
            }
        }
        // Names and aliases must not collide across datasets.
        var owners: [String: String] = [:]
        for manifest in result {
            for key in [manifest.name] + manifest.aliases {
                if let owner = owners[key.lowercased()], owner != manifest.name {
                    throw ManifestError(
                        file: manifest.name, field: "aliases",
                        problem: "\"\(key)\" is already a name or alias of dataset \"\(owner)\"")
                }
                owners[key.lowercased()] = manifest.name
            }
        }
        return ManifestRegistry(manifests: result)
    }

    /// The dataset named `name` or one of its aliases; throws a usage error listing the known ones.
    public func manifest(named name: String) throws -> Manifest {
        if let found = manifests.first(where: { $0.answers(to: name) }) { return found }
        let known = manifests.map(\.name)
        let suggestion = Suggestion.closest(to: name, among: known + manifests.flatMap(\.aliases))
            .flatMap { guess in manifests.first { $0.answers(to: guess) }?.name }
        throw UsageError("unknown dataset \"\(name)\"", remedy: .knownDataset(suggestion: suggestion, known: known))
    }

    /// Resolves `fashion|mnist|all` style selections into manifests.
    public func select(_ selection: String) throws -> [Manifest] {
        selection.lowercased() == "all" ? manifests : [try manifest(named: selection)]
    }
}
