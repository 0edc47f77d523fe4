import Foundation
import Testing

/// `scripts/test.sh` and `.ci/run`, copied into a scratch checkout whose `scripts/setup.sh` does
/// nothing and whose `swift` is a stub that prints a canned test-runner output: the test command
/// repeats the runner's skip lines and count (its closing line counts skips as tests), keeps the
/// runner's exit status, and CI fails when `FMNIST_DATA_DIR` is set and a real-data test skipped.
@Suite struct TestScriptTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let realDataSkip = #"➜ Test realFashionFilesVerifyAndNameTheDataset() skipped: "needs FMNIST_DATA_DIR: the real files in the shared layout""#
    static let otherSkip = #"➜ Test somethingElse() skipped: "not on this CPU""#
    static let cancelled = #"➜ Test readOnlyWorkspaceIsRefusedAndUntouched() was cancelled after 0.2 seconds: "no mount permission""#

    /// `base/repo` (the two scripts, a no-op setup.sh), `base/bin/swift`, and `base/shared/data` when asked.
    struct Checkout {
        let base: TemporaryDirectory
        var repo: URL { base.path("repo") }

        init(sharedData: Bool) throws {
            base = try TemporaryDirectory("fmnist-scripts")
            let fm = FileManager.default
            for folder in ["repo/scripts", "repo/.ci", "bin"] {
                try fm.createDirectory(at: base.path(folder), withIntermediateDirectories: true)
            }
            if sharedData { try fm.createDirectory(at: base.path("shared/data"), withIntermediateDirectories: true) }
            for script in ["scripts/test.sh", ".ci/run"] {
                try fm.copyItem(at: TestScriptTests.repository.appendingPathComponent(script), to: repo.appendingPathComponent(script))
            }
            try "exit 0\n".write(to: repo.appendingPathComponent("scripts/setup.sh"), atomically: true, encoding: .utf8)
            try Data().write(to: repo.appendingPathComponent("Package.swift"))
            for folder in ["release", "debug"] { try fm.createDirectory(at: base.path(folder), withIntermediateDirectories: true) }
            let log = #"{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$STUB_LOG""#
            let stubs: [String: String] = [
                "bin/swift": """
                    case "$1 $2 $3" in
                      "build -c release") [ "$4" = --show-bin-path ] && echo "$STUB_BASE/release"; exit 0 ;;
                      "build --show-bin-path ") echo "$STUB_BASE/debug"; exit 0 ;;
                    esac
                    if [ "$1" = test ]; then
                      echo "FMNIST_DATA_DIR seen by the tests: ${FMNIST_DATA_DIR:-unset}"
                      cat "$STUB_OUTPUT"; exit "$STUB_STATUS"
                    fi
                    exit 0
                    """,
                // `id -u` says STUB_UID; `id -u USER` knows a user once the stub useradd made it.
                "bin/id": log + "\n" + #"""
                    if [ "$#" = 1 ]; then echo "$STUB_UID"; exit 0; fi
                    [ -e "$STUB_BASE/user-$2" ] && echo 999
                    """#,
                "bin/useradd": log + "\n" + #"for a in "$@"; do last="$a"; done; : > "$STUB_BASE/user-$last""#,
                "bin/chown": log,
                // runuser -u USER -- COMMAND…: logs, then runs the command as this user.
                "bin/runuser": log + "\n" + #"shift 3; "$@""#,
                "release/fmnist": "exit 0",
                "debug/fmnistPackageTests.xctest": log + "\n" + #"cat "$STUB_USER_OUTPUT"; exit "$STUB_USER_STATUS""#,
            ]
            for (path, body) in stubs {
                try ("#!/bin/bash\n" + body + "\n").write(to: base.path(path), atomically: true, encoding: .utf8)
                try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base.path(path).path)
            }
        }

        /// The commands the stubs logged (id, useradd, chown, runuser and the test bundle).
        func commands() -> [String] {
            ((try? String(contentsOf: base.path("argv.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        struct Run {
            let status: Int32
            let output: String
        }

        /// Runs `script` (relative to the checkout) with the runner printing `lines` and exiting `status`.
        /// With `userRun`, the unprivileged run is on (as uid `uid`) and the test bundle prints
        /// `userLines` and exits `userStatus`; otherwise `FMNIST_TEST_USER_RUN=0`.
        func run(
            _ script: String, runnerLines: [String], runnerStatus: Int32 = 0, dataDir: String? = nil,
            userRun: Bool = false, uid: Int = 0, userLines: [String] = [], userStatus: Int32 = 0, arguments: [String] = []
        ) throws -> Run {
            let userOutput = base.path("user-output.txt")
            try userLines.joined(separator: "\n").appending("\n").write(to: userOutput, atomically: true, encoding: .utf8)
            let output = base.path("runner-output.txt")
            try (runnerLines + ["✔ Test run with 190 tests in 30 suites passed after 1.0 seconds."]).joined(separator: "\n")
                .appending("\n").write(to: output, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [repo.appendingPathComponent(script).path] + arguments
            var environment = [
                "PATH": base.path("bin").path + ":/usr/bin:/bin", "HOME": base.url.path, "STUB_OUTPUT": output.path,
                "STUB_STATUS": String(runnerStatus), "STUB_BASE": base.url.path, "STUB_LOG": base.path("argv.log").path,
                "STUB_UID": String(uid), "STUB_USER_OUTPUT": userOutput.path, "STUB_USER_STATUS": String(userStatus),
            ]
            if !userRun { environment["FMNIST_TEST_USER_RUN"] = "0" }
            if let dataDir { environment["FMNIST_DATA_DIR"] = dataDir }
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }

    @Test func theTestCommandRepeatsTheRunnersSkipsAndTheirCount() throws {
        let checkout = try Checkout(sharedData: false)
        let run = try checkout.run("scripts/test.sh", runnerLines: [Self.realDataSkip, "✔ Test other() passed", Self.otherSkip, Self.cancelled])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("note: FMNIST_DATA_DIR is not set: the real-data tests will be reported as skipped"))
        #expect(run.output.contains("SKIPPED or cancelled by the test runner: 3 test(s)"), "\(run.output)")
        #expect(run.output.contains("  \(Self.realDataSkip)") && run.output.contains("  \(Self.otherSkip)") && run.output.contains("  \(Self.cancelled)"))
        let clean = try checkout.run("scripts/test.sh", runnerLines: ["✔ Test other() passed"])
        #expect(clean.output.contains("the test runner skipped or cancelled no test") && !clean.output.contains("SKIPPED or"))
    }

    @Test func theTestCommandKeepsTheRunnersExitStatus() throws {
        let checkout = try Checkout(sharedData: false)
        let run = try checkout.run("scripts/test.sh", runnerLines: ["✘ Test broken() failed"], runnerStatus: 1)
        #expect(run.status == 1, "\(run.output)")
    }

    @Test func ciFailsWhenTheDataIsThereAndARealDataTestSkipped() throws {
        let checkout = try Checkout(sharedData: true)
        let run = try checkout.run(".ci/run", runnerLines: [Self.realDataSkip])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("FMNIST_DATA_DIR seen by the tests: \(checkout.base.path("shared/data").path)"))
        #expect(run.output.contains("ci: FAILED: FMNIST_DATA_DIR=\(checkout.base.path("shared/data").path) is set, yet the runner skipped 1 real-data test(s)"))
        // Other skips, or none, pass; so does a real-data skip when there is no data to point at.
        #expect(try checkout.run(".ci/run", runnerLines: [Self.otherSkip]).status == 0)
        let clean = try checkout.run(".ci/run", runnerLines: ["✔ Test other() passed"])
        #expect(clean.status == 0 && clean.output.contains("ci: no real-data test was skipped"), "\(clean.output)")
        #expect(try Checkout(sharedData: false).run(".ci/run", runnerLines: [Self.realDataSkip]).status == 0)
        // A failing suite fails CI whatever the skips.
        #expect(try checkout.run(".ci/run", runnerLines: ["✘ Test broken() failed"], runnerStatus: 1).status == 1)
    }

    // MARK: - The unprivileged run (test.sh as root)

    static let userPassed = "✔ Test run with 12 tests in 4 suites passed after 30.0 seconds."

    @Test func asRootTheTestCommandRunsThePrivilegeDependentTestsAgainAsACreatedUser() throws {
        let checkout = try Checkout(sharedData: false)
        let run = try checkout.run(
            "scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true, userLines: [Self.otherSkip, Self.userPassed])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("unprivileged run as fmnist-ci: passed (12 tests)"), "\(run.output)")
        #expect(run.output.contains("  of which SKIPPED or cancelled as fmnist-ci: 1 test(s):\n    \(Self.otherSkip)"), "\(run.output)")
        let commands = checkout.commands()
        #expect(commands.contains("useradd --system --no-create-home --shell /usr/sbin/nologin fmnist-ci"), "\(commands)")
        let bundle = checkout.base.path("debug/fmnistPackageTests.xctest").path
        let runs = commands.filter { $0.hasPrefix("runuser -u fmnist-ci -- env HOME=") && $0.contains(bundle) }
        #expect(runs.count == 1, "\(commands)")
        #expect(runs.first?.contains("--testing-library swift-testing --filter WorkspaceStoreTests|") == true, "\(commands)")
        #expect(commands.contains { $0.hasPrefix("fmnistPackageTests.xctest --testing-library swift-testing --filter ") })
        // A second run finds the user and creates it no more.
        _ = try checkout.run("scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true, userLines: [Self.userPassed])
        #expect(checkout.commands().filter { $0.hasPrefix("useradd") }.count == 1)
    }

    /// A clone under a folder other users cannot enter (e.g. /root): the run lets the test user
    /// pass through it (search bit only) and puts its mode back afterwards.
    @Test func aFolderAboveTheCheckoutThatOthersCannotEnterIsOpenedForTheRunAndPutBack() throws {
        let checkout = try Checkout(sharedData: false)
        let fm = FileManager.default
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: checkout.base.url.path)
        defer { try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: checkout.base.url.path) }
        let run = try checkout.run(
            "scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true, userLines: [Self.userPassed])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("note: \(checkout.base.url.path): search bit for others set for the unprivileged run (put back after it)"), "\(run.output)")
        #expect(run.output.contains("unprivileged run as fmnist-ci: passed (12 tests)"), "\(run.output)")
        let mode = (try fm.attributesOfItem(atPath: checkout.base.url.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o700, "the folder's mode is \(String(mode ?? -1, radix: 8)) after the run")
    }

    @Test func aFailingUnprivilegedRunFailsTheTestCommand() throws {
        let checkout = try Checkout(sharedData: false)
        let run = try checkout.run(
            "scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true,
            userLines: ["✘ Test readOnly() recorded an issue", "✘ Test run with 12 tests in 4 suites failed after 3.0 seconds with 1 issue."], userStatus: 1)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("✘ Test readOnly() recorded an issue"))
        #expect(run.output.contains("unprivileged run as fmnist-ci: FAILED (exit 1)"), "\(run.output)")
        // A runner that exits 0 without a passing closing line fails too.
        let silent = try checkout.run("scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true, userLines: [])
        #expect(silent.status == 1 && silent.output.contains("the runner reported no passing run"), "\(silent.output)")
    }

    @Test func notRootOrAPartialRunHasNoUnprivilegedRun() throws {
        let checkout = try Checkout(sharedData: false)
        let user = try checkout.run("scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true, uid: 1000, userStatus: 1)
        #expect(user.status == 0, "\(user.output)")
        #expect(!user.output.contains("unprivileged run"))
        let partial = try checkout.run(
            "scripts/test.sh", runnerLines: ["✔ Test other() passed"], userRun: true, userStatus: 1, arguments: ["--filter", "X"])
        #expect(partial.status == 0, "\(partial.output)")
        #expect(partial.output.contains("note: arguments were passed to swift test: the unprivileged run is left out"))
        #expect(!checkout.commands().contains { $0.hasPrefix("runuser") })
    }
}
