import ArgumentParser
import FMNISTCore

@main
struct FMNISTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmnist",
        abstract: "A copy of MNIST or Fashion-MNIST you can trust.",
        subcommands: [
            VerifyCommand.self,
        ]
    )
}
