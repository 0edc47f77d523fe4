import FMNISTTraining
import Foundation
import Testing

@testable import FMNISTCore

/// The human text and error shape the executable writes but the library composes: ErrorReport
/// (the `--json` error object, the argv pre-scan), VerifyText, verify --locked's lines,
/// the --file/--locked rule, SmokeTrainText.
@Suite struct CommandTextTests {
    static let console = Console(quiet: false, environment: ["NO_COLOR": "1"])

    @Test func anErrorReportCarriesMessageHintAndExitCode() throws {
        let report = ErrorReport(UsageError("unknown optimizer \"x\"", hint: "use --optimizer sgd or --optimizer adam"))
        #expect(report.exitCode == 2)
        #expect(report.lines == [.error("unknown optimizer \"x\""), .hint("use --optimizer sgd or --optimizer adam")])
        #expect(report.lines.map(\.plainText) == ["error: unknown optimizer \"x\"", "hint: use --optimizer sgd or --optimizer adam"])
        let object = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any]
        #expect(Set(object?.keys ?? [:].keys) == ["error", "hint", "exit_code"])
        #expect(object?["exit_code"] as? Int == 2)
        // No hint: no "hint" key, one line.
        let bare = ErrorReport(error: "no workspace", hint: nil, exitCode: 4)
        #expect(bare.lines == [.error("no workspace")])
        #expect(!bare.json.contains("hint"))
    }

    @Test func aUsageErrorSplitsTheParsersHintOrTakesTheSlips() {
        let split = ErrorReport.usage(parserMessage: "Error: bad value\nhint: use 1-16", slip: nil, commands: [])
        #expect(split == ErrorReport(error: "Error: bad value", hint: "use 1-16", exitCode: 2))
        #expect(ErrorReport.usage(parserMessage: "Error: missing", slip: nil, commands: []).hint == nil)
        let slip = CommandLineSlip.unknownCommand(typed: "fetc", suggestion: "fetch")
        let report = ErrorReport.usage(parserMessage: "Error: unexpected argument", slip: slip, commands: ["fetch", "verify"])
        #expect(report.error == "unknown command \"fetc\"")
        #expect(report.hint == slip.hint(commands: ["fetch", "verify"]))
    }

    @Test func jsonIsWantedOnlyBeforeADoubleDash() {
        #expect(ErrorReport.wantsJSON(["fetch", "--json"]))
        #expect(!ErrorReport.wantsJSON(["fetch", "--", "--json"]))
        #expect(!ErrorReport.wantsJSON(["fetch", "--jsonx"]))
    }

    @Test func fileBelongsToLocked() throws {
        #expect(try ProjectLock.lockFile(file: nil, locked: true, command: "verify") == "fmnist.lock")
        #expect(try ProjectLock.lockFile(file: "x.lock", locked: true, command: "verify") == "x.lock")
        #expect(try ProjectLock.lockFile(file: nil, locked: false, command: "fetch") == "fmnist.lock")
        let error = #expect(throws: UsageError.self) { try ProjectLock.lockFile(file: "x.lock", locked: false, command: "fetch") }
        #expect(error?.description == "--file names the lock file of --locked")
        #expect(error?.hint == "e.g. fmnist fetch --locked --file x.lock")
    }

    @Test func lockedVerifyLinesNameEachDriftAndWhatToRun() {
        let good = LockedDatasetCheck(dataset: "fashion", pinnedVersionId: "a", pinnedLabel: "2017-08-31 (aaaa)", liveVersionId: "a", verdict: "ok", drift: [])
        let bad = LockedDatasetCheck(dataset: "mnist", pinnedVersionId: "b", pinnedLabel: "x", liveVersionId: nil, verdict: "missing", drift: ["mnist: not live", "mnist: missing"])
        let result = LockedVerifyResult(lockFile: "fmnist.lock", datasets: [good, bad], ok: false, exitStatus: .integrity, exitCode: 3)
        #expect(result.lines == [
            .info("ok    fashion 2017-08-31 (aaaa): live and verified, as pinned"),
            .error("drift: mnist: not live"), .error("drift: mnist: missing"),
            .hint("run `fmnist fetch --locked` to restore the pinned versions, or `fmnist lock` to pin the new ones"),
        ])
        let fine = LockedVerifyResult(lockFile: "fmnist.lock", datasets: [good], ok: true, exitStatus: .success, exitCode: 0)
        #expect(fine.lines.count == 1)
    }

    static func file(_ name: String, _ status: FileStatus, _ message: String, notes: [String] = []) -> FileReport {
        FileReport(role: .trainImages, name: name, path: "/d/" + name, status: status, message: message, identifiedAs: nil, measurement: nil, notes: notes)
    }

    @Test func aDatasetTableMarksEachFileAndEndsWithTheVerdict() {
        let report = DatasetReport(
            dataset: "fashion", title: "Fashion-MNIST", path: "data/fashion",
            files: [Self.file("a.gz", .ok, "ok: verified", notes: ["same data"]), Self.file("bb.gz", .missing, "missing"), Self.file("c.gz", .corrupt, "CRC")],
            versionID: nil, versionShortID: nil, versionName: nil, verdict: "Fashion-MNIST is damaged", exitStatus: .integrity)
        #expect(VerifyText.table(report, console: Self.console).components(separatedBy: "\n") == [
            "Fashion-MNIST — data/fashion",
            "  ok    a.gz   verified",
            "               note: same data",
            "  MISS  bb.gz  missing",
            "  FAIL  c.gz   CRC",
            "  → Fashion-MNIST is damaged",
        ])
        let result = VerifyService.DatasetsResult(
            datasets: [report], ok: false, exitStatus: .integrity, exitCode: 3, frameworkLinks: [], notFetched: ["mnist"])
        let outcome = VerifyService.Outcome.datasets(result)
        #expect(outcome.exitStatus == .integrity)
        #expect(VerifyText.lines(outcome, console: Self.console).last
            == "mnist: not fetched, not checked (`fmnist verify all` counts it as missing; fetch it with `fmnist fetch mnist`)")
    }

    @Test func aMissingDatasetGetsTheFetchOrImportHint() throws {
        func missing(_ name: String) -> DatasetReport {
            DatasetReport(dataset: name, title: name, path: "data/" + name, files: [], versionID: nil, versionShortID: nil, versionName: nil,
                          verdict: "absent", exitStatus: .missing)
        }
        let result = VerifyService.DatasetsResult(datasets: [missing("fashion"), missing("mnist")], ok: false, exitStatus: .missing, exitCode: 4)
        let outcome = VerifyService.Outcome.datasets(result)
        #expect(VerifyText.lines(outcome, console: Self.console).last
            == "hint: run `fmnist fetch all`, or `fmnist import DIR --as fashion` on a machine without network")
        #expect(try outcome.json() == JSONOutput.encode(result))
    }

    @Test func oneFilesLineDropsTheRepeatedOK() {
        let report = SingleFileReport(path: "t.gz", status: .ok, message: "ok: this is MNIST's t10k-images", identifiedAs: nil, dataset: nil,
                                      role: nil, measurement: nil, exitStatus: .success)
        #expect(VerifyText.lines(.file(report), console: Self.console) == ["ok  t.gz: this is MNIST's t10k-images"])
        #expect(VerifyText.withoutOK("okay") == "okay")
    }

    @Test func repairSaysWhatItDidOrThatNothingNeededIt() {
        let nothing = VerifyService.RepairReport(recovered: [], restored: [], unrepairable: [])
        #expect(VerifyText.repairLines(nothing) == [.info("repair: every recorded version re-hashed; nothing needed repair")])
        let some = VerifyService.RepairReport(recovered: [], restored: ["fashion abc a.gz"], unrepairable: ["mnist def b.gz: gone"])
        #expect(VerifyText.repairLines(some) == [
            .info("restored: fashion abc a.gz"), .error("no good copy left: mnist def b.gz: gone; run: fmnist fetch"),
        ])
    }

    @Test func smokeTrainEpochLinesAndFigures() {
        let epoch = EpochReport(epoch: 1, trainLoss: 0.51234, trainAccuracy: 0.81234, imagesPerSecond: 41_000.4, seconds: 1.456, testAccuracy: 0.8)
        #expect(SmokeTrainText.epoch(epoch) == "epoch 1: loss 0.5123, train accuracy 0.8123, 41000 img/s, 1.46 s, test accuracy 0.8000")
        #expect(SmokeTrainText.comparedEpoch(epoch, dataset: "mnist") == "mnist epoch 1: loss 0.5123, train accuracy 0.8123, 41000 img/s")
        #expect(SmokeTrainText.figure(.nan) == "NaN (diverged)")
        #expect(SmokeTrainText.figure(.infinity) == "infinite (diverged)")
    }

    @Test func smokeTrainFlagDecisions() throws {
        #expect(try SmokeTrainService.optimizer(named: "ADAM") == .adam)
        let error = #expect(throws: UsageError.self) { try SmokeTrainService.optimizer(named: "lbfgs") }
        #expect(error?.description == "unknown optimizer \"lbfgs\"")
        try SmokeTrainService.checkCompare(namesATarget: false)
        #expect(throws: UsageError.self) { try SmokeTrainService.checkCompare(namesATarget: true) }
        try FetchOptions.checkLocked(selection: "all", acceptUnknown: false)
        let named = #expect(throws: UsageError.self) { try FetchOptions.checkLocked(selection: "mnist", acceptUnknown: false) }
        #expect(named?.description == "--locked fetches what the lock pins; do not name a dataset (mnist)")
        #expect(throws: UsageError.self) { try FetchOptions.checkLocked(selection: "all", acceptUnknown: true) }
    }

    @Test func statusTellsAbsentFromCopiedInByHand() {
        func dataset(_ name: String, unrecorded: [String], active: Bool) -> DatasetStatus {
            DatasetStatus(
                dataset: name, title: name, present: false, version: nil, versionsKept: 0, lastVerified: nil, lastVerifyResult: nil,
                activeLinks: [], active: active, path: "/nonexistent-fmnist-test/\(name)", unrecordedFiles: unrecorded)
        }
        let status = WorkspaceStatus(
            root: "/w", catalogExists: false,
            datasets: [dataset("fashion", unrecorded: [], active: true), dataset("mnist", unrecorded: ["a.gz", "b.gz"], active: false)],
            links: [LinkState(path: "/w/current", target: nil, dataset: nil, isDefault: true)], lockHolder: nil)
        #expect(WorkspaceText.status(status, console: Self.console) == [
            "workspace /w (empty: nothing fetched or imported yet)",
            "  fashion  absent   (run: fmnist fetch fashion)  <- current",
            "  mnist    UNRECORDED  2 file(s) copied in by hand (check: fmnist verify mnist; record: fmnist import /nonexistent-fmnist-test/mnist --as mnist)",
            "links:",
            "  /w/current -> (absent)",
        ])
        #expect(WorkspaceText.versions([], dataset: nil, console: Self.console) == ["no versions recorded; run: fmnist fetch all"])
        #expect(WorkspaceText.log([]) == ["no events recorded yet"])
    }

    @Test func aSmokeTrainEventShowsItsAccuracy() {
        #expect(WorkspaceText.smokeTrainFigures(.object(["accuracy": .number(0.87123), "epochs": .number(1)])) == "  accuracy 0.8712 after 1 epoch(s)")
        #expect(WorkspaceText.smokeTrainFigures(.object(["accuracy": .null])) == "  accuracy not finite")
        #expect(WorkspaceText.smokeTrainFigures(.object([:])) == "")
    }

    @Test func switchAloneAndUnlinkSayWhatIsThere() {
        let nothing = ActiveState(dataset: nil, title: nil, version: nil, classes: [], links: [
            LinkState(path: "/w/current", target: nil, dataset: nil, isDefault: true)
        ])
        #expect(SwitchText.active(nothing) == [
            "active: nothing (data/current points at no dataset); run: fmnist switch fashion|mnist",
            "registered links: none (add one with: fmnist switch DATASET --link PATH)",
            "  /w/current -> (absent)",
        ])
        let kept = UnlinkResult(path: "/p/MNIST_data", layout: .seed, removedSymlink: false, removedSymlinks: [])
        #expect(SwitchText.unlinked(kept) == "forgot the link /p/MNIST_data (nothing of fmnist's was there to remove)")
        let removed = UnlinkResult(path: "/p/tv", layout: .torchvision, removedSymlink: true, removedSymlinks: ["/p/tv/MNIST/raw"])
        #expect(SwitchText.unlinked(removed) == "forgot the link /p/tv; removed /p/tv/MNIST/raw")
    }

    @Test func doctorCountsAndHintsOnlyWhatItCanRepair() {
        let empty = DoctorReport(findings: [], scanned: ["/a", "/b"], entriesSeen: 3, filesRead: 0, seconds: 0.5)
        #expect(DoctorText.lines(empty, fix: false, console: Self.console) == [
            "no MNIST-format files found (scanned /a, /b: 3 entries, 0 files read, 0.50 s)"
        ])
    }
}
