import ArgumentParser
import FMNISTCore

/// `--lock-timeout SECONDS`, shared by every command that takes the workspace lock (fetch, import,
/// switch, remove, gc, publish), with one range and one check.
struct LockTimeoutOptions: ParsableArguments {
    @Option(name: .customLong("lock-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for another fmnist process, \(FlagBounds.lockTimeout.rangeText); 0 does not wait (default: forever).", valueName: "SECONDS"))
    var lockTimeout: Double?

    func validate() throws {
        try validateFlags { try FlagBounds.lockTimeout.check(lockTimeout) }
    }
}
