import Foundation

/// The one definition of "this file is version V's file of role R", shared by `verify`, `switch`
/// (fast and `--deep`), `fetch`, `import`, `smoke-train` and the store's repairs: the bytes are a
/// valid gzip'd IDX file whose decompressed payload has the recorded size and SHA-256 and whose IDX
/// dimensions are the recorded ones. The gzip container is provenance, not identity: the same
/// payload in another container is the same file.
///
/// ```swift
/// if let problem = RecordedFileCheck.problem(measurement, recorded: file) { print(problem) }
/// ```
package enum RecordedFileCheck {
    /// Why `measurement` is not the recorded file, or nil when it is.
    package static func problem(_ measurement: FileMeasurement, recorded: CatalogFile) -> String? {
        if let fault = measurement.fault { return fault.description }
        if measurement.payloadSize != recorded.payloadSize || measurement.payloadSHA256 != recorded.payloadSHA256 {
            return "its decompressed payload differs from the recorded version's "
                + "(SHA-256 \(measurement.payloadSHA256.prefix(12))…, recorded \(recorded.payloadSHA256.prefix(12))…)"
        }
        if measurement.idxDims != recorded.idx.dims {
            return "its IDX dimensions \(measurement.idxDims) differ from the recorded \(recorded.idx.dims)"
        }
        return nil
    }

    /// Measures the file at `url` (decompression bounded by the recorded payload size) and judges it.
    /// `compressed: false` judges an uncompressed payload file (torchvision's `raw/*-ubyte`), whose
    /// bytes are the payload the catalog records.
    package static func check(
        url: URL, recorded: CatalogFile, classCount: Int, compressed: Bool = true
    ) -> (measurement: FileMeasurement?, problem: String?) {
        do {
            let measurement = try FileVerifier.measure(
                url: url, payloadLimit: recorded.payloadSize, classCount: classCount, compressed: compressed)
            return (measurement, problem(measurement, recorded: recorded))
        } catch {
            return (nil, "\(error)")
        }
    }
}

/// Proves that files in the workspace still hold what the catalog recorded, re-hashing only what
/// changed: a file whose ``FileFingerprint`` equals the one recorded when it was last proven is
/// trusted; any other is re-hashed (``RecordedFileCheck``) and, when it passes, its new fingerprint
/// is recorded.
///
/// ```swift
/// let checker = TrustedFileChecker(layout: layout, catalog: catalog)
/// switch checker.check(url, recorded: file, classCount: 10) { case .proven: … case .damaged(let why): … }
/// ```
package struct TrustedFileChecker {
    package enum Verdict: Sendable, Equatable {
        /// The file holds the recorded payload (`rehashed`: it had to be re-hashed to show it).
        case proven(rehashed: Bool)
        /// Nothing is there.
        case missing
        /// Something is there but it is not the recorded file.
        case damaged(String)

        package var isProven: Bool { if case .proven = self { return true } else { return false } }
    }

    package let layout: WorkspaceLayout
    package let catalog: Catalog

    package init(layout: WorkspaceLayout, catalog: Catalog) {
        self.layout = layout
        self.catalog = catalog
    }

    /// Checks the file at `url` against `recorded`. `rehash` ignores fingerprints (a deep check);
    /// `compressed: false` checks an uncompressed payload file.
    package func check(_ url: URL, recorded: CatalogFile, classCount: Int, rehash: Bool = false, compressed: Bool = true) -> Verdict {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return .missing }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .damaged((info.st_mode & S_IFMT) == S_IFLNK ? "is a symbolic link, not the file fmnist placed" : "is not a regular file")
        }
        let key = relativePath(url)
        let now = FileFingerprint(path: url.path)
        if !rehash, let now, let known = try? catalog.fingerprint(path: key, payloadSHA256: recorded.payloadSHA256), known == now {
            return .proven(rehashed: false)
        }
        let (_, problem) = RecordedFileCheck.check(url: url, recorded: recorded, classCount: classCount, compressed: compressed)
        if let problem {
            if !catalog.isReadOnly { try? catalog.forgetFingerprint(path: key) }
            return .damaged(problem)
        }
        // Record what was proven, unless the file changed while it was being read.
        if !catalog.isReadOnly, let now, FileFingerprint(path: url.path) == now {
            try? catalog.recordFingerprint(path: key, payloadSHA256: recorded.payloadSHA256, now)
        }
        return .proven(rehashed: true)
    }

    /// Records `url` as proven to hold `payloadSHA256` now (after fmnist wrote verified bytes there).
    package func remember(_ url: URL, payloadSHA256: String) {
        guard !catalog.isReadOnly, let now = FileFingerprint(path: url.path) else { return }
        try? catalog.recordFingerprint(path: relativePath(url), payloadSHA256: payloadSHA256, now)
    }

    /// `url` relative to the workspace root (the catalog's key, so moving the workspace keeps it).
    func relativePath(_ url: URL) -> String { layout.catalogKey(url) }
}
