import Foundation
import Testing

/// A small seeded generator (SplitMix64): the same kill moments for the same seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `FMNIST_CRASH_SEED`, else a fixed default.
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["FMNIST_CRASH_SEED"].flatMap { UInt64($0) } ?? 20_240_601
    }
}

/// Counts of one crash experiment, printed for CI logs.
final class CrashTally: @unchecked Sendable {
    let name: String
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private(set) var trials = 0
    private(set) var survived = 0

    init(_ name: String) { self.name = name }

    /// One SIGKILL trial: where it landed and whether every check after it passed.
    func add(moment: String, survived ok: Bool) {
        lock.lock()
        defer { lock.unlock() }
        trials += 1
        if ok { survived += 1 }
        counts[moment, default: 0] += 1
    }

    func summary(_ extra: String = "") -> String {
        let moments = counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "crash safety — \(name): \(trials) SIGKILL trials, \(survived) survived (\(moments))\(extra.isEmpty ? "" : "; " + extra)"
    }
}

/// SIGKILL at varied moments loses nothing: live files are absent or fully valid, the drop-in
/// link always points at a complete dataset, and the catalog passes `PRAGMA integrity_check`.
/// Seeded (`FMNIST_CRASH_SEED`), so a failure can be replayed.
@Suite(.serialized) struct CrashSafetyTests {
    static let retries = ["FMNIST_RETRY_BASE_MS": "10"]

    // MARK: - fetch

