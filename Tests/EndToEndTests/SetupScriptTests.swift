import Foundation
import Testing

/// `scripts/setup.sh` run with stub `apt-get`, `dpkg`, `sudo`, `id`, `python3` and `swift` as the only
/// programs on `PATH` (plus the real `env`, which the script uses to carry `DEBIAN_FRONTEND`).
/// Every stub appends its argv to a log; the tests assert the exact commands that would have run.
/// The real apt is never reached: nothing but the stub folder is on `PATH`.
@Suite("scripts/setup.sh with stub apt-get, sudo, id and python3")
struct SetupScriptTests {
    static let packages = "libcurl4-openssl-dev libssl-dev libsqlite3-dev zlib1g-dev pkg-config gzip curl openssl python3 python3-numpy"
    static let update = "apt-get [DEBIAN_FRONTEND=noninteractive] update -qq"
    static let install = "apt-get [DEBIAN_FRONTEND=noninteractive] install -y -qq --no-install-recommends \(packages)"
    static let sudoUpdate = "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq"
    static let sudoInstall = "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \(packages)"
    static let importNumpy = "python3 -c import numpy"

    /// A folder of stubs and the log they write.
    struct Stubs {
        let directory: TemporaryDirectory
        var bin: URL { directory.path("bin") }
        var log: URL { directory.path("argv.log") }

        /// - Parameters:
        ///   - sudo: whether a `sudo` stub exists (it logs, then runs its arguments).
        ///   - swift: whether a `swift` stub exists.
        init(sudo: Bool = true, swift: Bool = true) throws {
            directory = try TemporaryDirectory("fmnist-setup")
            try FileManager.default.createDirectory(at: directory.path("bin"), withIntermediateDirectories: true)
            let logLine = #"{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$STUB_LOG""#
            var stubs: [String: String] = [
                // apt-get also logs the DEBIAN_FRONTEND it sees; installing python3-numpy makes a Debian
                // python import numpy; STUB_APT_FAIL makes `install` fail like a broken package line.
                "apt-get": #"""
                    { printf 'apt-get [DEBIAN_FRONTEND=%s]' "${DEBIAN_FRONTEND:-unset}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$STUB_LOG"
                    if [ "$1" = install ]; then
                      if [ -n "${STUB_APT_FAIL:-}" ]; then echo "E: Unable to locate package python3-numpy" >&2; exit 100; fi
                      if [ -n "${STUB_DEBIAN_PYTHON:-}" ]; then : > "$STUB_STATE/numpy"; fi
                    fi
                    """#,
                "dpkg": logLine,
                "id": logLine + "\n" + #"[ "$1" = -u ] && echo "$STUB_UID""#,
                "python3": logLine + "\n" + #"""
                    if [ "$1" = -c ]; then [ -e "$STUB_STATE/numpy" ]; exit; fi
                    if [ "$1 $2 $3" = "-m pip install" ]; then
                      if [ -n "${STUB_PIP_FAIL:-}" ]; then echo "error: externally-managed-environment" >&2; exit 1; fi
                      : > "$STUB_STATE/numpy"
                    fi
                    """#,
            ]
            if sudo { stubs["sudo"] = logLine + "\nexec \"$@\"" }
            if swift { stubs["swift"] = logLine }
            for (name, body) in stubs {
                let url = bin.appendingPathComponent(name)
                try ("#!/bin/bash\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
            try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("env"), withDestinationURL: URL(fileURLWithPath: "/usr/bin/env"))
            try FileManager.default.createDirectory(at: directory.path("state"), withIntermediateDirectories: true)
        }

        /// The logged commands, one per line.
        func commands() -> [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    struct Run {
        let status: Int32
        let stderr: String
        let commands: [String]
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `bash scripts/setup.sh` with only the stubs on `PATH`.
    static func run(_ stubs: Stubs, uid: Int, extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent("scripts/setup.sh").path]
        process.currentDirectoryURL = repository
        var environment = [
            "PATH": stubs.bin.path, "HOME": stubs.directory.url.path, "STUB_LOG": stubs.log.path,
            "STUB_STATE": stubs.directory.path("state").path, "STUB_UID": String(uid),
        ]
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stderr: String(decoding: data, as: UTF8.self), commands: stubs.commands())
    }

    @Test func asRootAptRunsDirectlyWithDebianFrontendThroughEnv() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_DEBIAN_PYTHON": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == ["id -u", Self.update, Self.install, Self.importNumpy, Self.importNumpy])
        #expect(!run.commands.contains { $0.hasPrefix("sudo") || $0.hasPrefix("dpkg") })
    }

    @Test func asAUserAptRunsThroughSudoWithEnvCarryingDebianFrontend() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 1000, extra: ["STUB_DEBIAN_PYTHON": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == [
            "id -u", Self.sudoUpdate, Self.update, Self.sudoInstall, Self.install, Self.importNumpy, Self.importNumpy,
        ])
    }

    @Test func aPythonThatIsNotDebiansGetsNumpyFromPip() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 0)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == [
            "id -u", Self.update, Self.install, Self.importNumpy, "python3 -m pip install --quiet numpy", Self.importNumpy,
        ])
        #expect(run.stderr.contains("is not Debian's python and has no numpy; installing it with pip"))
    }

    @Test func aFailingPipSaysWhatToDo() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_PIP_FAIL": "1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("`python3 -m pip install numpy` failed for \(stubs.bin.path)/python3"))
        #expect(run.stderr.contains("install numpy for that python"))
    }

    @Test func aBrokenPackageLineFailsTheSetup() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_APT_FAIL": "1"])
        #expect(run.status == 100)
        #expect(run.commands == ["id -u", Self.update, Self.install])
        #expect(run.stderr.contains("Unable to locate package"))
    }

    @Test func notRootAndNoSudoIsAClearErrorAndRunsNoApt() throws {
        let stubs = try Stubs(sudo: false)
        let run = try Self.run(stubs, uid: 1000)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: installing packages needs root; run this script as root or install sudo"))
        #expect(run.commands == ["id -u"])
    }

    @Test func aMissingSwiftToolchainIsAClearErrorAndRunsNothing() throws {
        let stubs = try Stubs(swift: false)
        let run = try Self.run(stubs, uid: 0)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: the Swift 6 toolchain is not on PATH; install it from https://www.swift.org/install/linux/"))
        #expect(run.commands.isEmpty)
    }
}
