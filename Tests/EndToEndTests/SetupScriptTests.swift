import Foundation
import Testing

/// `scripts/setup.sh` run with stub `apt-get`, `dpkg`, `sudo`, `id`, `python3` and `swift` as the only
/// programs on `PATH` (plus the real `env`, which the script uses to carry `DEBIAN_FRONTEND`).
/// Every stub appends its argv to a log; the tests assert the exact commands that would have run.
/// The real apt is never reached: nothing but the stub folder is on `PATH`. The stub `dpkg -s`
/// reports a package installed when `state/installed/PACKAGE` exists (the stub `apt-get install`
/// makes it); the stub `sudo` runs its command unless `STUB_SUDO_PASSWORD` is set, in which case
/// `sudo -n` fails the way the real one does when it would have to ask for a password.
@Suite("scripts/setup.sh with stub apt-get, dpkg, sudo, id and python3")
struct SetupScriptTests {
    static let packageList = ["libcurl4-openssl-dev", "libssl-dev", "libsqlite3-dev", "zlib1g-dev", "pkg-config", "gzip", "curl", "openssl", "python3", "python3-numpy", "python3-venv"]
    static let packages = packageList.joined(separator: " ")
    static let update = "apt-get [DEBIAN_FRONTEND=noninteractive] -o DPkg::Lock::Timeout=300 update -qq"
    static func install(_ names: [String]) -> String {
        "apt-get [DEBIAN_FRONTEND=noninteractive] -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \(names.joined(separator: " "))"
    }
    static let install = install(packageList)
    static let sudoProbe = "sudo -n true"
    static let sudoUpdate = "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq"
    static func sudoInstall(_ names: [String]) -> String {
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \(names.joined(separator: " "))"
    }
    static let importNumpy = "python3 -c import numpy"
    /// The ten `dpkg -s PACKAGE` checks, in the script's order.
    static let checks = packageList.map { "dpkg -s \($0)" }

    /// A folder of stubs and the log they write.
    struct Stubs {
        let directory: TemporaryDirectory
        var bin: URL { directory.path("bin") }
        var log: URL { directory.path("argv.log") }

