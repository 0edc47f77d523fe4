import Foundation
import Testing

@testable import FMNISTCore

/// What fetch suggests after a failure (``FetchAdvice``) and the summary lines it prints
/// (``FetchSummaryText``), from synthetic reports.
@Suite struct FetchAdviceTests {
    static let console = Console(quiet: false, environment: ["NO_COLOR": "1"])

    static func file(_ name: String, status: FileFetchStatus = .failed, mirror: String? = nil, skips: [(String, String, String)] = []) -> FileFetchReport {
        FileFetchReport(
            dataset: "fashion", role: .trainImages, name: name, status: status, mirror: mirror,
            skipped: skips.map { MirrorSkip(url: $0.0 + name, code: SkipCode(rawValue: $0.1)!, reason: $0.2, attempts: 1, hostNotFound: $0.2.contains("resolve host")) },
            bytesDownloaded: status == .downloaded ? 26_421_880 : 0, resumedFrom: 0, seconds: 1, verdict: nil,
            message: status == .failed ? "every mirror failed" : "ok: verified", notes: [], httpStatus: nil, etag: nil,
            lastModified: nil, measurement: nil)
    }

    static func dataset(_ name: String = "fashion", status: DatasetFetchStatus, files: [FileFetchReport]) -> DatasetFetchReport {
        DatasetFetchReport(
            dataset: name, title: "Fashion-MNIST", status: status, message: "Fashion-MNIST: \(status.rawValue)",
            mirrors: MirrorList(dataset: name, mirrors: [], origin: .manifest), versionID: nil, versionShortID: nil,
            versionName: nil, path: "data/\(name)", files: files, exitStatus: status == .fetched ? .success : .fetchFailed)
    }

    static let dns = "failed: unreachable (Could not resolve host: a.invalid)"

