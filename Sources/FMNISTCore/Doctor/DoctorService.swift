import Foundation

/// `fmnist doctor [PATH…] [--fix]`: finds the MNIST-format files other loaders cached (and the
/// workspace's own), says what each really is, and with `fix` repairs them from the workspace.
///
/// ```swift
/// let service = DoctorService(layout: layout, registry: registry)
/// let report = try service.run(paths: [URL(fileURLWithPath: "~/torch-data")], fix: false)
/// for finding in report.findings where finding.status != .ok { print(finding.path, finding.message) }
/// ```
public struct DoctorService: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry
    /// The default loader locations; tests pass their own.
    public let defaultLocations: [URL]

    public init(layout: WorkspaceLayout, registry: ManifestRegistry, defaultLocations: [URL] = DoctorLocations.defaults()) {
        self.layout = layout
        self.registry = registry
        self.defaultLocations = defaultLocations
    }

    /// Scans `paths` (each must exist), the default locations that exist and the workspace.
    public func run(paths: [URL], fix: Bool) throws -> DoctorReport {
        let start = Date()
        for path in paths where RegularFile.kind(at: path.path) != .directory {
            throw UsageError("\(path.path) is not a folder", hint: "give a torchvision root, a keras home, a TFDS data dir or any folder")
        }
        let scanner = DoctorScanner(registry: registry)
        var scanned: [String] = []
        if RegularFile.kind(at: layout.root.path) == .directory {
            scanner.scanWorkspace(layout)
            scanned.append(layout.root.path)
        }
        for root in paths.map(\.standardizedFileURL) + defaultLocations where RegularFile.kind(at: root.path) == .directory {
            scanner.scan(root)
            if !scanned.contains(root.path) { scanned.append(root.path) }
        }
        // One finding per file and place, however many ways that place was reached (the workspace's
        // view first); the same file in two loaders' places is judged in each.
        var seen: Set<String> = []
        let candidates = scanner.candidates.filter { candidate in
            seen.insert(URL(fileURLWithPath: candidate.path).resolvingSymlinksInPath().path + "\0" + candidate.placeKey).inserted
        }
        let judge = DoctorJudge(registry: registry)
        var findings = judge.judge(candidates)
        if fix {
            var repair = DoctorRepair(layout: layout, registry: registry)
            findings = repair.fix(findings, inWorkspace: Set(candidates.filter(\.inWorkspace).map(\.path)))
        }
        return DoctorReport(
            findings: findings, scanned: scanned, entriesSeen: scanner.entriesSeen, filesRead: judge.filesOpened,
            seconds: Date().timeIntervalSince(start))
    }
}
