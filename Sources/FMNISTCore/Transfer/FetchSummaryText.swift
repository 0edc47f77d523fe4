import Foundation

/// The human summary printed after a fetch, as lines (``ConsoleLine``) the executable writes:
/// per dataset what happened and from where, each mirror skipped, why a failure happened
/// (one line per mirror when every file failed there for one reason) and the hint that fits
/// (``FetchAdvice``); after Ctrl-C, what each partial file holds and the command that resumes.
///
/// ```swift
/// Console(quiet: false).emit(FetchSummaryText.lines(report, console: console))
/// // Fashion-MNIST 2017-08-31 (3f1a0c9be2d4): fetched and verified, 4 files
/// //   from http://mirror.local/fashion/
/// //   train-images-idx3-ubyte.gz: ok, 26.4 MB
/// ```
public enum FetchSummaryText {
    public static func lines(_ report: FetchReport, console: Console) -> [ConsoleLine] {
        if report.interrupted { return interrupted(report, console: console) }
        var lines: [ConsoleLine] = []
        for dataset in report.datasets {
            switch dataset.status {
            case .interrupted:
                break
            case .present, .fetched:
                lines.append(.info(console.style(dataset.message, "1;32")))
                // One mirror for every downloaded file: named once, so that file lines stay short.
                let bases = Set(dataset.files.compactMap { $0.mirror.map(FetchDiagnosis.mirrorBase(of:)) })
                let oneMirror = bases.count == 1 ? bases.first : nil
                if let oneMirror { lines.append(.info("  from \(oneMirror)")) }
                // Mirrors --offline passed over are not news when the fetch succeeded.
                for file in dataset.files where file.status == .downloaded || file.skipped.contains(where: { $0.code != .offline }) {
                    var line = "  \(file.name): \(file.message)"
                    if let mirror = file.mirror {
                        line += ", \(FetchProgress.bytes(file.bytesDownloaded))" + (oneMirror == nil ? " from \(mirror)" : "")
                    }
                    if file.resumedFrom > 0 { line += " (resumed at \(FetchProgress.bytes(file.resumedFrom)))" }
                    lines.append(.info(line))
                    for skip in file.skipped where skip.code != .offline { lines.append(.info("    skipped: \(skip)")) }
                    for note in file.notes { lines.append(.info("    note: \(note)")) }
                }
                lines += artifacts(dataset, console: console)
            case .failed, .unknownRefused, .notPinned:
                lines += mirrorFailures(dataset)
                lines.append(.error(dataset.message + "; nothing was changed in \(dataset.path)"))
                lines.append(.hint(FetchAdvice.hint(for: dataset)))
            }
        }
        if let created = FetchAdvice.currentCreatedLine(report) { lines.append(.info(created)) }
        return lines
    }

    /// One line per mirror when every file failed there for one reason; else each file's own.
    static func mirrorFailures(_ dataset: DatasetFetchReport) -> [ConsoleLine] {
        var lines: [ConsoleLine] = []
        for failure in dataset.mirrorFailures {
            if failure.sameReason {
                let what = failure.files.count == 1 ? failure.files[0] : "\(failure.files.count) files"
                lines.append(.info("  mirror \(failure.mirror): \(failure.reason) (\(what))"))
            } else {
                lines.append(.info("  mirror \(failure.mirror): \(failure.files.count) files, \(failure.reasons.count) different reasons:"))
                for group in failure.reasons {
                    lines.append(.info("    \(group.files.joined(separator: ", ")): \(group.reason)"))
                }
            }
        }
        return lines
    }

    /// One line per artifact (`--artifact`): what happened, each mirror skipped, and a hint when it failed.
    static func artifacts(_ dataset: DatasetFetchReport, console: Console) -> [ConsoleLine] {
        var lines: [ConsoleLine] = []
        for artifact in dataset.artifacts {
            let good = artifact.exitStatus == .success
            var line = artifact.message
            if artifact.status == .downloaded, let mirror = artifact.mirror {
                line += ", \(FetchProgress.bytes(artifact.bytesDownloaded)) from \(mirror)"
                if artifact.resumedFrom > 0 { line += " (resumed at \(FetchProgress.bytes(artifact.resumedFrom)))" }
            }
            lines.append(good ? .info(console.style(line, "1;32")) : .error(line))
            for skip in artifact.skipped where skip.code != .offline || !good { lines.append(.info("    skipped: \(skip)")) }
            for check in artifact.arrays where !check.matched {
                lines.append(.info("    \(check.array) (\(check.role?.rawValue ?? "?")): \(check.problem ?? "does not match")"))
            }
            if let hint = FetchAdvice.hint(for: artifact) { lines.append(.hint(hint)) }
        }
        return lines
    }

    /// Ctrl-C: what each partial file holds, and the command that resumes.
    static func interrupted(_ report: FetchReport, console: Console) -> [ConsoleLine] {
        var lines: [ConsoleLine] = []
        if report.kept.isEmpty, report.datasets.contains(where: { $0.artifacts.contains { $0.status == .interrupted } }) {
            // The four files of each dataset were placed; only an artifact was stopped.
            for dataset in report.datasets {
                lines.append(.info(console.style(dataset.message, "1;32")))
                lines += artifacts(dataset, console: console)
            }
            lines.append(.error("interrupted while fetching an artifact: the datasets above are in place; its partial download was kept"))
            return lines
        }
        for dataset in report.datasets where dataset.status == .present {
            lines.append(.info(console.style(dataset.message, "1;32")))
        }
        lines.append(.error("interrupted: nothing was placed or recorded; the partial downloads were kept"))
        for file in report.kept { lines.append(.always("  \(file.dataset)/\(file.name): \(FetchAdvice.keptState(file))")) }
        if let command = report.resumeCommand { lines.append(.hint(FetchAdvice.resumeHint(command))) }
        return lines
    }
}
