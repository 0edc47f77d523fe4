import Foundation
import Testing

/// SIGKILL during `fmnist remove` and `fmnist gc` at seeded random moments: the catalog passes
/// `PRAGMA integrity_check`, the live version still verifies, every version still recorded has a
/// good copy (`verify --repair` exits 0), and finishing the removal afterwards frees exactly the
/// removed version's files (the store ends with the live version's four).
@Suite(.serialized) struct LifecycleCrashSafetyTests {
    @Test(.realDataWithOldLabels) func killedRemoveAndGCLeaveASoundWorkspace() throws {
        var random = SeededGenerator(seed: SeededGenerator.seed &+ 13)
        let tally = CrashTally("remove + gc")
        let base = try TemporaryDirectory("lc-crash")
        let root = base.path("data")
        let unknown = try Lifecycle.workspaceWithOldLabels(base, root: root)
        let oldFolder = try Lifecycle.oldLabelsFolder(in: base)
        // How long each command takes when left alone.
        func timed(_ arguments: [String]) throws -> Double {
            let start = Date()
            try Lifecycle.run(arguments + ["--root", root.path])
            return Date().timeIntervalSince(start)
        }
        let removeTime = try timed(["remove", "fashion@\(unknown.prefix(12))"])
        let gcTime = try timed(["gc"])
        #expect(Lifecycle.storeFiles(root).count == 4)
        for trial in 0..<12 {
            try Lifecycle.run(["import", oldFolder.path, "--as", "fashion", "--accept-unknown", "--root", root.path])
            let killGC = trial % 2 == 1
            if killGC { try Lifecycle.run(["remove", "fashion@\(unknown.prefix(12))", "--root", root.path]) }
            let arguments = killGC ? ["gc"] : ["remove", "fashion@\(unknown.prefix(12))"]
            let running = try BackgroundFMNIST(arguments + ["--root", root.path], logs: base.url)
            usleep(UInt32(Double.random(in: 0...((killGC ? gcTime : removeTime) * 1.2), using: &random) * 1e6))
            let finished = !running.process.isRunning
            running.sigkill()

            var ok = true
            let check = try DropIn.integrityCheck(root.appendingPathComponent(".fmnist/catalog.sqlite3"))
            if check != "ok" { Issue.record("trial \(trial): integrity_check: \(check)"); ok = false }
            for arguments in [["verify", "fashion"], ["verify", "--repair", "fashion"], ["versions"]] {
                let result = try FMNISTProcess.run(arguments + ["--root", root.path])
                if result.status != 0 { Issue.record("trial \(trial): \(arguments) exit \(result.status)\n\(result.stderr)"); ok = false }
            }
            // Finish the removal; only the live version's files stay.
            let versions = try FMNISTProcess.run(["versions", "fashion", "--root", root.path])
            if versions.stderr.contains(String(unknown.prefix(12))) {
                try Lifecycle.run(["remove", "fashion@\(unknown.prefix(12))", "--root", root.path])
            }
            try Lifecycle.run(["gc", "--root", root.path])
            if Lifecycle.storeFiles(root).count != 4 { Issue.record("trial \(trial): store has \(Lifecycle.storeFiles(root).count) files"); ok = false }
            tally.add(moment: finished ? "after it finished" : (killGC ? "during gc" : "during remove"), survived: ok)
        }
        try Lifecycle.run(["switch", "fashion", "--deep", "--root", root.path])
        #expect(tally.survived == tally.trials)
        print(tally.summary(String(format: "remove takes %.0f ms, gc %.0f ms", removeTime * 1000, gcTime * 1000)))
    }
}
