import Testing

@testable import FMNISTCore

/// The admission policy fetch and import share: which verified versions enter the catalog, which
/// become live, and how an unknown one is recorded.
@Suite struct VersionAdmissionTests {
    @Test func knownVersionsAlwaysEnterUnknownOnesOnlyWhenAcceptedPinnedOrAcceptedBefore() {
        let plain = VersionAdmission(acceptUnknown: false, pinned: false, activate: false)
        #expect(plain.admits(known: true, acceptedBefore: false))
        #expect(!plain.admits(known: false, acceptedBefore: false))
        #expect(plain.admits(known: false, acceptedBefore: true))
        #expect(VersionAdmission(acceptUnknown: true, pinned: false, activate: false).admits(known: false, acceptedBefore: false))
        #expect(VersionAdmission(acceptUnknown: false, pinned: true, activate: false).admits(known: false, acceptedBefore: false))
    }

    @Test func aPinnedVersionIsLiveAndRecordedAsPinned() {
        let pinned = VersionAdmission(acceptUnknown: false, pinned: true, activate: false)
        #expect(pinned.activates && pinned.admitted == .lock)
        #expect(pinned.unknownKept(earlier: nil) == "UNKNOWN version, kept because the lock pins it")
        let accepted = VersionAdmission(acceptUnknown: true, pinned: false, activate: false)
        #expect(!accepted.activates && accepted.admitted == .acceptUnknown)
        #expect(accepted.unknownKept(earlier: nil) == "UNKNOWN version, kept on request")
        let plain = VersionAdmission(acceptUnknown: false, pinned: false, activate: true)
        #expect(plain.activates && plain.admitted == nil)
        #expect(plain.unknownKept(earlier: .recovered).hasPrefix("UNKNOWN version, already in this workspace: recorded again"))
    }
}
