import ArgumentParser
import FMNISTCore

/// Shell completion of dataset arguments: the built-in datasets' names plus the words a command
/// also takes (`all`, `current`).
enum DatasetCompletion {
    static let names: [String] = (try? ManifestRegistry.load(extraDirectories: []))?.manifests.map(\.name) ?? []

    static func kind(plus extra: [String] = []) -> CompletionKind { .list(names + extra) }
}
