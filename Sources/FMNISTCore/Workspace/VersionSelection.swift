/// The one resolver of a stored version: what `DATASET@SELECTOR` names for `switch`, `diff`,
/// `remove`, `smoke-train`, `preview`, `audit` and the `FMNIST` library's `load(_:version:)`.
/// A selector is a version's name ("2017-08-31"), "unknown", a prefix of 4+ hex digits of its
/// id, or `current`: the live version, as nil means (`fashion@current` is what `fashion` and
/// `load(.fashion, version: "current")` read). One error set, `WorkspaceError`: `.datasetMissing` (no live
/// version), `.versionNotFound` (with the labels of the versions that exist) and
/// `.ambiguousVersion` (with the labels it matches). Callers whose command words a miss its own
/// way translate these cases; none re-implements the lookup.
///
/// ```swift
/// let version = try VersionSelection.version(of: "fashion", selector: "2017-08-26", catalog: catalog)
/// print(version.label)   // "2017-08-26 (…)"
/// let live = try VersionSelection.version(of: "fashion", selector: "current", catalog: catalog)
/// ```
package enum VersionSelection {
    /// What to take when there is no selector and the dataset has no live version.
    package enum Fallback: Sendable {
        /// Throw `.datasetMissing`.
        case none
        /// The newest recorded version (`switch fashion` after the live link was removed).
        case newest
    }

    /// The selector that names the live version (any case), wherever `DATASET@SELECTOR` is read.
    package static let live = "current"

    /// Whether `selector` names the live version (nil, or ``live``).
    package static func namesLive(_ selector: String?) -> Bool {
        selector.map { $0.lowercased() == live } ?? true
    }

    /// `selector`, or nil when it names the live version.
    package static func stored(_ selector: String?) -> String? {
        namesLive(selector) ? nil : selector
    }

    /// The recorded version of `dataset` that `selector` names (nil or `current`: the live one,
    /// else `fallback` when there is none).
    package static func version(
        of dataset: String, selector: String?, catalog: Catalog, fallback: Fallback = .none
    ) throws -> CatalogVersion {
        guard let selector = stored(selector) else {
            if let live = try catalog.liveVersion(dataset: dataset), let version = try catalog.version(id: live.versionID) {
                return version
            }
            if fallback == .newest, selector == nil, let newest = try catalog.versions(dataset: dataset).last { return newest }
            throw WorkspaceError.datasetMissing(dataset: dataset)
        }
        let matches = try catalog.versions(dataset: dataset, matching: selector)
        if matches.count > 1 {
            throw WorkspaceError.ambiguousVersion(dataset: dataset, selector: selector, matches: matches.map(\.label))
        }
        guard let only = matches.first else {
            throw WorkspaceError.versionNotFound(
                dataset: dataset, selector: selector, available: try catalog.versions(dataset: dataset).map(\.label))
        }
        return only
    }
}
