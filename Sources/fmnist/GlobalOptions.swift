import ArgumentParser
import FMNISTCore
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Workspace root (default: $FMNIST_ROOT, else ./data).", valueName: "DIR"))
    var root: String?

    @Flag(name: .long, help: "Print a machine-readable result on stdout.")
    var json = false

    @Flag(name: [.short, .long], help: "Print nothing on stderr except errors.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("Directory of extra manifests that add or override datasets (repeatable; also $FMNIST_MANIFESTS).", valueName: "DIR"))
    var manifests: [String] = []

    var layout: WorkspaceLayout { WorkspaceLayout.resolve(root: root) }
    var console: Console { Console(quiet: quiet) }

    func registry() throws -> ManifestRegistry {
        try ManifestRegistry.load(extraDirectories: manifests)
    }

    /// The workspace and manifests a command's back end (``WorkspaceService``) works on.
    func context() throws -> WorkspaceContext {
        WorkspaceContext(layout: layout, registry: try registry())
    }

    /// With `--json`, writes the command's result on stdout (``JSONOutput``); nothing otherwise.
    func printJSON<T: Encodable>(_ value: T) throws {
        if json { Console.writeStdout(try JSONOutput.encode(value)) }
    }
}

/// Runs the library's checks of a command's flags (``FlagBounds``) from `validate()`: a refused
/// value is an ArgumentParser validation error, which `main` turns into exit 2 with the usage line.
func validateFlags(_ checks: () throws -> Void) throws {
    do {
        try checks()
    } catch let error as UsageError {
        throw ValidationError(error.description + (error.hint.map { "\nhint: \($0)" } ?? ""))
    }
}

/// A command whose back end works on one workspace (``WorkspaceService``): `run()` opens the
/// context from `--root` and `--manifests` and reports errors the one way (``runReportingErrors(_:_:)``);
/// the command says only what it does with them.
///
/// ```swift
/// struct StatusCommand: WorkspaceCommand {
///     @OptionGroup var options: GlobalOptions
///     func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
///         let status = try WorkspaceInspector(context: context).status()
///         try options.printJSON(status)
///         return .success
///     }
/// }
/// ```
protocol WorkspaceCommand: AsyncParsableCommand {
    var options: GlobalOptions { get }
    /// The command's work on the workspace; its exit status.
    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus
}

extension WorkspaceCommand {
    func run() async throws {
        try await runReportingErrors(options) { try await run(try options.context(), console: options.console) }
    }
}

/// Runs a command body, mapping fmnist errors to their message, hint and documented exit status.
func runReportingErrors(_ options: GlobalOptions, _ body: () async throws -> ExitStatus) async throws {
    let status: ExitStatus
    do {
        status = try await body()
    } catch let error as FMNISTError {
        let report = ErrorReport(error)
        options.console.emit(report.lines)
        if options.json { Console.writeStdout(report.json) }
        throw ExitCode(error.exitStatus.rawValue)
    }
    if status != .success { throw ExitCode(status.rawValue) }
}
