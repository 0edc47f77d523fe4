import Foundation

/// The human lines of `fmnist verify` for each kind of target (``VerifyService/Outcome``): a
/// mark and a message per file, split or folder, a dataset's table, the verdict, and the hints
/// that follow (damaged framework links, datasets not fetched, what to run for missing files);
/// also what `verify --repair` did. Each outcome's JSON text and exit status are here too, so the
/// executable only writes.
///
/// ```swift
/// let outcome = try VerifyService(layout: layout, registry: registry).run(target: "all")
/// console.write(VerifyText.lines(outcome, console: console))   // "Fashion-MNIST — data/fashion" …
/// ```
public enum VerifyText {
    /// A message without its leading "ok: ", which the "ok" mark already says.
    public static func withoutOK(_ message: String) -> String {
        message.hasPrefix("ok: ") ? String(message.dropFirst(4)) : message
    }

    /// "ok    fashion-mnist_train.csv: this is Fashion-MNIST 2017-08-31's train split …".
    static func csvLine(_ report: SplitReport, console: Console, name: String) -> String {
        "\(console.checkMark(report.exitStatus == .success))  \(name): \(report.message)"
    }

    /// "ok    fashion/train: this is Fashion-MNIST 2017-08-31's train split …, as PNG files".
    static func splitLine(_ report: SplitReport, console: Console, name: String) -> String {
        "\(console.checkMark(report.exitStatus == .success))  \(name): \(report.message)"
    }

    /// A dataset's table: title and folder, one marked line per file (with its notes), the verdict.
    public static func table(_ report: DatasetReport, console: Console) -> String {
        var lines = ["\(report.title) — \(report.path)"]
        let width = report.files.map { $0.name.count }.max() ?? 0
        for file in report.files {
            let mark: String
            switch file.status {
            case .ok, .recompressed, .acceptedUnknown: mark = console.style("ok  ", "32")
            case .missing: mark = console.style("MISS", "33")
            default: mark = console.style("FAIL", "31")
            }
            let padded = file.name.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(mark)  \(padded)  \(withoutOK(file.message))")
            for note in file.notes where file.status != .recompressed {
                lines.append("        \(String(repeating: " ", count: width))  note: \(note)")
            }
        }
        lines.append("  → \(console.verdict(report.verdict, good: report.isValid))")
        return lines.joined(separator: "\n")
    }

    /// What `verify --repair` did, before the verify itself.
    public static func repairLines(_ repaired: VerifyService.RepairReport) -> [ConsoleLine] {
        var lines: [ConsoleLine] = repaired.recovered.map { .info("recorded again: \($0.dataset) \($0.label) (the catalog had lost it)") }
        lines += repaired.restored.map { .info("restored: \($0)") }
        lines += repaired.unrepairable.map { .error("no good copy left: \($0); run: fmnist fetch") }
        if lines.isEmpty { lines.append(.info("repair: every recorded version re-hashed; nothing needed repair")) }
        return lines
    }

