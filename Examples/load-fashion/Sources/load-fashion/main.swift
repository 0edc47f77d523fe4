// Loads verified Fashion-MNIST from a workspace and prints one JSON summary.
// Usage: load-fashion WORKSPACE_ROOT   (a folder `fmnist fetch fashion --root …` filled)
import FMNIST
import Foundation

struct Summary: Encodable {
    let dataset: String
    let version: String
    let train: Int
    let test: Int
    let train_histogram: [Int]
    let classes: [String]
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: load-fashion WORKSPACE_ROOT\n".utf8))
    exit(2)
}
do {
    let fashion = try Workspace(root: arguments[1]).load(.fashion)   // verified while it reads
    let summary = Summary(
        dataset: fashion.name.rawValue, version: fashion.version.short,
        train: fashion.train.count, test: fashion.test.count,
        train_histogram: fashion.train.histogram(), classes: fashion.classes)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(summary), as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("load-fashion: \(error)\n".utf8))
    exit(1)
}