    /// 4 rounds on fresh workspaces; in each, `fmnist fetch mnist` is killed 5 times (early, mid-transfer,
    /// early again while resuming, near the end of the biggest file, and during verification and
    /// placement), then a rerun completes. The server drips train-images (9.9 MB) at 8 MB/s.
    @Test(.realData) func killedFetchesLoseNothingAndResume() throws {
        var random = SeededGenerator(seed: SeededGenerator.seed)
        let tally = CrashTally("fetch")
        let tree = try MirrorTree()
        let path = "/mnist/\(DatasetFiles.trainImages)"
        let server = try MirrorServer(root: tree.url, faults: [path: ["drip": 8_000_000, "drip_chunk": 65536]])
        let size = fileSize(RealData.mnist.appendingPathComponent(DatasetFiles.trainImages))
        let scratch = try TemporaryDirectory("crash-fetch")
        let rounds = 4
        let moments = ["1 early", "2 mid-transfer", "3 early (resuming)", "4 near the end", "5 verify/placement"]
        var completedBeforeKill = 0
        var perRoundBytes: [Int64] = []
        var placedAfterKill = [Int](repeating: 0, count: 5)

        for round in 0..<rounds {
            let root = scratch.path("round\(round)/data")
            let partial = root.appendingPathComponent(".fmnist/partial/mnist/\(DatasetFiles.trainImages).part")
            let live = root.appendingPathComponent("mnist")
            let bytesBefore = try server.stats()[path]?.bytes ?? 0
            for moment in moments {
                let fetch = try BackgroundFMNIST(
                    ["fetch", "mnist", "--root", root.path, "--mirror", server.url("mnist/")], environment: Self.retries,
                    logs: scratch.url)
                let held = fileSize(partial)
                let deadline = Date().addingTimeInterval(20)
                func running() -> Bool { fetch.process.isRunning && Date() < deadline }
                switch moment.dropFirst(2) {
                case "mid-transfer":
                    let goal = held + Int64(Double(size - held) * Double.random(in: 0.15...0.7, using: &random))
                    while running() && fileSize(partial) < goal { usleep(2000) }
                case "near the end":
                    let goal = size - Int64.random(in: 1...400_000, using: &random)
                    while running() && fileSize(partial) < goal { usleep(1000) }
                case "verify/placement":
                    // The last byte arrived (or the .part was already moved into the store): kill
                    // while the file is verified, installed, placed and recorded.
                    var seen = false
                    while running() {
                        let now = fileSize(partial)
                        if now >= size || (seen && now == 0) || FileManager.default.fileExists(atPath: live.path) { break }
                        seen = seen || now > 0
                        usleep(500)
                    }
                    usleep(UInt32.random(in: 0...40_000, using: &random))
                default:
                    usleep(UInt32.random(in: 0...150_000, using: &random))
                }
                if !fetch.process.isRunning { completedBeforeKill += 1 }
                fetch.sigkill()
                let ok = try Self.liveFilesAreAbsentOrValid(root, dataset: "mnist", context: "round \(round), \(moment)")
                placedAfterKill[DatasetFiles.all.filter { FileManager.default.fileExists(atPath: live.appendingPathComponent($0).path) }.count] += 1
                tally.add(moment: String(moment.dropFirst(2)), survived: ok)
            }
            // The rerun completes with verified data, resuming from what the killed runs held.
            let rerun = try FMNISTProcess.run(
                ["fetch", "mnist", "--root", root.path, "--mirror", server.url("mnist/")], environment: Self.retries)
            #expect(rerun.status == 0, "round \(round) rerun: \(rerun.stderr)")
            let verify = try FMNISTProcess.run(["verify", "mnist", "--root", root.path])
            #expect(verify.status == 0, "round \(round) verify: \(verify.stderr)")
            let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
            #expect(try DropIn.integrityCheck(catalog) == "ok")
            let versions = try DropIn.python(
                "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from versions where dataset='mnist'\").fetchone()[0])",
                [catalog.path])
            #expect(versions.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "versions: \(versions.stdout)\(versions.stderr)")
            // The catalog calls it live, and switching to it works without another check.
            let switched = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
            #expect(switched.status == 0, "round \(round) switch: \(switched.stderr)")
            perRoundBytes.append((try server.stats()[path]?.bytes ?? 0) - bytesBefore)
        }
        // Resume worked: each round cost about one download of the file, not one per kill. Without
        // resume a round costs about 3.5× (kills at ~5%, 15-70%, ~5%, >90% and 100% of the file,
        // then the rerun). Bytes the server had sent but the killed client had not yet written to
        // its .part are lost with each kill, and more of them under load: hence 1.35× on average
        // over the rounds and at most 2× in any one.
        let total = perRoundBytes.reduce(0, +)
        let ratio = Double(total) / Double(size)
        #expect(ratio <= 1.35 * Double(rounds), "\(total) B served for \(rounds) rounds of a \(size) B file")
        for (round, bytes) in perRoundBytes.enumerated() {
            #expect(Double(bytes) <= 2.0 * Double(size), "round \(round): \(bytes) B served for a \(size) B file")
        }
        #expect(tally.survived == tally.trials)
        let placed = placedAfterKill.map(String.init).joined(separator: "/")
        print(
            tally.summary(
                "\(completedBeforeKill) finished before the kill; live files placed after each kill (0/1/2/3/4 of 4): \(placed); "
                    + "\(rounds) reruns verified; train-images served " + String(format: "%.2f", ratio)
                    + "× its size for \(tally.trials) kills (no resume: up to \(tally.trials + rounds)×)"))
    }

