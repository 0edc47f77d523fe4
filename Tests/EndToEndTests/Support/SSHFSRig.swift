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
    private let sshd = Process()
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
        port = try Self.freePort()
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
        sshd.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
        sshd.arguments = ["-D", "-e", "-f", config.path]
        sshd.standardOutput = try FileHandle(forWritingTo: Self.emptyFile(directory.path("sshd.log")))
        sshd.standardError = sshd.standardOutput
        sshd.standardInput = FileHandle.nullDevice
        try sshd.run()
        do {
            try waitForListener()
            let user = String(cString: getpwuid(getuid()).pointee.pw_name)
            for mount in mounts {
                let result = try Self.run("/usr/bin/sshfs", [
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
        if sshd.isRunning {
            sshd.terminate()
            sshd.waitUntilExit()
        }
    }

    private func waitForListener() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard sshd.isRunning else { throw RigError("sshd exited (\(sshd.terminationStatus)): \(log)") }
            if log.contains("Server listening") { return }
            usleep(20_000)
        }
        throw RigError("sshd did not listen within 10 s: \(log)")
    }

    struct RigError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private static func emptyFile(_ url: URL) -> URL {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RigError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RigError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a tool to its end (bounded: 60 s), with its output.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where FUSE is usable; otherwise the runner reports a skip with this comment
    /// (which `.ci/run` looks for on a machine that has /dev/fuse).
    static var fuse: Self {
        .enabled(if: SSHFSRig.fuseProblem == nil, "needs FUSE (/dev/fuse) for the sshfs rig")
    }
}
