import Foundation
import Testing

/// One fault of DESIGN.md's "What can go wrong" table that applies to `fmnist fetch`, as the
/// fault matrix injects it into the loopback mirror (`Tests/Support/mirror_server.py`).
struct MatrixFault: Sendable {
    enum Injection: Sendable {
        /// A fault spec (JSON, see mirror_server.py) on one file's path of every faulty mirror.
        case path(file: String, spec: String)
        /// The mirror's port has no listener (connection refused).
        case connectionRefused
        /// The mirror's host name does not resolve.
        case dnsFailure
        /// An https mirror whose certificate is self-signed (not trusted by default).
        case untrustedTLS
    }

    let name: String
    let injection: Injection
    var environment: [String: String] = [:]
    /// The skip code each faulty mirror gets for each faulted file (nil when the same mirror recovers).
    let code: String?
    /// A fragment of the message that says why (on the skip line, or of the recovery).
    let reason: String
    /// The exit status when every mirror has the fault.
    var allBadExit: Int32 = 5
    /// The fault is survived on the faulty mirror itself (retry, resume): both modes succeed from mirror 1.
    var recoversOnSameMirror: Bool { code == nil }

    /// The files the fault touches.
    var files: [String] {
        if case .path(let file, _) = injection { return [file] }
        return DatasetFiles.all
    }

    static let labels = DatasetFiles.testLabels
    static let images = DatasetFiles.testImages

