import Foundation

/// One mirror's failures for a dataset, all files together: "mirror X: host not found (4 files)",
/// with each file's own reason (one file may be a 404 while another is the wrong dataset).
public struct MirrorFailure: Sendable, Codable, Equatable {
    /// One file's reason at this mirror.
    public struct FileReason: Sendable, Codable, Equatable {
        public let file: String
        /// The skip code (`unreachable`, `http_404`, `wrong_file`, …).
        public let code: SkipCode
        public let reason: String
    }

    /// The mirror's base URL (the file URL without the file name).
    public let mirror: String
    /// The skip code of the first file (`unreachable`, `http_404`, …).
    public let code: SkipCode
    /// The reason given for the first file.
    public let reason: String
    /// The files this mirror failed for, in the order they were reported.
    public let files: [String]
    /// Each file's own code and reason, in the order of `files`.
    public let fileReasons: [FileReason]

    /// Whether every file failed here for the same reason (then one line says it for all).
    public var sameReason: Bool { Set(fileReasons.map(\.reason)).count <= 1 }

    /// The files grouped by their reason, first seen first: [(reason, files)].
    public var reasons: [(reason: String, files: [String])] {
        var order: [String] = []
        var groups: [String: [String]] = [:]
        for entry in fileReasons {
            if groups[entry.reason] == nil { order.append(entry.reason) }
            groups[entry.reason, default: []].append(entry.file)
        }
        return order.map { ($0, groups[$0]!) }
    }
}

/// What most likely made a dataset's fetch fail, so that a display can give the hint that fits.
public enum FetchFailureCause: String, Sendable, Codable, Equatable {
    /// No mirror host could be resolved: probably no network at all.
    case noNetwork = "no_network"
    /// Hosts resolved, but every mirror refused the connection, timed out or cut it.
    case unreachable
    /// A mirror was busy (503 Service Unavailable, 429 Too Many Requests, or refusing connections
    /// after it had answered) for the whole of a file's time on it, and no other mirror served it.
    case overloaded
    /// Every mirror answered 404 or 410: probably a wrong base URL.
    case notFound = "not_found"
    /// Mirrors answered, but with something else (another dataset, another file, an HTML page).
    case wrongContent = "wrong_content"
    /// An https mirror's certificate is not trusted.
    case certificate
    /// A mirror asked for credentials or refused the ones given (HTTP 401).
    case authentication
    /// An `s3://` mirror refused the request (HTTP 403: a wrong or missing key, no permission, an
    /// expired token); the skip lines name the S3 error code.
    case s3Access = "s3_access"
    /// `--offline` and no file:// source.
    case offlineOnly = "offline_only"
    /// Only local (file://) sources were tried, and none could be read: a folder that is not
    /// there (e.g. Debian's package not installed), or not readable. Says nothing about the network.
    case localSourceMissing = "local_source_missing"
    /// Anything else, or a mix.
    case other
}

/// Groups the skips of failed files by mirror and names the likely cause.
public enum FetchDiagnosis {
    /// The mirror base of a file URL: everything up to and including the last `/`.
    public static func mirrorBase(of url: String) -> String {
        guard let slash = url.lastIndex(of: "/") else { return url }
        return String(url[...slash])
    }

    /// The skips of every failed file, grouped by mirror (first seen first); `offline` skips are
    /// left out unless they are all there is.
    public static func failures(_ files: [FileFetchReport]) -> [MirrorFailure] {
        let skips = files.filter { $0.status == .failed }.flatMap { file in file.skipped.map { (file.name, $0) } }
        let relevant = skips.contains { $0.1.code != .offline } ? skips.filter { $0.1.code != .offline } : skips
        var order: [String] = []
        var groups: [String: [MirrorFailure.FileReason]] = [:]
        for (name, skip) in relevant {
            let base = mirrorBase(of: skip.url)
            if groups[base] == nil { order.append(base) }
            // A file's first reason at this mirror is its reason here.
            if !(groups[base, default: []].contains { $0.file == name }) {
                groups[base, default: []].append(MirrorFailure.FileReason(file: name, code: skip.code, reason: skip.reason))
            }
        }
        return order.map { base in
            let entries = groups[base]!
            return MirrorFailure(
                mirror: base, code: entries[0].code, reason: entries[0].reason, files: entries.map(\.file), fileReasons: entries)
        }
    }

    /// The likely cause behind the skips of the failed files.
    public static func cause(_ files: [FileFetchReport]) -> FetchFailureCause {
        let skips = files.filter { $0.status == .failed }.flatMap(\.skipped)
        guard !skips.isEmpty else { return .other }
        if skips.allSatisfy({ $0.code == .offline }) { return .offlineOnly }
        // A missing local source (e.g. Debian's folder when the package is not installed) says
        // nothing about the network: judge by the network mirrors when there are any.
        let answered = skips.filter { $0.code != .offline }
        let remote = answered.filter { MirrorScheme(of: $0.url)?.isLocal != true }
        if remote.isEmpty, !answered.isEmpty, answered.allSatisfy({ $0.code == .localFile }) {
            return .localSourceMissing
        }
        let network = remote.isEmpty ? answered : remote
        if network.contains(where: { $0.code == .certificate }) { return .certificate }
        if network.contains(where: { $0.code == .http(401) }) { return .authentication }
        if network.contains(where: { $0.code == .http(403) && S3Location.isS3($0.url) }) { return .s3Access }
        if network.allSatisfy({ $0.code == .unreachable && $0.hostNotFound }) { return .noNetwork }
        let unanswered = SkipCode.unanswered
        // Busy mirrors, and at most mirrors that could not be reached besides: the mirror's load is the cause to name.
        if network.contains(where: { $0.code == .overloaded }),
            network.allSatisfy({ $0.code == .overloaded || unanswered.contains($0.code) || $0.code == .http(503) || $0.code == .http(429) })
        {
            return .overloaded
        }
        if network.allSatisfy({ unanswered.contains($0.code) }) { return .unreachable }
        if network.allSatisfy({ $0.code == .http(404) || $0.code == .http(410) }) { return .notFound }
        if network.allSatisfy({ SkipCode.content.contains($0.code) }) { return .wrongContent }
        return .other
    }
}

extension DatasetFetchReport {
    /// The failed files' skips, grouped by mirror.
    public var mirrorFailures: [MirrorFailure] { FetchDiagnosis.failures(files) }
    /// The likely cause of the failure (meaningful when `status` is `.failed`).
    public var failureCause: FetchFailureCause { FetchDiagnosis.cause(files) }
    /// What to do about a dataset whose content matched no known version, as data: the command
    /// line says it as a flag, the `FMNIST` front door as an argument of its API.
    public var remedy: Remedy? { status == .unknownRefused ? .acceptUnknownRelease : nil }
}
