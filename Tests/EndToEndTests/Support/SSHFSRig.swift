import Foundation
import Testing

/// Two `sshfs` mounts of one folder over a loopback `sshd`: two FUSE clients of one file server,
/// which behave like two NFS clients (a `flock` through one is invisible through the other).
///
/// The rig makes its own host key and client key, an `authorized_keys`, and an `sshd_config`
/// (`StrictModes no`, `UsePAM no`, internal sftp) in a temporary folder; `sshd -D` listens on a
/// free 127.0.0.1 port; each mount is `sshfs user@127.0.0.1:SHARED MOUNT` with that key. ``stop()``
/// (also on deinit) unmounts both and ends sshd. Needs `/dev/fuse`, `openssh-server` and `sshfs`
/// (scripts/setup.sh installs the packages).
final class SSHFSRig {
    /// Why the rig cannot run here (nil: FUSE is usable). Only the absence of FUSE skips a test.
    static let fuseProblem: String? = {
        guard FileManager.default.fileExists(atPath: "/dev/fuse") else { return "no /dev/fuse on this machine" }
        let fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return "/dev/fuse cannot be opened by uid \(getuid()): \(String(cString: strerror(errno)))" }
        close(fd)
        return nil
    }()

    let directory: TemporaryDirectory
    /// The folder both mounts show (the server's side).
    let shared: URL
    let mounts: [URL]
    let port: Int
    /// sshd's pid (0: not started or ended).
    private var sshd: pid_t = 0
    private var mounted: [URL] = []
    private var stopped = false

    init(mountCount: Int = 2) throws {
        for tool in ["/usr/sbin/sshd", "/usr/bin/sshfs", "/usr/bin/ssh-keygen"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw RigError("\(tool) is missing: run scripts/setup.sh (it installs openssh-server and sshfs)")
        }
        let directory = try TemporaryDirectory("fmnist-sshfs")
        self.directory = directory
        shared = directory.path("shared")
        mounts = (0..<mountCount).map { directory.path("mount\($0)") }
        for folder in [shared] + mounts { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let hostKey = directory.path("host_key").path
        let clientKey = directory.path("client_key").path
        for key in [hostKey, clientKey] {
            let made = try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
            guard made.status == 0 else { throw RigError("ssh-keygen failed: \(made.output)") }
        }
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: directory.path("authorized_keys").path)
        port = try LoopbackPort.free()
        let config = directory.path("sshd_config")
        try """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(hostKey)
            PidFile \(directory.path("sshd.pid").path)
            AuthorizedKeysFile \(directory.path("authorized_keys").path)
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            Subsystem sftp internal-sftp

            """.write(to: config, atomically: true, encoding: .utf8)
        // As root, sshd needs its privilege-separation folder (the Debian service makes it at start).
        if getuid() == 0, !FileManager.default.fileExists(atPath: "/run/sshd") { mkdir("/run/sshd", 0o755) }
        // Not through Foundation's Process: sshd closes every inherited descriptor at start, among
        // them the one Process watches, and Process then blocks in waitpid for it, seeing no other
        // child of this test process end until sshd does.
        sshd = try Self.spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config.path], output: directory.path("sshd.log"))
        do {
            try waitForListener()
            let user = String(cString: getpwuid(getuid()).pointee.pw_name)
            for mount in mounts {
                // Through python's subprocess (close_fds): the daemon sshfs leaves behind must not
                // inherit this process's descriptors, among them those Foundation's Process watches
                // to see its children end (it would not see the mirror server end while sshfs runs).
                let result = try Self.run("/usr/bin/env", [
                    "python3", "-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))", "/usr/bin/sshfs",
                    "-p", String(port),
                    "-o", "IdentityFile=\(clientKey),StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes,LogLevel=ERROR",
                    "\(user)@127.0.0.1:\(shared.path)", mount.path,
                ])
                guard result.status == 0 else {
                    throw RigError("sshfs could not mount \(mount.path) (exit \(result.status)): \(result.output)\nsshd: \(log)")
                }
                mounted.append(mount)
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// sshd's log so far.
    var log: String { (try? String(contentsOf: directory.path("sshd.log"), encoding: .utf8)) ?? "" }

    /// Unmounts every mount and stops sshd. Safe to call twice.
    func stop() {
        guard !stopped else { return }
        stopped = true
        for mount in mounted {
            let fusermount = FileManager.default.isExecutableFile(atPath: "/usr/bin/fusermount3") ? "/usr/bin/fusermount3" : "/bin/fusermount"
            if (try? Self.run(fusermount, ["-u", mount.path]))?.status != 0 {
                _ = try? Self.run(fusermount, ["-u", "-z", mount.path])  // busy: detach lazily
            }
        }
        mounted = []
        if sshd > 0 {
            kill(sshd, SIGTERM)
            var status: Int32 = 0
            _ = waitpid(sshd, &status, 0)
            sshd = 0
        }
    }

    /// Whether sshd still runs (reaps it when it ended).
    private var sshdRunning: Bool {
        guard sshd > 0 else { return false }
        var status: Int32 = 0
        if waitpid(sshd, &status, WNOHANG) == sshd {
            sshd = 0
            return false
        }
        return true
    }

    private func waitForListener() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard sshdRunning else { throw RigError("sshd exited: \(log)") }
            if log.contains("Server listening") { return }
            usleep(20_000)
        }
        throw RigError("sshd did not listen within 10 s: \(log)")
    }

    struct RigError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }


    /// Starts `tool` with stdin from /dev/null and stdout + stderr into `output`; returns its pid.
    static func spawn(_ tool: String, _ arguments: [String], output: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
        guard spawned == 0 else { throw RigError("cannot run \(tool): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Runs a tool to its end (bounded: 60 s), with its output: through a file, since a daemon the
    /// tool leaves behind would hold a pipe open forever.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-rig-\(UUID().uuidString.prefix(8)).log")
        defer { unlink(log.path) }
        let pid = try spawn(tool, arguments, output: log)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(60)
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw RigError("waitpid \(tool): \(String(cString: strerror(errno)))") }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw RigError("\(tool) did not end within 60 s")
            }
            usleep(10_000)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, output)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where FUSE is usable; otherwise the runner reports a skip with this comment
    /// (which `.ci/run` looks for on a machine that has /dev/fuse).
    static var fuse: Self {
        .enabled(if: SSHFSRig.fuseProblem == nil, "needs FUSE (/dev/fuse) for the sshfs rig")
    }
}
