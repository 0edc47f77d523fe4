@testable import FMNIST
@testable import FMNISTCore
import Foundation
import TestSupport
import Testing

/// One ``Remedy``, two renderings: `commandLine` for the `fmnist` executable (what its `hint:`
/// lines and `--json` `hint` say) and `advice` for the `FMNIST` front door, which never names a
/// command or a flag.
@Suite struct RemedyWordingTests {
    /// One value of every case of ``Remedy``.
    static let everyRemedy: [Remedy] = [
        .fetch(dataset: "fashion"), .refetch(dataset: "mnist"), .importFolder(folder: "/x/mnist", dataset: "mnist"),
        .importFolder(folder: nil, dataset: "fashion"), .switchTo(dataset: "fashion"), .switchTo(dataset: nil),
        .repair(dataset: "fashion"), .repair(dataset: nil), .acceptUnknown, .acceptUnknownRelease, .giveMirror(dataset: "fashion"),
        .trustCA, .raiseLockTimeout, .rerunToResume, .chooseVersion(dataset: "fashion", known: ["2017-08-31 (915659908dce)"]),
        .giveMoreDigits(dataset: "fashion", matches: ["a (91a5aa)", "b (91a5bb)"]), .moveAside(path: "/w/MNIST_data"),
        .moveAside(path: "/w/data/x", place: .foreignLink), .moveAside(path: "/w/.fmnist", place: .privateArea),
        .moveAside(path: "/w/fashion", place: .liveFolder(dataset: "fashion")), .checkWorkspace, .checkCatalogAccess, .checkRoot,
        .moveCatalogAside(path: "/w/.fmnist/catalog.sqlite3"), .upgrade, .retry, .freeDiskSpace, .fixManifest, .giveDatasetFolder(accepted: ["a folder of the four .gz files", "a torchvision root"]),
        .addMissingSplit(missing: "fashion-mnist_test.csv", folder: "/x/csv"), .compressPayloads(folder: "/x/raw"), .checkSource(folder: "/x", dataset: "mnist"),
        .knownDataset(suggestion: "fashion", known: ["fashion", "mnist"]),
    ]

    @Test func theFrontDoorSaysEveryRemedyAsAnAPICallAndTheCommandLineAsACommand() {
        for remedy in Self.everyRemedy {
            let words = FrontDoorErrorWordingTests.commandLineWords(remedy.advice)
            #expect(words.isEmpty, "\(remedy): \(remedy.advice) says \(words)")
            #expect(!remedy.commandLine.isEmpty && remedy.commandLine != remedy.advice, "\(remedy)")
        }
        // Accepting unknown content: a flag on the command line, an argument of the API.
        #expect(Remedy.acceptUnknownRelease.commandLine.contains("pass --accept-unknown"))
        #expect(Remedy.acceptUnknownRelease.advice.contains("acceptUnknown: true"))
        #expect(Remedy.acceptUnknown.advice.contains("acceptUnknown: true"))
    }

    @Test func anErrorsHintIsItsRemedyRendered() {
        // Byte for byte what the executable printed before remedies were rendered.
        let cases: [(any FMNISTError, String)] = [
            (WorkspaceError.lockTimeout(holder: nil, waited: 3), "wait for it to finish, or raise --lock-timeout"),
            (WorkspaceError.corruptStore(dataset: "mnist", version: "v", problems: []), "run: fmnist fetch mnist to download good bytes again"),
            (WorkspaceError.ambiguousVersion(dataset: "fashion", selector: "91a5", matches: []),
             "give more hex digits of the id (see: fmnist versions fashion)"),
            (WorkspaceError.foreignSymlink(path: "/w/data", target: "/elsewhere"),
             "move /w/data aside (fmnist only writes through links it made), or use another --root"),
            (CatalogError.diskFull(path: "/c"), "free some disk space and retry"),
            (CatalogError.readOnly(path: "/c"), "check the permissions of the workspace folder (--root), or choose another with --root"),
            (IDXLoader.LoadError(path: "/f", problem: "bad"), "run `fmnist verify` to see what is wrong, then `fmnist fetch` to repair it"),
        ]
        for (error, hint) in cases {
            #expect(error.hint == hint, "\(error)")
            #expect(error.hint == error.remedy?.commandLine, "\(error)")
        }
    }

    @Test func aLockTimeoutNamesTheHolderAndAdvisesTheAPI() {
        // The holder is a fact ("fmnist fetch (pid …)"); the advice is this API's.
        let holder = LockHolder(pid: 4242, command: "fetch", since: Date(timeIntervalSince1970: 0))
        let error = DatasetError(operation: "fetch fashion", WorkspaceError.lockTimeout(holder: holder, waited: 3))
        guard case .operationFailed(_, let message, let hint) = error else {
            Issue.record("expected operationFailed, got \(error)")
            return
        }
        #expect(message.contains("4242"), "\(message)")
        #expect(hint == Remedy.raiseLockTimeout.advice)
        #expect(FrontDoorErrorWordingTests.commandLineWords(hint ?? "").isEmpty, "\(hint ?? "")")
        #expect(!(hint ?? "").contains("lock-timeout"))
    }

    @Test func aFetchRefusingUnknownContentAdvisesTheFlagOnTheCommandLineAndTheArgumentInTheAPI() throws {
        // Valid IDX files of no version the Fashion-MNIST manifest knows, served from a file:// mirror.
        let scratch = try ScratchFolder("remedy-unknown")
        let unknown = try SyntheticDataset(name: "fashion", title: "Fashion-MNIST", seed: 3, in: scratch.url)
        let workspace = try Workspace(root: scratch.url.appendingPathComponent("data"))
        let summary = try workspace.fetch(.fashion, mirrors: [unknown.folder.absoluteString + "/"], offline: true)
        #expect(!summary.ok)
        #expect(summary.message.hasSuffix("; " + Remedy.acceptUnknownRelease.advice), "\(summary.message)")
        #expect(FrontDoorErrorWordingTests.commandLineWords(summary.message).isEmpty, "\(summary.message)")
        // The command line's hint for the same report names the flag.
        let report = DatasetFetchReport(
            dataset: "fashion", title: "Fashion-MNIST", status: .unknownRefused, message: "refused",
            mirrors: MirrorList(dataset: "fashion", mirrors: [], origin: .manifest), versionID: nil, versionShortID: nil,
            versionName: nil, path: "data/fashion", files: [], exitStatus: .unknownContent)
        #expect(report.remedy == .acceptUnknownRelease)
        #expect(FetchAdvice.hint(for: report) == Remedy.acceptUnknownRelease.commandLine)
    }
}