    @Test func theHintFollowsTheCause() {
        let offline = Self.dataset(status: .failed, files: [Self.file("a.gz", skips: [("http://a.invalid/", "unreachable", Self.dns)])])
        #expect(FetchAdvice.hint(for: offline) == "no mirror host could be resolved: you seem to be offline. Without a network, "
            + "fmnist import DIR --as fashion takes the four .gz files from a folder; or install Debian's dataset-fashion-mnist "
            + "package and run fmnist fetch fashion --offline")
        // MNIST has no Debian package to suggest.
        let mnist = Self.dataset("mnist", status: .failed, files: offline.files)
        #expect(!FetchAdvice.hint(for: mnist).contains("Debian"))
        let debianFolder = Self.dataset(status: .failed, files: [Self.file("a.gz", skips: [
            ("file:///usr/share/datasets/fashion-mnist/", "local_file", "cannot read local file: No such file or directory")
        ])])
        #expect(FetchAdvice.hint(for: debianFolder) == "the local source file:///usr/share/datasets/fashion-mnist/ could not be read "
            + "(Debian's dataset-fashion-mnist package installs the files there): give a folder that holds the files with "
            + "--mirror file:///path/to/folder/, or fmnist import DIR --as fashion takes the four .gz files from a folder")
        let missing = Self.dataset(status: .failed, files: [Self.file("train-images-idx3-ubyte.gz", skips: [("http://m/x/", "http_404", "answered HTTP 404")])])
        #expect(FetchAdvice.hint(for: missing).hasSuffix("e.g. BASE/train-images-idx3-ubyte.gz)"))
        let certificate = Self.dataset(status: .failed, files: [Self.file("a.gz", skips: [("https://m/", "certificate", "untrusted")])])
        #expect(FetchAdvice.hint(for: certificate).contains("--cacert FILE"))
        // A mirror too slow for the file's deadline: the command line names the flag that gives it more time.
        let slow = Self.dataset(status: .failed, files: [Self.file("a.gz", skips: [("http://m/", "deadline", "took longer than the 5 s allowed")])])
        #expect(FetchAdvice.hint(for: slow).hasSuffix("a slow mirror gets more time per file with a lower --min-rate or a higher FMNIST_DEADLINE_BASE"))
        let cut = Self.dataset(status: .failed, files: [Self.file("a.gz", skips: [("http://m/", "timeout", "timed out")])])
        #expect(!FetchAdvice.hint(for: cut).contains("--min-rate"))
        let onlyOffline = Self.dataset(status: .failed, files: [Self.file("a.gz", skips: [("http://m/", "offline", "not local")])])
        #expect(FetchAdvice.hint(for: onlyOffline).hasPrefix("--offline uses only file:// sources"))
        #expect(FetchAdvice.hint(for: Self.dataset(status: .unknownRefused, files: [])).contains("--accept-unknown"))
        #expect(FetchAdvice.hint(for: Self.dataset(status: .notPinned, files: [])).contains("`fmnist lock`"))
    }

    @Test func resumeKeptAndCurrentLines() {
        #expect(FetchAdvice.resumeHint("fmnist fetch fashion") == "resume with: fmnist fetch fashion")
        #expect(FetchAdvice.resumeHint("fmnist fetch --mirror http://u:***@h/").hasSuffix(
            "(credentials shown as ***: put them back, or keep them in ~/.netrc or .fmnist/config.json headers)"))
        func kept(_ bytes: Int64) -> KeptPartial { KeptPartial(dataset: "fashion", name: "a.gz", path: "/p", bytes: bytes, expectedBytes: 26_421_880) }
        #expect(FetchAdvice.keptState(kept(0)) == "nothing kept yet")
        #expect(FetchAdvice.keptState(kept(1_200_000)) == "kept 1.2 MB of 26.4 MB")
        #expect(FetchAdvice.keptState(kept(26_421_880)) == "complete, 26.4 MB (verified on the next run)")
        var report = FetchReport(datasets: [Self.dataset(status: .fetched, files: [])], bytesDownloaded: 0, seconds: 0, exitStatus: .success)
        #expect(FetchAdvice.currentCreatedLine(report) == nil)
        report.currentCreated = "fashion"
        #expect(FetchAdvice.currentCreatedLine(report)
            == "created data/current -> fashion (there was no drop-in link yet); `fmnist switch mnist` points it at mnist")
    }

    @Test func aFetchedDatasetNamesItsOneMirrorOnce() {
        let base = "http://mirror.local/fm/"
        let files = ["a.gz", "b.gz"].map { Self.file($0, status: .downloaded, mirror: base + $0) }
        let report = FetchReport(datasets: [Self.dataset(status: .fetched, files: files)], bytesDownloaded: 0, seconds: 1, exitStatus: .success)
        #expect(FetchSummaryText.lines(report, console: Self.console) == [
            .info("Fashion-MNIST: fetched"), .info("  from \(base)"),
            .info("  a.gz: ok: verified, 26.4 MB"), .info("  b.gz: ok: verified, 26.4 MB"),
        ])
    }

    @Test func aFailedDatasetSaysEachMirrorOnceThenTheErrorAndTheHint() {
        let files = ["a.gz", "b.gz"].map { Self.file($0, skips: [("http://a.invalid/", "unreachable", Self.dns)]) }
        let dataset = Self.dataset(status: .failed, files: files)
        let report = FetchReport(datasets: [dataset], bytesDownloaded: 0, seconds: 1, exitStatus: .fetchFailed)
        #expect(FetchSummaryText.lines(report, console: Self.console) == [
            .info("  mirror http://a.invalid/: \(Self.dns) (2 files)"),
            .error("Fashion-MNIST: failed; nothing was changed in data/fashion"),
            .hint(FetchAdvice.hint(for: dataset)),
        ])
    }

    @Test func anInterruptedFetchListsWhatWasKeptAndHowToResume() {
        let kept = KeptPartial(dataset: "fashion", name: "a.gz", path: "/p", bytes: 1_200_000, expectedBytes: 26_421_880)
        let report = FetchReport(
            datasets: [Self.dataset(status: .interrupted, files: [])], bytesDownloaded: 0, seconds: 1, exitStatus: .interrupted,
            kept: [kept], resumeCommand: "fmnist fetch fashion")
        #expect(FetchSummaryText.lines(report, console: Self.console) == [
            .error("interrupted: nothing was placed or recorded; the partial downloads were kept"),
            .always("  fashion/a.gz: kept 1.2 MB of 26.4 MB"),
            .hint("resume with: fmnist fetch fashion"),
        ])
    }

    @Test func artifactHints() {
        func artifact(_ status: ArtifactFetchStatus) -> ArtifactFetchReport {
            ArtifactFetchReport(
                dataset: "mnist", loader: "keras", name: "mnist.npz", status: status, mirror: nil, skipped: [], bytesDownloaded: 0,
                resumedFrom: 0, size: 1, sha256: "", path: nil, arrays: [], message: "m", exitStatus: .fetchFailed)
        }
        #expect(FetchAdvice.hint(for: artifact(.failed))?.hasPrefix("give a mirror that holds mnist.npz with --mirror BASE") == true)
        #expect(FetchAdvice.hint(for: artifact(.refused))?.contains("pin and its files disagree") == true)
        #expect(FetchAdvice.hint(for: artifact(.interrupted)) == "rerun the same command to resume mnist.npz from the bytes kept")
        #expect(FetchAdvice.hint(for: artifact(.present)) == nil)
    }
}
