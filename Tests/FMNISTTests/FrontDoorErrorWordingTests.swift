import FMNIST
import FMNISTCore
import Foundation
import TestSupport
import Testing

/// `FMNIST` never tells a Swift program to run a command or pass a flag: every ``DatasetError``
/// the API throws says what to do next as a call of the API.
@Suite struct FrontDoorErrorWordingTests {
    /// The commands of the executable, as advice would name them.
    static let commands = [
        "fetch", "verify", "switch", "import", "versions", "export", "diff", "preview", "audit", "remove", "gc", "lock",
        "doctor", "status", "smoke-train", "publish", "help", "config", "repair",
    ]

    /// What in `text` reads as command-line advice: `fmnist COMMAND`, a `--flag`, a backticked command.
    static func commandLineWords(_ text: String) -> [String] {
        var found: [String] = []
        for command in commands where text.contains("fmnist \(command)") { found.append("fmnist \(command)") }
        if let flag = text.range(of: #"(^|[\s(\[])--[a-z]"#, options: .regularExpression) { found.append(String(text[flag])) }
        if text.contains("`") { found.append("a backtick") }
        if text.contains("run:") || text.contains("pass --") { found.append("run:/pass") }
        return found
    }

    /// The case of an error, by name, to check that every case was seen.
    static func caseName(_ error: DatasetError) -> String {
        switch error {
        case .unknownDataset: return "unknownDataset"
        case .notFetched: return "notFetched"
        case .unknownVersion: return "unknownVersion"
        case .ambiguousVersion: return "ambiguousVersion"
        case .missingFile: return "missingFile"
        case .wrongFile: return "wrongFile"
        case .damaged: return "damaged"
        case .mismatchedSplit: return "mismatchedSplit"
        case .operationFailed(let operation, _, _): return "operationFailed:" + (operation.split(separator: " ").first.map(String.init) ?? "")
        }
    }

    /// Runs `call`, which must throw a ``DatasetError``, and returns it.
    static func thrown(_ call: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> DatasetError? {
        do {
            try call()
            Issue.record("expected a DatasetError", sourceLocation: sourceLocation)
            return nil
        } catch let error as DatasetError {
            return error
        } catch {
            Issue.record("expected a DatasetError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func everyErrorTheAPIThrowsSaysWhatToCallNotWhatToRun() throws {
        var errors: [DatasetError?] = []
        let toy = try ToyWorkspace("wording")
        let scratch = toy.scratch.url

        // Names and versions.
        errors.append(Self.thrown { _ = try toy.workspace.load("cifar") })
        let empty = try Workspace(root: scratch.appendingPathComponent("empty"))
        errors.append(Self.thrown { _ = try empty.load(.fashion) })
        errors.append(Self.thrown { _ = try empty.load(.fashion, version: "2017-08-31") })
        errors.append(Self.thrown { _ = try toy.workspace.load("toyfashion", version: "v7") })

        // Files of the live version: wrong, truncated, missing.
        try toy.replaceLiveFile(
            of: "toyfashion", role: .testLabels, with: toy.mnist.folder.appendingPathComponent(SyntheticDataset.fileName(.testLabels)))
        errors.append(Self.thrown { _ = try toy.workspace.load("toyfashion") })
        // The same file met by audit's proven read (whose command-line refusal says what to run),
        // and an audit option out of range (whose command-line refusal names the flag).
        let auditRefusal = Self.thrown { _ = try toy.workspace.audit("toyfashion") }
        errors.append(auditRefusal)
        #expect(auditRefusal?.description.contains("is not the recorded") == true, "\(String(describing: auditRefusal))")
        let auditOptions = Self.thrown { _ = try toy.workspace.audit("toyfashion", options: AuditOptions(folds: 1)) }
        errors.append(auditOptions)
        #expect(auditOptions?.description.contains("AuditOptions.folds 1 is out of range: it must be 2–20") == true,
                "\(String(describing: auditOptions))")
        let whole = try Data(contentsOf: toy.mnist.folder.appendingPathComponent(SyntheticDataset.fileName(.trainImages)))
        let cut = scratch.appendingPathComponent("cut.gz")
        try whole.prefix(whole.count / 2).write(to: cut)
        try toy.replaceLiveFile(of: "toymnist", role: .trainImages, with: cut)
        errors.append(Self.thrown { _ = try toy.workspace.load("toymnist") })
        let live = WorkspaceLayout(root: toy.root).liveDirectory(dataset: "toymnist")
        try FileManager.default.removeItem(at: live.appendingPathComponent(SyntheticDataset.fileName(.trainImages)))
        errors.append(Self.thrown { _ = try toy.workspace.load("toymnist") })

        // Import refusals: unknown content, another dataset's files, a folder without the files.
        let other = try SyntheticDataset(name: "toyfashion", title: "Toy-Fashion", seed: 11, in: scratch.appendingPathComponent("other"))
        errors.append(Self.thrown { try toy.workspace.importFolder(other.folder, as: "toyfashion") })
        errors.append(Self.thrown { try toy.workspace.importFolder(toy.mnist.folder, as: "toyfashion") })
        let nothing = scratch.appendingPathComponent("nothing")
        try FileManager.default.createDirectory(at: nothing, withIntermediateDirectories: true)
        errors.append(Self.thrown { try toy.workspace.importFolder(nothing, as: "toyfashion") })

        // Switch to a dataset the workspace does not hold; fetch, verify, switch and status where
        // `.fmnist` is a file; verify where there is no workspace; a corrupt catalog.
        let fresh = try Workspace(root: scratch.appendingPathComponent("fresh"), manifests: [toy.fashion.manifestDirectory])
        try fresh.importFolder(toy.fashion.folder, as: "toyfashion")
        errors.append(Self.thrown { _ = try fresh.switchTo(.mnist) })
        let blocked = scratch.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: blocked.appendingPathComponent(".fmnist"))
        let blockedWorkspace = try Workspace(root: blocked)
        errors.append(Self.thrown { _ = try blockedWorkspace.fetch(.fashion, offline: true) })
        errors.append(Self.thrown { _ = try blockedWorkspace.verify(.fashion) })
        errors.append(Self.thrown { _ = try blockedWorkspace.switchTo(.fashion) })
        errors.append(Self.thrown { _ = try Workspace(root: scratch.appendingPathComponent("absent")).verify(.mnist) })
        let corrupt = scratch.appendingPathComponent("corrupt")
        try FileManager.default.createDirectory(at: corrupt.appendingPathComponent(".fmnist"), withIntermediateDirectories: true)
        try Data(repeating: 0x5a, count: 4096).write(to: corrupt.appendingPathComponent(".fmnist/catalog.sqlite3"))
        errors.append(Self.thrown { _ = try Workspace(root: corrupt).load(.fashion) })

        // Cases no workspace on disk produces (the catalog pins both halves of a split and ids
        // differ within 4 hex digits only by chance): their wording is checked all the same.
        errors.append(.mismatchedSplit(split: "training", images: [30, 28, 28], labels: [31]))
        errors.append(.ambiguousVersion(dataset: "fashion", version: "91a5", matches: ["2017-08-31 (91a5aaaaaaaa)", "unknown (91a5bbbbbbbb)"]))

        let seen = errors.compactMap { $0 }
        #expect(seen.count == errors.count)
        for error in seen {
            let words = Self.commandLineWords(error.description)
            #expect(words.isEmpty, "\(Self.caseName(error)): \(error.description) says \(words)")
        }
        let names = Set(seen.map(Self.caseName))
        let expected: Set<String> = [
            "unknownDataset", "notFetched", "unknownVersion", "ambiguousVersion", "missingFile", "wrongFile", "damaged",
            "mismatchedSplit", "operationFailed:import", "operationFailed:switch", "operationFailed:fetch", "operationFailed:verify", "operationFailed:audit",
        ]
        #expect(expected.isSubset(of: names), "not seen: \(expected.subtracting(names))")

        // The advice names the API: what to call, with which argument.
        let advice = seen.map(\.description)
        #expect(advice.contains { $0.contains("workspace.fetch(.fashion)") })
        #expect(advice.contains { $0.contains("acceptUnknown: true") })
        #expect(advice.contains { $0.contains("workspace.verify(dataset)") })
        #expect(advice.contains { $0.contains("move \(blocked.path)/.fmnist aside") })
        #expect(advice.contains { $0.contains("give workspace.importFolder(_:as:) a folder of the four .gz files, ") && $0.hasSuffix("or an export hf (Parquet) folder") })
        #expect(advice.contains { $0.contains("stored versions: v1 (") })
    }

    /// The reasons a fetch gives for each mirror, and the phrases that say how an unknown version
    /// came to be kept, reach `FMNIST` users in ``FetchSummary/message`` and ``VerifySummary``:
    /// they state facts, and the command line adds its flags in its own hints.
    @Test func transferReasonsAndAdmissionPhrasesNameNoFlag() {
        let failures: [TransferFailure] = [
            .httpStatus(404), .s3(status: 403, code: "AccessDenied", message: nil), .redirectRefused(target: "ftp://x/"),
            .tooManyRedirects(limit: 5), .certificate(message: "self-signed"), .timeout(message: "30 s"),
            .connectionLost(message: "reset"), .unreachable(message: "no route"), .unresolved(message: "no host"),
            .refused(message: "busy"), .localFile(message: "absent"), .abortedByReceiver, .deadline(seconds: 5), .interrupted,
            .other(code: 99, message: "odd"),
        ]
        for failure in failures {
            #expect(Self.commandLineWords(failure.description).isEmpty, "\(failure.description)")
        }
        for admission in [UnknownAdmission.acceptUnknown, .lock, .recovered, nil] {
            #expect(Self.commandLineWords(UnknownAdmission.phrase(admission)).isEmpty, "\(UnknownAdmission.phrase(admission))")
        }
    }

    @Test func theCommandLineKeepsItsOwnWordsForTheSameErrors() {
        // The executable's hints are unchanged; the remedy beside them is the same advice as data.
        let missing = WorkspaceError.datasetMissing(dataset: "fashion")
        #expect(missing.hint == "run: fmnist fetch fashion (or fmnist import DIR --as fashion)")
        #expect(missing.remedy == .fetch(dataset: "fashion"))
        #expect(WorkspaceError.lockTimeout(holder: nil, waited: 3).remedy == .raiseLockTimeout)
        #expect(CatalogError.corrupt(path: "/c", detail: "x").remedy == .moveCatalogAside(path: "/c"))
    }
}
