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
            let swift = base.path("bin/swift")
            try """
                #!/bin/bash
                case "$1 $2 $3" in
                  "build -c release") [ "$4" = --show-bin-path ] && echo /nonexistent; exit 0 ;;
                esac
                if [ "$1" = test ]; then
                  echo "FMNIST_DATA_DIR seen by the tests: ${FMNIST_DATA_DIR:-unset}"
                  cat "$STUB_OUTPUT"; exit "$STUB_STATUS"
                fi
                exit 0
                """.write(to: swift, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: swift.path)
        }

        struct Run {
            let status: Int32
            let output: String
        }

        /// Runs `script` (relative to the checkout) with the runner printing `lines` and exiting `status`.
        func run(_ script: String, runnerLines: [String], runnerStatus: Int32 = 0, dataDir: String? = nil) throws -> Run {
            let output = base.path("runner-output.txt")
            try (runnerLines + ["✔ Test run with 190 tests in 30 suites passed after 1.0 seconds."]).joined(separator: "\n")
                .appending("\n").write(to: output, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [repo.appendingPathComponent(script).path]
            var environment = [
                "PATH": base.path("bin").path + ":/usr/bin:/bin", "HOME": base.url.path, "STUB_OUTPUT": output.path,
                "STUB_STATUS": String(runnerStatus),
            ]
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
}
