import FMNISTCore
import Foundation
import Testing

/// One workspace on a shared file system, reached through two sshfs mounts of one folder (two
/// FUSE clients, like two NFS clients): the lease lock, per-process partials, read-back proof and
/// the rollback-journal catalog keep it whole (README, "One workspace on a shared file system").
@Suite(.serialized) struct SharedWorkspaceEndToEndTests {
    /// 4 concurrent `fetch all` (2 through each mount) into one fresh workspace, 5 trials. Every
    /// process exits 0, or 7 naming the lease's holder; whoever said "verified" is right (`verify
    /// all` passes on the server's side); every store file hashes to its name; the catalog passes
    /// `integrity_check`; the mirror sends at most 1.1× one fetch's bytes.
    @Test(.realData, .fuse, .timeLimit(.minutes(30))) func fourFetchesThroughTwoMountsKeepOneWorkspaceWhole() throws {
        let rig = try SSHFSRig()
        defer { rig.stop() }
        let tree = try MirrorTree()
        let logs = try TemporaryDirectory("fmnist-sshfs-logs")
        let oneFetch = ["fashion", "mnist"].flatMap { dataset in MirrorTree.names.map { tree.url.appendingPathComponent("\(dataset)/\($0)") } }
            .map { fileSize(URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: $0.path)) ?? $0.path)) }
            .reduce(0, +)
        #expect(oneFetch > 40_000_000)
        var waits = 0
        for trial in 1...5 {
            let server = try MirrorServer(root: tree.url)
            defer { server.stop() }
            let name = "trial\(trial)"
            try FileManager.default.createDirectory(at: rig.shared.appendingPathComponent(name), withIntermediateDirectories: true)
            let mirrors = ["--mirror", "fashion=" + server.url("fashion/"), "--mirror", "mnist=" + server.url("mnist/")]
            let processes = try (0..<4).map { index in
                let root = rig.mounts[index % 2].appendingPathComponent("\(name)/data").path
                return try BackgroundFMNIST(["fetch", "all", "--root", root, "--lock-timeout", "300"] + mirrors, logs: logs.url)
            }
            let results = processes.map { $0.wait(timeout: 420) }
            for result in results {
                let heldWithHolder = result.status == ExitStatus.workspace.rawValue
                    && result.stderr.contains("the workspace lock is still held by fmnist") && result.stderr.contains(" on ")
                #expect(result.status == 0 || heldWithHolder, "trial \(trial): exit \(result.status)\n\(result.stderr)")
                if result.stderr.contains("waiting for ") {
                    waits += 1
                    #expect(result.stderr.contains("to release the workspace lease"), "\(result.stderr)")
                }
            }
            let data = rig.shared.appendingPathComponent("\(name)/data")
            // Judged on the server's side of the mounts: what is really on the disk.
            let verify = try FMNISTProcess.run(["verify", "all", "--root", data.path], timeout: 300)
            if results.contains(where: { $0.stderr.contains("verified") }) {
                #expect(verify.status == 0, "trial \(trial): a process said verified, yet verify says:\n\(verify.stderr)")
            }
            let store = data.appendingPathComponent(".fmnist/store/sha256")
            let hashes = try DropIn.python("""
                import hashlib, os, sys
                for name in sorted(os.listdir(sys.argv[1])):
                    with open(os.path.join(sys.argv[1], name), 'rb') as f:
                        print(name, hashlib.sha256(f.read()).hexdigest())
                """, [store.path])
            let lines = hashes.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(lines.count == 8, "trial \(trial): store holds \(lines.count) files\n\(hashes.stdout)\(hashes.stderr)")
            for line in lines { #expect(line.count == 2 && line[0] == line[1], "trial \(trial): store file \(line)") }
            #expect(try DropIn.integrityCheck(data.appendingPathComponent(".fmnist/catalog.sqlite3")) == "ok", "trial \(trial)")
            let sent = try server.stats().values.map(\.bytes).reduce(0, +)
            #expect(Double(sent) <= 1.1 * Double(oneFetch), "trial \(trial): the mirror sent \(sent) bytes, one fetch is \(oneFetch)")
            print("shared workspace trial \(trial): exits \(results.map(\.status)), mirror sent \(String(format: "%.3f", Double(sent) / Double(oneFetch)))× one fetch")
        }
        #expect(waits > 0, "no process ever waited for the lease: the fetches did not overlap")
    }

    /// The rig's two mounts really are two clients: a file written through one is read through the
    /// other, the workspace there is judged shared (fuse), and a flock through one mount does not
    /// exclude the other (why fmnist takes a lease there).
    @Test(.fuse) func theTwoMountsAreOneFolderAndFUSE() throws {
        let rig = try SSHFSRig()
        defer { rig.stop() }
        try Data("hello".utf8).write(to: rig.mounts[0].appendingPathComponent("probe"))
        #expect(try String(contentsOf: rig.mounts[1].appendingPathComponent("probe"), encoding: .utf8) == "hello")
        let kind = SharedFileSystem.detect(path: rig.mounts[1].path, environment: [:])
        #expect(kind.isShared && kind.name == "fuse")
        try FileManager.default.createDirectory(at: rig.mounts[0].appendingPathComponent("d"), withIntermediateDirectories: true)
        let first = open(rig.mounts[0].appendingPathComponent("d").path, O_RDONLY | O_DIRECTORY)
        let second = open(rig.mounts[1].appendingPathComponent("d").path, O_RDONLY | O_DIRECTORY)
        defer { close(first); close(second) }
        #expect(flock(first, LOCK_EX | LOCK_NB) == 0)
        #expect(flock(second, LOCK_EX | LOCK_NB) == 0, "a flock through one mount excluded the other: the rig is not two clients")
        // A lease taken through one mount holds through the other, and the refusal names its holder.
        let root = rig.mounts[0].appendingPathComponent("ws")
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".fmnist"), withIntermediateDirectories: true)
        let lease = try WorkspaceLease.acquire(WorkspaceLayout(root: root), command: "fetch", timeout: 5)
        defer { lease.release() }
        let refused = try FMNISTProcess.run(["fetch", "all", "--root", rig.mounts[1].appendingPathComponent("ws").path, "--lock-timeout", "1", "--offline"])
        #expect(refused.status == ExitStatus.workspace.rawValue, "\(refused.stderr)")
        #expect(refused.stderr.contains("still held by fmnist fetch (pid \(getpid()) on \(WorkspaceLease.hostName)"), "\(refused.stderr)")
    }
}