        /// - Parameters:
        ///   - sudo: whether a `sudo` stub exists (it logs, then runs its arguments).
        ///   - swift: whether a `swift` stub exists.
        ///   - dpkg: whether a `dpkg` stub exists.
        ///   - installed: the packages `dpkg -s` reports installed at the start.
        init(sudo: Bool = true, swift: Bool = true, dpkg: Bool = true, installed: [String] = []) throws {
            directory = try TemporaryDirectory("fmnist-setup")
            try FileManager.default.createDirectory(at: directory.path("bin"), withIntermediateDirectories: true)
            let logLine = #"{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$STUB_LOG""#
            var stubs: [String: String] = [
                // apt-get also logs the DEBIAN_FRONTEND it sees; installing python3-numpy makes a Debian
                // python import numpy; STUB_APT_FAIL makes `install` fail like a broken package line.
                "apt-get": #"""
                    { printf 'apt-get [DEBIAN_FRONTEND=%s]' "${DEBIAN_FRONTEND:-unset}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$STUB_LOG"
                    while [ "${1:-}" = -o ]; do shift 2; done   # -o OPTION=VALUE pairs come before the command
                    if [ "$1" = install ]; then
                      if [ -n "${STUB_APT_FAIL:-}" ]; then echo "E: Unable to locate package python3-numpy" >&2; exit 100; fi
                      for a in "$@"; do
                        case "$a" in -*|install) ;; *) : > "$STUB_STATE/installed/$a" ;; esac
                        if [ "$a" = python3-numpy ] && [ -n "${STUB_DEBIAN_PYTHON:-}" ]; then : > "$STUB_STATE/numpy"; fi
                      done
                    fi
                    """#,
                // The real `dpkg -s` prints the package's record (exit 0) or an error (exit 1).
                "dpkg": logLine + "\n" + #"""
                    if [ -e "$STUB_STATE/installed/$2" ]; then
                      printf 'Package: %s\nStatus: install ok installed\nPriority: optional\n' "$2"
                    else
                      echo "dpkg-query: package '$2' is not installed and no information is available" >&2; exit 1
                    fi
                    """#,
                "id": logLine + "\n" + #"[ "$1" = -u ] && echo "$STUB_UID""#,
                "python3": logLine + "\n" + #"""
                    if [ "$1" = -c ]; then [ -e "$STUB_STATE/numpy" ]; exit; fi
                    if [ "$1 $2 $3" = "-m pip install" ]; then
                      if [ -n "${STUB_PIP_FAIL:-}" ]; then echo "error: externally-managed-environment" >&2; exit 1; fi
                      : > "$STUB_STATE/numpy"
                    fi
                    """#,
            ]
            if sudo {
                stubs["sudo"] = logLine + "\n" + #"""
                    if [ "$1" = -n ]; then
                      shift
                      if [ -n "${STUB_SUDO_PASSWORD:-}" ]; then echo "sudo: a password is required" >&2; exit 1; fi
                    fi
                    "$@"
                    """#
            }
            if swift { stubs["swift"] = logLine }
            if !dpkg { stubs["dpkg"] = nil }
            for (name, body) in stubs {
                let url = bin.appendingPathComponent(name)
                try ("#!/bin/bash\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
            try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("env"), withDestinationURL: URL(fileURLWithPath: "/usr/bin/env"))
            try FileManager.default.createDirectory(at: directory.path("state/installed"), withIntermediateDirectories: true)
            for name in installed { try Data().write(to: directory.path("state/installed/\(name)")) }
            if installed.contains("python3-numpy") { try Data().write(to: directory.path("state/numpy")) }
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

    // MARK: - Nothing missing: no apt, no sudo, whoever runs it

    @Test(arguments: [0, 1000])
    func nothingMissingCallsNeitherAptNorSudo(uid: Int) throws {
        let stubs = try Stubs(installed: Self.packageList)
        let run = try Self.run(stubs, uid: uid)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == Self.checks + [Self.importNumpy, Self.importNumpy])
        #expect(!run.commands.contains { $0.hasPrefix("apt-get") || $0.hasPrefix("sudo") || $0.hasPrefix("id") })
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    @Test func nothingMissingSucceedsForAUserWithoutSudo() throws {
        let stubs = try Stubs(sudo: false, installed: Self.packageList)
        let run = try Self.run(stubs, uid: 1000)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == Self.checks + [Self.importNumpy, Self.importNumpy])
    }

    @Test func nothingMissingSucceedsForASudoUserWhoseSudoWouldAskForAPassword() throws {
        let stubs = try Stubs(installed: Self.packageList)
        let run = try Self.run(stubs, uid: 1000, extra: ["STUB_SUDO_PASSWORD": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.commands.contains { $0.hasPrefix("sudo") })
    }

    /// A package removed with its configuration kept ("deinstall ok config-files") is not installed.
    @Test func aRemovedPackageWithItsConfigurationLeftIsMissing() throws {
        let stubs = try Stubs(installed: Self.packageList.filter { $0 != "curl" })
        try "#!/bin/bash\n{ printf 'dpkg'; for a in \"$@\"; do printf ' %s' \"$a\"; done; printf '\\n'; } >> \"$STUB_LOG\"\n"
            .appending(#"if [ "$2" = curl ] && [ ! -e "$STUB_STATE/installed/curl" ]; then printf 'Package: curl\nStatus: deinstall ok config-files\n'; exit 0; fi"# + "\n")
            .appending(#"[ -e "$STUB_STATE/installed/$2" ] && printf 'Package: %s\nStatus: install ok installed\n' "$2" || exit 1"# + "\n")
            .write(to: stubs.bin.appendingPathComponent("dpkg"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stubs.bin.appendingPathComponent("dpkg").path)
        let run = try Self.run(stubs, uid: 0)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands.contains(Self.install(["curl"])), "\(run.commands)")
    }

    // MARK: - Something missing

    @Test func asRootAptInstallsExactlyWhatIsMissingWithDebianFrontendThroughEnv() throws {
        let stubs = try Stubs(installed: Self.packageList.filter { $0 != "libsqlite3-dev" && $0 != "python3-numpy" })
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_DEBIAN_PYTHON": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == Self.checks + [
            "id -u", Self.update, Self.install(["libsqlite3-dev", "python3-numpy"]), Self.importNumpy, Self.importNumpy,
        ])
        #expect(!run.commands.contains { $0.hasPrefix("sudo") })
        #expect(run.stderr.contains("setup: missing: libsqlite3-dev python3-numpy; installing with apt-get"), "\(run.stderr)")
    }

    @Test func asRootOnAFreshMachineEveryPackageIsInstalled() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_DEBIAN_PYTHON": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == Self.checks + ["id -u", Self.update, Self.install, Self.importNumpy, Self.importNumpy])
        // A second run finds everything and calls apt no more.
        let again = try Self.run(stubs, uid: 0, extra: ["STUB_DEBIAN_PYTHON": "1"])
        #expect(again.status == 0)
        #expect(Array(again.commands.dropFirst(run.commands.count)) == Self.checks + [Self.importNumpy, Self.importNumpy])
    }

    @Test func asASudoUserAptRunsThroughSudoNonInteractively() throws {
        let stubs = try Stubs(installed: Self.packageList.filter { $0 != "zlib1g-dev" })
        let run = try Self.run(stubs, uid: 1000, extra: ["STUB_DEBIAN_PYTHON": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == Self.checks + [
            "id -u", Self.sudoProbe, Self.sudoUpdate, Self.update,
            Self.sudoInstall(["zlib1g-dev"]), Self.install(["zlib1g-dev"]), Self.importNumpy, Self.importNumpy,
        ])
        #expect(run.stderr.contains("setup: missing: zlib1g-dev; installing with sudo -n apt-get"), "\(run.stderr)")
    }

    @Test func aSudoThatWouldAskForAPasswordStopsWithTheCommandToRun() throws {
        let stubs = try Stubs(installed: Self.packageList.filter { $0 != "zlib1g-dev" && $0 != "curl" })
        let run = try Self.run(stubs, uid: 1000, extra: ["STUB_SUDO_PASSWORD": "1"])
        #expect(run.status == 1)
        #expect(run.commands == Self.checks + ["id -u", Self.sudoProbe])
        #expect(run.stderr.contains("error: missing packages: zlib1g-dev curl; installing them needs root"), "\(run.stderr)")
        #expect(run.stderr.contains("run `sudo apt-get install zlib1g-dev curl` (or the same as root), then run this script again"))
    }

    @Test func notRootAndNoSudoWithSomethingMissingIsAClearErrorAndRunsNoApt() throws {
        let stubs = try Stubs(sudo: false, installed: Self.packageList.filter { $0 != "libssl-dev" })
        let run = try Self.run(stubs, uid: 1000)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: missing packages: libssl-dev; installing them needs root and sudo is not installed"), "\(run.stderr)")
        #expect(run.stderr.contains("as root, run `apt-get install libssl-dev`, then run this script again"))
        #expect(run.commands == Self.checks + ["id -u"])
    }

    @Test func aBrokenPackageLineFailsTheSetup() throws {
        let stubs = try Stubs()
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_APT_FAIL": "1"])
        #expect(run.status == 100)
        #expect(run.commands == Self.checks + ["id -u", Self.update, Self.install])
        #expect(run.stderr.contains("Unable to locate package"))
    }

    // MARK: - numpy for a python that is not Debian's

    @Test func aPythonThatIsNotDebiansGetsNumpyFromPip() throws {
        let stubs = try Stubs(installed: Self.packageList)
        try FileManager.default.removeItem(at: stubs.directory.path("state/numpy"))
        let run = try Self.run(stubs, uid: 1000)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.commands == Self.checks + [Self.importNumpy, "python3 -m pip install --quiet numpy", Self.importNumpy])
        #expect(run.stderr.contains("is not Debian's python and has no numpy; installing it with pip"))
    }

    @Test func aFailingPipSaysWhatToDo() throws {
        let stubs = try Stubs(installed: Self.packageList)
        try FileManager.default.removeItem(at: stubs.directory.path("state/numpy"))
        let run = try Self.run(stubs, uid: 0, extra: ["STUB_PIP_FAIL": "1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("`python3 -m pip install numpy` failed for \(stubs.bin.path)/python3"))
        #expect(run.stderr.contains("install numpy for that python"))
    }

    // MARK: - Not Debian, no Swift

    @Test func noDpkgIsAClearErrorNamingThePackages() throws {
        let stubs = try Stubs(dpkg: false)
        let run = try Self.run(stubs, uid: 0)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: dpkg is not on PATH: this script installs with apt (Debian/Ubuntu)"), "\(run.stderr)")
        #expect(run.stderr.contains(Self.packages))
        #expect(run.commands.isEmpty)
    }

    @Test func aMissingSwiftToolchainIsAClearErrorAndRunsNothing() throws {
        let stubs = try Stubs(swift: false)
        let run = try Self.run(stubs, uid: 0)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: the Swift 6 toolchain is not on PATH; install it from https://www.swift.org/install/linux/"))
        #expect(run.commands.isEmpty)
    }
}
