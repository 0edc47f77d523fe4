/// The one decision fetch and import share once four files have verified: may their version enter
/// the catalog (a version some manifest knows always may; one no manifest knows only when the
/// caller accepts unknown content, a lock file pins it, or it was accepted before), is it made
/// live, and how is an unknown one recorded as admitted. ``FetchService`` and ``DatasetImporter``
/// ask it; neither re-states the policy.
///
/// ```swift
/// let policy = VersionAdmission(acceptUnknown: false, pinned: false, activate: false)
/// policy.admits(known: false, acceptedBefore: false)   // false: refused as unknown content
/// policy.admits(known: true, acceptedBefore: false)    // true
/// VersionAdmission(acceptUnknown: false, pinned: true, activate: false).admitted   // .lock
/// ```
package struct VersionAdmission: Sendable, Equatable {
    /// The caller keeps content of no known version (`--accept-unknown`, `acceptUnknown: true`).
    package var acceptUnknown: Bool
    /// A lock file pins the version (`fetch --locked`): it is admitted, recorded and made live as pinned.
    package var pinned: Bool
    /// The caller asks for the new version to be made live (`--activate`).
    package var activate: Bool

    /// Whether a version may enter the catalog: `known` when a manifest names it, `acceptedBefore`
    /// when the workspace already holds it as accepted unknown content.
    package func admits(known: Bool, acceptedBefore: Bool) -> Bool {
        known || acceptUnknown || acceptedBefore || pinned
    }

    /// Whether the admitted version is made live (a pinned one always is; else only when asked;
    /// the first version of a dataset becomes live regardless, in ``VersionInstaller``).
    package var activates: Bool { activate || pinned }

    /// What the catalog records of how an unknown version got in (nil: nothing this run decided).
    package var admitted: UnknownAdmission? {
        pinned ? .lock : acceptUnknown ? .acceptUnknown : nil
    }

    /// Why a version of no known content was kept, for the message after it is placed: this run's
    /// reason, or how it got in `earlier` when it was already in the workspace.
    ///
    /// ```swift
    /// VersionAdmission(acceptUnknown: true, pinned: false, activate: false).unknownKept(earlier: nil)
    /// // "UNKNOWN version, kept on request"
    /// ```
    package func unknownKept(earlier: UnknownAdmission?) -> String {
        pinned ? "UNKNOWN version, kept because the lock pins it"
            : acceptUnknown ? "UNKNOWN version, kept on request"
            : "UNKNOWN version, already in this workspace: \(UnknownAdmission.phrase(earlier))"
    }
}