    /// The kill window between placing the live files and recording them as live (found while
    /// writing the kills above; random kills rarely land in it): the rerun finds the files present
    /// and records them, so that `status` does not call them unrecorded and `switch` does not
    /// refuse them as never verified.
    @Test(.realData) func rerunRecordsAFetchKilledAfterPlacement() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url)
        let workspace = try TemporaryDirectory("crash-placed")
        let root = workspace.path("data")
        let fetch = ["fetch", "mnist", "--root", root.path, "--mirror", server.url("mnist/")]
        let first = try FMNISTProcess.run(fetch)
        try #require(first.status == 0, "\(first.stderr)")
        // The state a SIGKILL between the placement and the last transaction leaves.
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        let cut = try DropIn.python(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('delete from live'); c.execute(\"delete from events where kind='fetch'\"); c.commit()",
            [catalog.path])
        try #require(cut.status == 0, "\(cut.stderr)")
        let before = try server.stats()

        let rerun = try FMNISTProcess.run(fetch)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("already present and verified, nothing downloaded; recorded as live"), "\(rerun.stderr)")
        #expect(try server.stats().mapValues(\.requests) == before.mapValues(\.requests))
        let status = try FMNISTProcess.run(["status", "--root", root.path])
        #expect(!(status.stdout + status.stderr).contains("UNRECORDED"), "\(status.stdout)\(status.stderr)")
        let switched = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(switched.status == 0, "\(switched.stderr)")
        // Once recorded, a rerun records nothing more.
        let again = try FMNISTProcess.run(fetch)
        #expect(again.status == 0 && !again.stderr.contains("recorded as live"), "\(again.stderr)")
    }

    /// After a kill: every file in the live folder is either absent or fully valid (verify says
    /// ok or missing, never corrupt); nothing else is in the live folder; the catalog is sound.
    static func liveFilesAreAbsentOrValid(_ root: URL, dataset: String, context: String) throws -> Bool {
        var ok = true
        let verify = try FMNISTProcess.run(["verify", dataset, "--root", root.path, "--json"])
        let files = ((try? verify.json())?["datasets"] as? [[String: Any]])?.first?["files"] as? [[String: Any]]
        if let files {
            for file in files where !["ok", "missing"].contains(file["status"] as? String ?? "") {
                Issue.record("\(context): live \(file["name"] ?? "?") is \(file["status"] ?? "?"): \(file["message"] ?? "")")
                ok = false
            }
        } else if FileManager.default.fileExists(atPath: root.appendingPathComponent(dataset).path) {
            Issue.record("\(context): verify gave no report (exit \(verify.status)): \(verify.stderr)")
            ok = false
        }
        if ![0, 4].contains(verify.status) && files != nil {
            Issue.record("\(context): verify exit \(verify.status): \(verify.stderr)")
            ok = false
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dataset).path)) ?? []
        let stray = entries.filter { !DatasetFiles.all.contains($0) }
        if !stray.isEmpty {
            Issue.record("\(context): stray entries in the live folder: \(stray)")
            ok = false
        }
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        if FileManager.default.fileExists(atPath: catalog.path) {
            let check = try DropIn.integrityCheck(catalog)
            if check != "ok" {
                Issue.record("\(context): integrity_check: \(check)")
                ok = false
            }
        }
        return ok
    }

    // MARK: - switch

    /// 24 switches (alternating datasets, every other pair with --deep) killed after random delays
    /// spanning their run: `data/current` always points at a complete, verified dataset.
    @Test(.realData) func killedSwitchesNeverLeaveAHalfLink() throws {
        var random = SeededGenerator(seed: SeededGenerator.seed &+ 1)
        let tally = CrashTally("switch")
        let (base, root) = try DropIn.workspaceWithBoth("crash-switch")
        _ = base
        let first = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        try #require(first.status == 0, "\(first.stderr)")
        // How long a switch takes here (fast and --deep), to spread the kills over it.
        func timed(_ arguments: [String]) throws -> Double {
            let start = Date()
            let result = try FMNISTProcess.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return Date().timeIntervalSince(start)
        }
        let fast = try timed(["switch", "fashion", "--root", root.path])
        let deep = try timed(["switch", "mnist", "--deep", "--root", root.path])
        var finishedFirst = 0
        let current = root.appendingPathComponent("current")
        for trial in 0..<24 {
            let dataset = trial % 2 == 0 ? "fashion" : "mnist"
            let isDeep = trial % 4 >= 2
            let switching = try BackgroundFMNIST(
                ["switch", dataset, "--root", root.path] + (isDeep ? ["--deep"] : []), logs: base.url)
            let span = (isDeep ? deep : fast) * 1.2
            usleep(UInt32(Double.random(in: 0...span, using: &random) * 1e6))
            let ranToTheEnd = !switching.process.isRunning
            if ranToTheEnd { finishedFirst += 1 }
            switching.sigkill()

            var ok = true
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: current.path)) ?? "?"
            let pointsAt = URL(fileURLWithPath: target).lastPathComponent
            if !["fashion", "mnist"].contains(pointsAt) {
                Issue.record("trial \(trial): data/current -> \(target)")
                ok = false
            }
            let verify = try FMNISTProcess.run(["verify", current.path, "--root", root.path, "--json"])
            let report = ((try? verify.json())?["datasets"] as? [[String: Any]])?.first
            let files = report?["files"] as? [[String: Any]] ?? []
            let title = pointsAt == "fashion" ? "Fashion-MNIST's" : "MNIST's"
            if verify.status != 0 || files.count != 4
                || !files.allSatisfy({ $0["status"] as? String == "ok" && ($0["identified_as"] as? String)?.hasPrefix(title) == true })
            {
                Issue.record("trial \(trial): data/current (-> \(target)) is not a complete \(pointsAt): exit \(verify.status)\n\(verify.stderr)")
                ok = false
            }
            let check = try DropIn.integrityCheck(root.appendingPathComponent(".fmnist/catalog.sqlite3"))
            if check != "ok" {
                Issue.record("trial \(trial): integrity_check: \(check)")
                ok = false
            }
            tally.add(moment: ranToTheEnd ? "after it finished" : (isDeep ? "during --deep" : "during fast"), survived: ok)
        }
        // A switch after all the kills works, and says what is active.
        let last = try FMNISTProcess.run(["switch", "fashion", "--root", root.path])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(tally.survived == tally.trials)
        print(tally.summary(String(format: "switch takes %.0f ms (fast), %.0f ms (--deep); %d ended before the kill", fast * 1000, deep * 1000, finishedFirst)))
    }

    // MARK: - catalog writes

    /// Commands that write the catalog (verify, import, switch, smoke-train) killed at random moments
    /// over their run, weighted towards the end where they record: `PRAGMA integrity_check` stays ok,
    /// the catalog opens (`versions`, `log`), and the data still verifies.
    @Test(.realData) func killedCatalogWritersLeaveASoundCatalog() throws {
        var random = SeededGenerator(seed: SeededGenerator.seed &+ 2)
        let tally = CrashTally("catalog writers")
        let (base, root) = try DropIn.workspaceWithBoth("crash-catalog")
        let commands: [(String, [String])] = [
            ("verify", ["verify", "all"]),
            ("import", ["import", RealData.fashion.path, "--as", "fashion"]),
            ("switch", ["switch", "mnist"]),
            ("smoke-train", ["smoke-train", "--dataset", "mnist", "--limit", "1000", "--threads", "1"]),
            ("switch", ["switch", "fashion"]),
        ]
        // Each command's duration when left alone (it records its event at the end).
        var durations: [Double] = []
        for (_, arguments) in commands {
            let start = Date()
            let result = try FMNISTProcess.run(arguments + ["--root", root.path])
            #expect([0, 6].contains(result.status), "\(arguments): \(result.stderr)")
            durations.append(Date().timeIntervalSince(start))
        }
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        var finishedFirst = 0
        for trial in 0..<25 {
            let index = trial % commands.count
            let (name, arguments) = commands[index]
            let process = try BackgroundFMNIST(arguments + ["--root", root.path], logs: base.url)
            // Half the kills spread over the whole run, half in its last third (the writes).
            let fraction = trial % 2 == 0 ? Double.random(in: 0...1.1, using: &random) : Double.random(in: 0.66...1.05, using: &random)
            usleep(UInt32(fraction * durations[index] * 1e6))
            let ranToTheEnd = !process.process.isRunning
            if ranToTheEnd { finishedFirst += 1 }
            process.sigkill()

            var ok = true
            let check = try DropIn.integrityCheck(catalog)
            if check != "ok" {
                Issue.record("trial \(trial) (\(name)): integrity_check: \(check)")
                ok = false
            }
            for reader in [["versions", "--json"], ["log", "--json"]] {
                let result = try FMNISTProcess.run(reader + ["--root", root.path])
                if result.status != 0 || (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) == nil {
                    Issue.record("trial \(trial) (\(name)): \(reader[0]) after the kill: exit \(result.status)\n\(result.stderr)")
                    ok = false
                }
            }
            tally.add(moment: ranToTheEnd ? "after it finished" : name, survived: ok)
        }
        let events = try DropIn.python(
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from events').fetchone()[0])", [catalog.path])
        let verify = try FMNISTProcess.run(["verify", "all", "--root", root.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(tally.survived == tally.trials)
        print(
            tally.summary(
                "\(finishedFirst) ended before the kill; \(events.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) events recorded; integrity_check ok after every kill"
            ))
    }
}
