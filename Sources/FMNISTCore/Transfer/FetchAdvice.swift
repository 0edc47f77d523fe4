import Foundation

/// What to suggest after a fetch that did not succeed: the hint that fits why a dataset could not
/// be fetched (``FetchFailureCause``: offline, a wrong base URL, a private CA, Debian's
/// `dataset-fashion-mnist` folder missing, …), why an artifact failed, and how to resume an
/// interrupted fetch. Each is one sentence shown after "hint: ".
///
/// ```swift
/// FetchAdvice.hint(for: report.datasets[0])
/// // "every mirror answered 404: check the mirror base URL (fmnist appends the file name, e.g. BASE/train-images-idx3-ubyte.gz)"
/// ```
public enum FetchAdvice {
    /// The hint that fits why the dataset could not be fetched (status failed, unknown refused or not pinned).
    public static func hint(for dataset: DatasetFetchReport) -> String {
        if dataset.status == .notPinned {
            return "the lock pins other bytes than the mirrors serve; point --mirror at a copy of the pinned version, or write a new lock with `fmnist lock`"
        }
        if let remedy = dataset.remedy { return remedy.commandLine }
        let importLine = "fmnist import DIR --as \(dataset.dataset) takes the four .gz files from a folder"
        switch dataset.failureCause {
        case .noNetwork:
            let debian = dataset.dataset == "fashion"
                ? "; or install Debian's dataset-fashion-mnist package and run fmnist fetch fashion --offline" : ""
            return "no mirror host could be resolved: you seem to be offline. Without a network, \(importLine)\(debian)"
        case .unreachable:
            let slow = dataset.mirrorFailures.contains { $0.fileReasons.contains { $0.code == .deadline } }
                ? "; a slow mirror gets more time per file with a lower --min-rate or a higher FMNIST_DEADLINE_BASE" : ""
            return "no mirror could be reached (refused, timed out or cut): check the network or proxy (http_proxy, "
                + "https_proxy), or give another mirror with --mirror URL; a rerun resumes partial downloads\(slow)"
        case .overloaded:
            return "the mirror is overloaded (503/429: the lines above say how often it was retried and for how long); "
                + "rerun later (partial downloads resume), give each file more time on it with FMNIST_DEADLINE_BASE or a lower "
                + "--min-rate, or give another mirror with --mirror URL"
        case .notFound:
            return "every mirror answered 404: check the mirror base URL (fmnist appends the file name, e.g. "
                + "BASE/\(dataset.files.first?.name ?? "train-images-idx3-ubyte.gz"))"
        case .wrongContent:
            return "the mirrors answer, but serve something else (another dataset or file, an HTML page): "
                + "give another mirror with --mirror URL"
        case .authentication:
            return "a mirror answered 401 (authentication required or failed): give credentials as user:password@ in the "
                + "mirror URL, in ~/.netrc (or the file named by NETRC), or a header in .fmnist/config.json, e.g. "
                + "{\"headers\": {\"https://host/base/\": {\"Authorization\": \"Bearer ${TOKEN}\"}}} (see README, Private mirrors)"
        case .s3Access:
            return "an s3:// mirror refused the request (403; the lines above name the S3 error): check the AWS credentials "
                + "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE in ~/.aws/credentials), the region (AWS_REGION) "
                + "and the endpoint (AWS_ENDPOINT_URL) (see README, Private mirrors)"
        case .certificate:
            return "an https mirror's certificate is not trusted: pass --cacert FILE (or set FMNIST_CA_BUNDLE) for a private CA"
        case .localSourceMissing:
            let folders = dataset.mirrorFailures.map(\.mirror).joined(separator: ", ")
            let debian = folders.contains("/usr/share/datasets/") && dataset.dataset == "fashion"
                ? " (Debian's dataset-fashion-mnist package installs the files there)" : ""
            return "the local source \(folders) could not be read\(debian): give a folder that holds the files with "
                + "--mirror file:///path/to/folder/, or \(importLine)"
        case .offlineOnly:
            return "--offline uses only file:// sources: give one with --mirror file:///path/to/folder/, or \(importLine)"
        case .other:
            return "check the network or proxy (http_proxy, https_proxy), or give another mirror with --mirror URL; "
                + "a rerun resumes partial downloads"
        }
    }

    /// The hint after an artifact that failed, was refused or was interrupted; nil otherwise.
    public static func hint(for artifact: ArtifactFetchReport) -> String? {
        switch artifact.status {
        case .failed:
            return "give a mirror that holds \(artifact.name) with --mirror BASE (fmnist appends \(artifact.name)), "
                + "or a local copy with --offline --mirror file:///path/to/folder/; the four files are in place"
        case .refused:
            return "the manifest's \(artifact.name) pin and its files disagree: check the manifest (--manifests) against the published files"
        case .interrupted:
            return "rerun the same command to resume \(artifact.name) from the bytes kept"
        default:
            return nil
        }
    }

    /// The hint after an interrupted fetch: the command that resumes it, and what to do about
    /// credentials it shows as `***`.
    public static func resumeHint(_ command: String) -> String {
        let redacted = RedactedURL.isRedacted(command)
            ? " (credentials shown as ***: put them back, or keep them in ~/.netrc or .fmnist/config.json headers)" : ""
        return "resume with: \(command)\(redacted)"
    }

    /// The line after a fetch that created `data/current`: which dataset it shows and how to point
    /// it at the other one; nil when the fetch created none.
    public static func currentCreatedLine(_ report: FetchReport) -> String? {
        guard let dataset = report.currentCreated else { return nil }
        let other = report.datasets.map(\.dataset).first { $0 != dataset } ?? (dataset == "fashion" ? "mnist" : "fashion")
        return "created \(report.currentLinkPath ?? "data/current") -> \(dataset) (there was no drop-in link yet); "
            + "`fmnist switch \(other)` points it at \(other)"
    }

    /// What a partial download kept by an interrupted fetch holds: "kept 1.2 MB of 26.4 MB", "nothing kept yet", …
    public static func keptState(_ file: KeptPartial) -> String {
        let held = FetchProgress.bytes(file.bytes)
        let whole = FetchProgress.bytes(file.expectedBytes)
        return file.bytes == 0 ? "nothing kept yet"
            : file.bytes >= file.expectedBytes ? "complete, \(held) (verified on the next run)" : "kept \(held) of \(whole)"
    }
}
