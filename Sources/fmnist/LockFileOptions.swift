import ArgumentParser
import FMNISTCore

/// `--file PATH`, the lock file of `--locked` (fetch, verify): one option and one rule
/// (``ProjectLock/lockFile(file:locked:command:)``: without `--locked` it is a usage error).
struct LockFileOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The lock file for --locked (default: ./fmnist.lock).", valueName: "PATH"))
    var file: String?

    /// The lock file to read, for `command` ("fetch", "verify") run with or without `--locked`.
    func path(locked: Bool, command: String) throws -> String {
        try ProjectLock.lockFile(file: file, locked: locked, command: command)
    }
}
