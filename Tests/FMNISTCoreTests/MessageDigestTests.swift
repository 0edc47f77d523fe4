import Testing

@testable import FMNISTCore

/// The libcrypto wrapper against the published test vectors (FIPS 180-2, RFC 1321), so the other
/// integrity tests can use it as their oracle.
@Suite struct MessageDigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256MatchesPublishedVectors(input: String, expected: String) {
        #expect(MessageDigest.sha256(Array(input.utf8)) == expected)
    }

    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    ])
    func md5MatchesPublishedVectors(input: String, expected: String) {
        #expect(MessageDigest.md5(Array(input.utf8)) == expected)
    }

    @Test func streamingInChunksEqualsOneShot() {
        let bytes = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var digest = MessageDigest(.sha256)
        var offset = 0
        var step = 1
        bytes.withUnsafeBytes { all in
            while offset < all.count {
                let end = min(all.count, offset + step)
                digest.update(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
                step = step * 3 + 1
            }
        }
        #expect(digest.finalize() == MessageDigest.sha256(bytes))
        // One million times "a" (FIPS 180-2, appendix B.3).
        #expect(
            MessageDigest.sha256([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