    /// The human lines of an outcome.
    public static func lines(_ outcome: VerifyService.Outcome, console: Console) -> [String] {
        switch outcome {
        case .file(let report):
            let mark = report.exitStatus == .success ? console.style("ok", "32") : console.style("FAIL", "31")
            return ["\(mark)  \(report.path): \(withoutOK(report.message))"]
        case .npz(let report):
            let mark = report.exitStatus == .success ? console.style("ok", "32") : console.style("FAIL", "31")
            var lines = ["\(mark)  \(report.path): \(report.message)"]
            for array in report.arrays where report.exitStatus != .success || report.publishedArtifact == nil {
                let shape = ArtifactCrossCheck.shapeText(array.shape)
                lines.append("      \(array.array) \(array.dtype) \(shape): \(array.identifiedAs.map { "\($0) (\(array.version ?? ""))" } ?? array.problem ?? "unknown")")
            }
            return lines
        case .payloadFolders(let result):
            var lines: [String] = []
            for folder in result.folders {
                lines.append("\(folder.path) (uncompressed IDX)")
                for file in folder.files {
                    lines.append("  \(console.checkMark(file.exitStatus == .success))  \(URL(fileURLWithPath: file.path).lastPathComponent)  \(file.message)")
                }
                lines.append("  → " + console.verdict(folder.verdict, good: folder.exitStatus == .success))
            }
            return lines
        case .csvFile(let report):
            return [csvLine(report, console: console, name: report.path)]
        case .csvFolder(let result):
            return ["\(result.path) (Kaggle-format CSV)"]
                + result.files.map { "  " + csvLine($0, console: console, name: URL(fileURLWithPath: $0.path).lastPathComponent) }
                + ["  → " + console.verdict(result.verdict, good: result.ok)]
        case .parquetFile(let report):
            return [splitLine(report, console: console, name: report.path)]
        case .exportFolder(let result):
            var lines = ["\(result.path) (an export: \(result.layouts.joined(separator: ", ")))"]
            let base = result.path.hasSuffix("/") ? result.path : result.path + "/"
            for split in result.splits {
                let name = split.path.hasPrefix(base) ? String(split.path.dropFirst(base.count)) : split.path
                lines.append("  " + splitLine(split, console: console, name: name))
            }
            for entry in result.npz {
                lines.append("  \(console.checkMark(entry.exitStatus == .success))  \(URL(fileURLWithPath: entry.path).lastPathComponent): \(entry.message)")
            }
            for file in result.csv {
                lines.append("  " + csvLine(file, console: console, name: URL(fileURLWithPath: file.path).lastPathComponent))
            }
            lines.append("  → " + console.verdict(result.verdict, good: result.ok))
            return lines
        case .loaderCache(let result):
            var lines = ["\(result.path) (a \(result.loader == .keras ? "keras cache" : "TFDS manual dir"))"]
            lines += result.datasets.map { table($0, console: console) }
            for entry in result.npz {
                lines.append("\(entry.exitStatus.map { console.checkMark($0 == .success) } ?? "----")  \(entry.path): \(entry.message)")
            }
            lines += result.loaderProblems.map { console.style("FAIL  \($0)", "31") }
            return lines
        case .datasets(let result):
            var lines = result.datasets.map { table($0, console: console) }
            for link in result.frameworkLinks {
                if link.ok {
                    lines.append("torchvision link \(link.path): \(link.dataset) \(link.versionID.prefix(12)), payloads verified")
                } else {
                    lines.append(console.style("torchvision link \(link.path): DAMAGED (a write through the link reached fmnist's copy, not the store)", "31"))
                    lines += link.problems.map { "  \($0)" }
                    lines.append("hint: restore it with `fmnist switch \(link.dataset)` or `fmnist verify --repair`")
                }
            }
            for dataset in result.notFetched {
                lines.append("\(dataset): not fetched, not checked (`fmnist verify all` counts it as missing; fetch it with `fmnist fetch \(dataset)`)")
            }
            let missing = result.datasets.filter { $0.exitStatus == .missing }.map(\.dataset)
            if !missing.isEmpty {
                lines.append("hint: run `fmnist fetch \(missing.count > 1 ? "all" : missing[0])`, "
                    + "or `fmnist import DIR --as \(missing[0])` on a machine without network")
            }
            return lines
        }
    }
}

extension VerifyService.Outcome {
    /// The outcome's exit status.
    public var exitStatus: ExitStatus {
        switch self {
        case .file(let report): return report.exitStatus
        case .npz(let report): return report.exitStatus
        case .payloadFolders(let result): return result.exitStatus
        case .csvFile(let report): return report.exitStatus
        case .csvFolder(let result): return result.exitStatus
        case .parquetFile(let report): return report.exitStatus
        case .exportFolder(let result): return result.exitStatus
        case .loaderCache(let result): return result.exitStatus
        case .datasets(let result): return result.exitStatus
        }
    }

    /// The `--json` text of the outcome: the report of its kind.
    public func json() throws -> String {
        switch self {
        case .file(let report): return try JSONOutput.encode(report)
        case .npz(let report): return try JSONOutput.encode(report)
        case .payloadFolders(let result): return try JSONOutput.encode(result)
        case .csvFile(let report): return try JSONOutput.encode(report)
        case .csvFolder(let result): return try JSONOutput.encode(result)
        case .parquetFile(let report): return try JSONOutput.encode(report)
        case .exportFolder(let result): return try JSONOutput.encode(result)
        case .loaderCache(let result): return try JSONOutput.encode(result)
        case .datasets(let result): return try JSONOutput.encode(result)
        }
    }
}
