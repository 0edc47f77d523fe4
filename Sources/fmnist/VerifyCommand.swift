import ArgumentParser
import FMNISTCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Prove local files.")
    func run() async throws {}
}
