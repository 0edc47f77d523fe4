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

    /// The symlinks each link layout keeps (every layout type's: `init(layout:registry:defaultLocations:)`).
    let linkPlacements: LinkPlacements
    /// The layouts a found file is placed in (every layout type's: `init(layout:registry:defaultLocations:)`).
    let formats: [any DoctorFormat]

    package init(
        layout: WorkspaceLayout, registry: ManifestRegistry, defaultLocations: [URL], linkPlacements: LinkPlacements,
        formats: [any DoctorFormat]
    ) {
        self.layout = layout
        self.registry = registry
        self.defaultLocations = defaultLocations
        self.linkPlacements = linkPlacements
        self.formats = formats
    }

    /// Scans `paths` (each must exist), the default locations that exist and the workspace.
    public func run(paths: [URL], fix: Bool) throws -> DoctorReport {
        let start = Date()
        for path in paths where RegularFile.kind(at: path.path) != .directory {
            throw UsageError("\(path.path) is not a folder", hint: "give a torchvision root, a keras home, a TFDS data dir or any folder")
        }
        let scanner = DoctorScanner(registry: registry, formats: formats)
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
        let judge = DoctorJudge(registry: registry, fmnistLinks: fmnistLinks())
        var findings = judge.judge(candidates)
        let inWorkspace = Set(candidates.filter(\.inWorkspace).map(\.path))
        let repairable = findings.filter { $0.status != .ok && DoctorRepair.refusal($0, inWorkspace: inWorkspace.contains($0.path)) == nil }.count
        if fix {
            var repair = DoctorRepair(layout: layout, registry: registry)
            findings = repair.fix(findings, inWorkspace: inWorkspace)
        }
        return DoctorReport(
            findings: findings, scanned: scanned, entriesSeen: scanner.entriesSeen, filesRead: judge.filesOpened,
            seconds: Date().timeIntervalSince(start), repairable: repairable)
    }

    /// The symlinks fmnist keeps for its registered links (`switch --link PATH --layout …`), still
    /// its own, by ``DoctorPaths/canonical(_:)``, with the dataset each shows now (as `verify` judges
    /// them: a torchvision `FashionMNIST/raw` showing MNIST while MNIST is active is intended).
    func fmnistLinks() -> [String: String] {
        guard RegularFile.kind(at: layout.catalogFile.path) == .regular, let catalog = try? Catalog.openReadOnly(layout) else { return [:] }
        defer { catalog.close() }
        let links = LinkSwitcher(layout: layout)
        let datasets = registry.manifests.map(\.name)
        var shown: [String: String] = [:]
        for registered in (try? catalog.registeredLinkLayouts(in: layout)) ?? [] {
            for placement in linkPlacements.placements(linkPlacements.known(registered.layout) ?? .seed, root: registered.path, registry: registry)
            where links.problem(of: placement) == nil && links.isOurs(placement.path) {
                if let dataset = links.dataset(of: URL(fileURLWithPath: placement.path), among: datasets) {
                    shown[DoctorPaths.canonical(placement.path)] = dataset
                }
            }
        }
        return shown
    }
}