    /// The matrix: every fetch fault of DESIGN.md, on the smallest file it allows.
    static func all(realFile: (String) -> String) -> [MatrixFault] {
        let slow = ["FMNIST_LOW_SPEED_TIME": "1"]
        return [
            MatrixFault(name: "mirror unreachable (connection refused)", injection: .connectionRefused, code: "unreachable", reason: "Couldn't connect to server"),
            MatrixFault(name: "DNS failure", injection: .dnsFailure, code: "unreachable", reason: "Could not resolve host"),
            MatrixFault(
                name: "timeout (no answer)", injection: .path(file: labels, spec: #"{"delay": 20}"#), environment: slow, code: "timeout",
                reason: "timed out"),
            MatrixFault(
                name: "slow drip (100 B/s)", injection: .path(file: labels, spec: #"{"drip": 100}"#), environment: slow, code: "timeout",
                reason: "timed out"),
            MatrixFault(name: "HTTP 403", injection: .path(file: labels, spec: #"{"status": 403}"#), code: "http_403", reason: "answered HTTP 403 Forbidden"),
            MatrixFault(name: "HTTP 404", injection: .path(file: labels, spec: #"{"status": 404}"#), code: "http_404", reason: "answered HTTP 404 Not Found"),
            MatrixFault(
                name: "HTTP 500 (every time)", injection: .path(file: labels, spec: #"{"status": 500}"#), code: "http_500",
                reason: "HTTP 500 Internal Server Error (gave up after 4 attempts)"),
            MatrixFault(
                name: "HTTP 503 twice, then OK", injection: .path(file: labels, spec: #"{"status": 503, "times": 2}"#), code: nil,
                reason: "HTTP 503 Service Unavailable; retry 2"),
            MatrixFault(name: "200 with an HTML page", injection: .path(file: labels, spec: #"{"html": true}"#), code: "html_page", reason: "the file is an HTML page"),
            MatrixFault(
                name: "truncated body (3000 of 5148 B)", injection: .path(file: labels, spec: #"{"truncate": 3000}"#), code: "truncated_gzip",
                reason: "truncated gzip stream"),
            MatrixFault(
                name: "wrong size (2 MiB announced)", injection: .path(file: labels, spec: #"{"serve": "extra/big.bin"}"#), code: "wrong_size",
                reason: "announced 2097152 bytes"),
            MatrixFault(
                name: "wrong size (100 B appended)", injection: .path(file: labels, spec: #"{"serve": "extra/padded.gz"}"#),
                code: "trailing_garbage", reason: "served bad data"),
            MatrixFault(
                name: "wrong bytes (one byte flipped)", injection: .path(file: labels, spec: #"{"corrupt_at": 3000}"#), code: "crc_mismatch",
                reason: "served bad data"),
            MatrixFault(
                name: "the other dataset's bytes (MNIST's)", injection: .path(file: labels, spec: #"{"serve": "mnist/t10k-labels-idx1-ubyte.gz"}"#),
                code: "wrong_file", reason: "served MNIST's t10k-labels for Fashion-MNIST"),
            MatrixFault(
                name: "connection cut mid-file (every 2 MB)", injection: .path(file: images, spec: #"{"reset_after": 2000000}"#), code: nil,
                reason: "resuming at"),
            MatrixFault(
                name: "redirect loop", injection: .path(file: labels, spec: #"{"redirect": "/fashion/t10k-labels-idx1-ubyte.gz"}"#),
                code: "too_many_redirects", reason: "more than 5 redirects"),
            MatrixFault(
                name: "redirect to file:// (of the right file)", injection: .path(file: labels, spec: "{\"redirect\": \"file://\(realFile(labels))\"}"),
                code: "redirect_refused", reason: "redirects may only lead to http or https"),
            MatrixFault(
                name: "unknown content (2017-08-26 labels)", injection: .path(file: labels, spec: #"{"serve": "old/t10k-labels-idx1-ubyte.gz"}"#),
                code: "unknown_content", reason: "served content that matches no known version", allBadExit: 8),
            MatrixFault(
                name: "Range ignored (cut once, then 200)",
                injection: .path(file: images, spec: #"{"reset_after": 2000000, "reset_times": 1, "ignore_range": true}"#), code: nil,
                reason: "ignored the Range request"),
            MatrixFault(name: "TLS certificate not trusted", injection: .untrustedTLS, code: "certificate", reason: "TLS certificate not trusted"),
        ]
    }
}

/// Which mirrors have the fault.
enum MatrixMode: String, Sendable, CaseIterable {
    /// The first mirror only; a good second mirror follows.
    case first = "first mirror"
    /// Every mirror.
    case every = "every mirror"
}

/// One row of the printed matrix.
struct MatrixRow: Sendable {
    let fault: String
    let mode: MatrixMode
    let expected: String
    let observed: String
    let ok: Bool
    let seconds: Double
}

/// The fault matrix: every fetch fault of DESIGN.md, on the first mirror only and on every mirror,
/// run through the real binary. Each run asserts the exit status, the message (it names the mirror
/// and the reason), the final workspace (live files and their bytes; nothing partial or stray in
/// live folders; `.fmnist/partial` holds only true prefixes) and the final catalog rows.
@Suite struct FaultMatrixTests {
    static let fashionVersion = "915659908dce152f9bdf195f7c40174e77376b90f44a95e9a2b9e47f73533c46"

    @Test(.realDataWithOldLabels) func faultMatrix() async throws {
        let started = Date()
        let scratch = try TemporaryDirectory("fault-matrix")
        let tree = try MirrorTree()
        try Self.addExtraFiles(tree)
        let tls = try Self.selfSignedCertificate(in: scratch.url)

        // The workspace every case starts from: real MNIST imported and active.
        let base = scratch.path("base")
        for arguments in [["import", RealData.mnist.path, "--as", "mnist"], ["switch", "mnist"]] {
            let result = try FMNISTProcess.run(arguments + ["--root", base.path])
            try #require(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let realHashes = try PopulatedWorkspace.snapshot(RealData.fashion, hashing: true)
        let faults = MatrixFault.all { RealData.fashion.appendingPathComponent($0).path }
        var cases: [(MatrixFault, MatrixMode)] = []
        for fault in faults { for mode in MatrixMode.allCases { cases.append((fault, mode)) } }

        // Two cases at a time (the slow ones mostly wait on timers).
        let context = MatrixContext(tree: tree.url, base: base, tls: tls, realHashes: realHashes)
        var rows = [MatrixRow?](repeating: nil, count: cases.count)
        try await withThrowingTaskGroup(of: (Int, MatrixRow).self) { group in
            var next = 0
            func launch() {
                let index = next
                let (fault, mode) = cases[index]
                group.addTask { (index, try Self.run(fault, mode, context)) }
                next += 1
            }
            for _ in 0..<min(2, cases.count) { launch() }
            while let (index, row) = try await group.next() {
                rows[index] = row
                if next < cases.count { launch() }
            }
        }
        let table = rows.compactMap { $0 }
        let seconds = Date().timeIntervalSince(started)
        print(Self.text(table, seconds: seconds))
        if let out = ProcessInfo.processInfo.environment["FMNIST_FAULT_MATRIX_OUT"], !out.isEmpty {
            try Self.markdown(table, faults: faults.count).write(toFile: out, atomically: true, encoding: .utf8)
            print("fault matrix written to \(out)")
        }
        #expect(table.count == faults.count * 2)
        #expect(table.filter { !$0.ok }.isEmpty)
    }

    struct MatrixContext: Sendable {
        let tree: URL
        let base: URL
        let tls: (cert: String, key: String)?
        let realHashes: [String: String]
    }

    // MARK: - One case

    static func run(_ fault: MatrixFault, _ mode: MatrixMode, _ context: MatrixContext) throws -> MatrixRow {
        let started = Date()
        let label = "\(fault.name) / \(mode.rawValue)"
        let directory = try TemporaryDirectory("fault-case")
        let root = directory.path("data")
        let copy = Privileged.sh("cp -a \(Privileged.quote(context.base.path)) \(Privileged.quote(root.path))")
        try #require(copy.status == 0, "cp -a: \(copy.output)")

        // Servers: one plain mirror tree (faults on /fashion/… and, in mode every, /fashion2/…).
        var faults: [String: [String: Any]] = [:]
        if case .path(let file, let spec) = fault.injection {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(spec.utf8)) as? [String: Any])
            faults["/fashion/\(file)"] = object
            if mode == .every { faults["/fashion2/\(file)"] = object }
        }
        let server = try MirrorServer(root: context.tree, faults: faults)
        var servers = [server]
        var mirrors: [String]
        switch fault.injection {
        case .path:
            mirrors = [server.url("fashion/"), server.url("fashion2/")]
        case .connectionRefused:
            // Ports that had a listener a moment ago: nothing answers there now.
            mirrors = try (0..<2).map { index in
                let closed = try MirrorServer(root: context.tree)
                closed.stop()
                return "http://127.0.0.1:\(closed.port)/fashion\(index == 0 ? "" : "2")/"
            }
        case .dnsFailure:
            mirrors = ["http://fmnist-no-such-host.invalid/fashion/", "http://fmnist-no-such-host-2.invalid/fashion/"]
        case .untrustedTLS:
            guard let tls = context.tls else {
                return MatrixRow(fault: fault.name, mode: mode, expected: "-", observed: "SKIPPED (no openssl)", ok: true, seconds: 0)
            }
            let https = try MirrorServer(root: context.tree, extraArguments: ["--cert", tls.cert, "--key", tls.key])
            servers.append(https)
            mirrors = ["https://127.0.0.1:\(https.port)/fashion/", "https://127.0.0.1:\(https.port)/fashion2/"]
        }
        if mode == .first { mirrors[1] = server.url("fashion2/") }
        let faulty = mode == .first ? [mirrors[0]] : mirrors

        let workspaceBefore = try Self.liveSnapshot(root)
        let catalogBefore = try Self.catalogRows(root)
        var environment = ["FMNIST_RETRY_BASE_MS": "10", "FMNIST_CONNECT_TIMEOUT": "5"]
        environment.merge(fault.environment) { $1 }
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--json"] + mirrors.flatMap { ["--mirror", $0] }, environment: environment,
            timeout: 120)
        let stats = try server.stats()
        for server in servers { server.stop() }

        var problems: [String] = []
        func check(_ condition: Bool, _ problem: @autoclosure () -> String) {
            if !condition { problems.append(problem()) }
        }
        let succeeds = mode == .first || fault.recoversOnSameMirror
        let expectedExit: Int32 = succeeds ? 0 : fault.allBadExit

        // Exit status, no crash.
        check(result.status == expectedExit, "exit \(result.status), expected \(expectedExit)")
        for crash in ["fatal error", "Swift runtime failure", "Backtrac", "Illegal instruction"] where result.stderr.contains(crash) {
            problems.append("crashed: \(crash)")
        }

        // The message names each faulty mirror and the reason; the JSON report agrees.
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let json = (try? result.json()) ?? [:]
        let dataset = (json["datasets"] as? [[String: Any]])?.first ?? [:]
        let files = dataset["files"] as? [[String: Any]] ?? []
        var observedCodes: [String] = []
        var observedSource = "-"
        for name in fault.files {
            let file = files.first { $0["name"] as? String == name } ?? [:]
            let skipped = file["skipped"] as? [[String: Any]] ?? []
            observedCodes += skipped.compactMap { $0["code"] as? String }
            if let code = fault.code {
                check(skipped.count == faulty.count, "\(name): \(skipped.count) skips, expected \(faulty.count)")
                for (skip, mirror) in zip(skipped, faulty) {
                    check(skip["code"] as? String == code, "\(name): skip code \(skip["code"] ?? "none"), expected \(code)")
                    check(skip["url"] as? String == mirror + name, "\(name): skip of \(skip["url"] ?? "none"), expected \(mirror + name)")
                }
                for mirror in faulty {
                    check(
                        lines.contains { $0.contains("mirror \(mirror + name) ") && $0.contains(fault.reason) },
                        "stderr does not name \(mirror + name) with \"\(fault.reason)\"")
                }
            } else {
                check(skipped.isEmpty, "\(name): skipped \(skipped.map { $0["code"] ?? "" }), expected none")
                check(result.stderr.contains(fault.reason), "stderr lacks \"\(fault.reason)\"")
            }
            let used = file["mirror"] as? String
            if succeeds {
                let expectedSource = (fault.recoversOnSameMirror ? mirrors[0] : server.url("fashion2/")) + name
                check(used == expectedSource, "\(name) came from \(used ?? "nowhere"), expected \(expectedSource)")
                observedSource = used == mirrors[0] + name ? "mirror 1" : used == mirrors[1] + name ? "mirror 2" : (used ?? "-")
            } else {
                check(used == nil, "\(name) came from \(used ?? "")")
                check(file["status"] as? String == "failed", "\(name): status \(file["status"] ?? "none"), expected failed")
            }
        }
        if !succeeds {
            let headline = fault.allBadExit == 8 ? "no mirror served a known version" : "every mirror failed for"
            check(result.stderr.contains("error: Fashion-MNIST not fetched: \(headline)"), "stderr lacks the error line")
            check(result.stderr.contains("nothing was changed in \(root.path)/fashion"), "stderr lacks 'nothing was changed'")
            check(result.stderr.contains("hint:"), "stderr lacks a hint")
            if fault.allBadExit == 8 { check(result.stderr.contains("--accept-unknown"), "hint lacks --accept-unknown") }
            if case .untrustedTLS = fault.injection { check(result.stderr.contains("--cacert"), "hint lacks --cacert") }
        }

        // Server counters: a good second mirror served the file once; resumes did not download twice.
        if case .path(let file, _) = fault.injection {
            let size = fileSize(RealData.fashion.appendingPathComponent(file))
            let first = stats["/fashion/\(file)"]
            if mode == .first && !fault.recoversOnSameMirror {
                check(stats["/fashion2/\(file)"]?.requests == 1, "the good mirror was asked \(stats["/fashion2/\(file)"]?.requests ?? 0) times")
            }
            if fault.name.hasPrefix("connection cut") {
                // The server counts bytes sent, some of which a reset discards; fmnist counts the
                // bytes it received: exactly the file once, each retry asking for the next range.
                let report = files.first { $0["name"] as? String == file } ?? [:]
                let received = (report["bytes_downloaded"] as? NSNumber)?.int64Value ?? -1
                check(received == size, "received \(received) B for a \(size) B file (resume should cost nothing)")
                let starts = first?.rangeStarts.dropFirst().map { $0 ?? -1 } ?? []
                check((first?.requests ?? 0) >= 2 && starts.allSatisfy { $0 > 0 } && starts == starts.sorted(), "range starts \(starts)")
            }
            if fault.name.hasPrefix("Range ignored") {
                check(first?.statuses == [200, 200], "statuses \(first?.statuses ?? [])")
            }
            if fault.name.hasPrefix("HTTP 503") { check(first?.statuses == [503, 503, 200], "statuses \(first?.statuses ?? [])") }
        }

        // The workspace: in success, the live folder holds exactly the four real files, and nothing
        // else changed but new store entries; in failure, nothing changed at all.
        let workspaceAfter = try Self.liveSnapshot(root)
        let added = Set(workspaceAfter.keys).subtracting(workspaceBefore.keys)
        let removed = Set(workspaceBefore.keys).subtracting(workspaceAfter.keys)
        let changed = Set(workspaceBefore.keys).intersection(workspaceAfter.keys).filter { workspaceBefore[$0] != workspaceAfter[$0] }
        check(removed.isEmpty && changed.isEmpty, "workspace paths removed or changed: \(removed.union(changed).sorted().prefix(6))")
        if succeeds {
            // data/fashion is fmnist's link to the version's read-only directory of copies.
            let versionPath = ".fmnist/versions/fashion/\(Self.fashionVersion)"
            let liveLink = try? FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("fashion").path)
            check(liveLink == versionPath, "data/fashion is \(liveLink.map { "a link to \($0)" } ?? "not a link")")
            let live = try PopulatedWorkspace.snapshot(root.appendingPathComponent(versionPath), hashing: true)
            check(live == context.realHashes, "data/fashion differs from the real files: \(live.keys.sorted())")
            // The live version's kept payloads: exactly its four uncompressed files.
            let payloadPath = ".fmnist/payload/fashion/\(Self.fashionVersion)"
            let kept = try PopulatedWorkspace.snapshot(root.appendingPathComponent(payloadPath), hashing: false)
            check(kept.count == 4, "the kept payloads are \(kept.keys.sorted())")
            let unexpected = added.filter {
                $0 != "fashion" && !$0.hasPrefix(".fmnist/store/") && $0 != ".fmnist/versions/fashion" && !$0.hasPrefix(versionPath)
                    && $0 != ".fmnist/payload/fashion" && !$0.hasPrefix(payloadPath)
            }
            check(unexpected.isEmpty, "unexpected new paths: \(unexpected.sorted().prefix(6))")
        } else {
            check(added.isEmpty, "new paths: \(added.sorted().prefix(6))")
        }
        // Scratch areas: .fmnist/tmp is empty; .fmnist/partial holds only true prefixes of the real
        // files (verified bytes kept for the next run), and nothing after a success.
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/tmp").path)) ?? []
        check(tmp.isEmpty, ".fmnist/tmp holds \(tmp)")
        let partialDirectory = root.appendingPathComponent(".fmnist/partial/fashion")
        let partials = ((try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []).filter { $0.hasSuffix(".part") }
        if succeeds { check(partials.isEmpty, ".fmnist/partial holds \(partials)") }
        for part in partials {
            let name = String(part.dropLast(5))
            let held = try Data(contentsOf: partialDirectory.appendingPathComponent(part))
            let real = try Data(contentsOf: RealData.fashion.appendingPathComponent(name))
            check(real.starts(with: held), "\(part) (\(held.count) B) is not a prefix of the real file")
        }

        // The catalog: sound; in success one Fashion-MNIST version (the known one), its four
        // files and provenance, the live row and one fetch event were added; in failure nothing.
        let catalogAfter = try Self.catalogRows(root)
        check(catalogAfter.integrity == "ok", "integrity_check: \(catalogAfter.integrity)")
        var observedCatalog = ""
        if succeeds {
            // fingerprints: the 4 stored files, their 4 copies and the 4 kept payloads, proven as they were written.
            let expectedAdded = ["datasets": 1, "versions": 1, "files": 4, "provenance": 4, "events": 1, "live": 1, "fingerprints": 12]
            for (table, rowsAfter) in catalogAfter.tables {
                let rowsBefore = catalogBefore.tables[table] ?? []
                check(Set(rowsBefore).isSubset(of: rowsAfter), "catalog table \(table) lost or changed rows")
                check(
                    rowsAfter.count - rowsBefore.count == expectedAdded[table] ?? 0,
                    "catalog table \(table): \(rowsAfter.count - rowsBefore.count) rows added, expected \(expectedAdded[table] ?? 0)")
            }
            let fashion = catalogAfter.versions.filter { $0.dataset == "fashion" }
            check(fashion.map(\.id) == [Self.fashionVersion], "fashion versions: \(fashion.map(\.id))")
            check(fashion.first?.known == 1 && fashion.first?.source == "fetch", "fashion version row: \(fashion)")
            check(catalogAfter.fetchEvents == catalogBefore.fetchEvents + ["fashion ok"], "fetch events: \(catalogAfter.fetchEvents)")
            observedCatalog = "1 version (\(fashion.first?.id.prefix(12) ?? "none")), +1 fetch event"
        } else {
            check(catalogAfter.tables == catalogBefore.tables, "catalog rows changed")
            observedCatalog = catalogAfter.tables == catalogBefore.tables ? "catalog unchanged" : "catalog CHANGED"
        }

        // The row.
        let fileLabel = fault.files.count == 1 ? fault.files[0].replacingOccurrences(of: "-idx1-ubyte.gz", with: "").replacingOccurrences(of: "-idx3-ubyte.gz", with: "") : "all 4 files"
        let expected: String
        let observed: String
        let uniqueCodes = Array(Set(observedCodes)).sorted().joined(separator: ",")
        if succeeds {
            let from = fault.recoversOnSameMirror ? "mirror 1, which recovers (\"\(fault.reason)\")" : "mirror 2"
            let skips = fault.code.map { " after skipping mirror 1 (`\($0)`)" } ?? ""
            expected = "exit 0; \(fileLabel) from \(from)\(skips); version recorded"
            let skipText = observedCodes.isEmpty ? "no skip" : "skipped `\(uniqueCodes)` ×\(observedCodes.count)"
            observed = "exit \(result.status); \(fileLabel) from \(observedSource), \(skipText); live files = real bytes; \(observedCatalog)"
        } else {
            expected = "exit \(fault.allBadExit); `\(fault.code ?? "")` on both mirrors; nothing placed, catalog unchanged"
            let placed = added.isEmpty && changed.isEmpty && removed.isEmpty ? "workspace unchanged" : "workspace CHANGED"
            observed = "exit \(result.status); `\(uniqueCodes)` ×\(observedCodes.count); \(placed); \(observedCatalog)"
        }
        for problem in problems { Issue.record("\(label): \(problem)\n\(result.stderr.suffix(3000))") }
        return MatrixRow(
            fault: fault.name, mode: mode, expected: expected, observed: observed, ok: problems.isEmpty,
            seconds: Date().timeIntervalSince(started))
    }

    // MARK: - Workspace and catalog state

    /// Every path of the workspace with its type and, for files, size, inode and times; the
    /// catalog files, the lock and the scratch areas (`.fmnist/partial`, `.fmnist/tmp`) left out.
    static func liveSnapshot(_ root: URL) throws -> [String: String] {
        try PopulatedWorkspace.snapshot(root, hashing: false).filter { key, _ in
            !key.hasPrefix(".fmnist/partial") && !key.hasPrefix(".fmnist/tmp")
        }
    }

    struct CatalogRows {
        struct Version: Decodable, CustomStringConvertible {
            let id: String
            let dataset: String
            let known: Int
            let source: String
            var description: String { "\(dataset) \(id.prefix(12)) known=\(known) \(source)" }
        }
        let integrity: String
        /// Every table's rows, each row as text.
        let tables: [String: [String]]
        let versions: [Version]
        /// "dataset result" of each fetch event, in order.
        let fetchEvents: [String]
    }

    /// The catalog through python's sqlite3 (independent of fmnist's wrapper).
    static func catalogRows(_ root: URL) throws -> CatalogRows {
        let script = """
            import json, sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            out = {'integrity': c.execute('PRAGMA integrity_check').fetchone()[0], 'tables': {}}
            for (t,) in c.execute("select name from sqlite_master where type='table' and name not like 'sqlite_%'").fetchall():
                out['tables'][t] = sorted(repr(r) for r in c.execute('select * from "%s"' % t).fetchall())
            out['versions'] = [dict(id=r[0], dataset=r[1], known=r[2], source=r[3])
                               for r in c.execute('select id, dataset, known, source from versions order by first_seen')]
            out['fetch_events'] = ['%s %s' % r for r in c.execute("select dataset, result from events where kind='fetch' order by id")]
            print(json.dumps(out))
            """
        let result = try DropIn.python(script, [root.appendingPathComponent(".fmnist/catalog.sqlite3").path])
        struct Raw: Decodable {
            let integrity: String
            let tables: [String: [String]]
            let versions: [CatalogRows.Version]
            let fetch_events: [String]
        }
        let raw = try JSONDecoder().decode(Raw.self, from: Data(result.stdout.utf8))
        return CatalogRows(integrity: raw.integrity, tables: raw.tables, versions: raw.versions, fetchEvents: raw.fetch_events)
    }

    // MARK: - Fixtures

    /// `extra/big.bin` (2 MiB of zeros: a wrong size announced up front) and `extra/padded.gz`
    /// (the real t10k-labels with 100 bytes appended: a wrong size found at the end).
    static func addExtraFiles(_ tree: MirrorTree) throws {
        let extra = tree.url.appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        try Data(count: 2 << 20).write(to: extra.appendingPathComponent("big.bin"))
        var padded = try Data(contentsOf: RealData.fashion.appendingPathComponent(DatasetFiles.testLabels))
        padded.append(Data(repeating: 0x41, count: 100))
        try padded.write(to: extra.appendingPathComponent("padded.gz"))
    }

    /// A self-signed certificate for 127.0.0.1 (nil without openssl).
    static func selfSignedCertificate(in directory: URL) throws -> (cert: String, key: String)? {
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = Privileged.sh(
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout \(Privileged.quote(key)) -out \(Privileged.quote(cert)) -days 1 "
                + "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1")
        return made.status == 0 ? (cert, key) : nil
    }

    // MARK: - Output

    static func text(_ rows: [MatrixRow], seconds: Double) -> String {
        let faults = Set(rows.map(\.fault)).count
        var lines = [
            "fault matrix: \(faults) faults × 2 modes = \(rows.count) runs, \(rows.filter(\.ok).count) as expected, "
                + String(format: "%.1f s", seconds)
        ]
        let width = rows.map(\.fault.count).max() ?? 5
        lines.append("  " + "fault".padding(toLength: width, withPad: " ", startingAt: 0) + "  mode          expected  |  observed")
        for row in rows {
            lines.append(
                "  " + row.fault.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + row.mode.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + "  \(row.expected)  |  \(row.observed)"
                    + String(format: "  (%.1f s)", row.seconds) + (row.ok ? "" : "  ✗"))
        }
        return lines.joined(separator: "\n")
    }

    static func markdown(_ rows: [MatrixRow], faults: Int) -> String {
        var text = """
            # Fault matrix of `fmnist fetch`

            Generated by `FMNIST_FAULT_MATRIX_OUT=docs/fault-matrix.md swift test --filter FaultMatrix`
            (`Tests/EndToEndTests/FaultMatrixTests.swift`). Each row is one run of the real binary,
            `fmnist fetch fashion --json` with two mirrors on a loopback server
            (`Tests/Support/mirror_server.py`), in a workspace that already holds MNIST (imported
            and active). *first mirror*: only the first mirror has the fault, a good second mirror
            follows. *every mirror*: both have it.

            Every run asserts:

            - the exit status;
            - the message: a line naming each faulty mirror's URL with the reason, the skip codes
              in the JSON report; when every mirror fails, the error line, "nothing was changed"
              and a hint;
            - the workspace: on success `data/fashion` holds exactly the four real files, byte for
              byte, and nothing else changed except new store entries; on failure no path was
              added, removed or changed (type, size, inode, times); `.fmnist/tmp` is empty and
              `.fmnist/partial` holds only true prefixes of the real files (kept for the next run);
            - the catalog (read with python's `sqlite3`): `integrity_check` is ok; on success
              exactly one Fashion-MNIST version (the known 2017-08-31 id), its 4 files and
              4 provenance rows, the live row and one fetch event were added, nothing else changed;
              on failure every table, `events` included, is unchanged.

            Faults are on `t10k-labels` (5 kB) or `t10k-images` (4.4 MB) where the fault allows, on
            every file for the mirror-wide faults (unreachable, DNS, TLS). Timeouts run with
            `FMNIST_LOW_SPEED_TIME=1`; retries with `FMNIST_RETRY_BASE_MS=10`.

            **\(faults) faults × 2 modes = \(rows.count) runs, \(rows.filter(\.ok).count) as expected.**

            | fault | mode | expected | observed |
            |---|---|---|---|

            """
        for row in rows {
            text += "| \(row.fault) | \(row.mode.rawValue) | \(row.expected) | \(row.observed)\(row.ok ? "" : " ✗") |\n"
        }
        return text
    }
}
