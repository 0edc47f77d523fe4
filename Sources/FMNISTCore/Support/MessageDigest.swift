import CCrypto

/// A streaming SHA-256 or MD5 over the system's libcrypto (the OpenSSL that libcurl already
/// brings); the C context stays inside this wrapper.
///
/// ```swift
/// var sha = MessageDigest(.sha256)
/// sha.update(bytes)
/// print(sha.finalize())   // 64 lower-case hex digits
/// ```
struct MessageDigest: ~Copyable {
    enum Algorithm {
        case sha256, md5
    }

    private let context: OpaquePointer

    init(_ algorithm: Algorithm) {
        let kind = algorithm == .md5 ? Int32(FMNIST_DIGEST_MD5.rawValue) : Int32(FMNIST_DIGEST_SHA256.rawValue)
        guard let context = fmnist_digest_new(kind) else {
            // Only an allocation failure or a libcrypto without SHA-256/MD5 gets here.
            fatalError("libcrypto could not create a \(algorithm) context")
        }
        self.context = context
    }

    deinit { fmnist_digest_free(context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = fmnist_digest_update(context, base, bytes.count)
    }

    /// The digest as lower-case hex; call it once: the context is finished afterwards.
    mutating func finalize() -> String {
        var out = [UInt8](repeating: 0, count: 64)
        let length = Int(out.withUnsafeMutableBufferPointer { fmnist_digest_final(context, $0.baseAddress) })
        return out.prefix(length).hexString
    }

    /// The SHA-256 of `bytes`, as lower-case hex.
    static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var digest = MessageDigest(.sha256)
        let array = Array(bytes)
        array.withUnsafeBytes { digest.update($0) }
        return digest.finalize()
    }

    /// The MD5 of `bytes`, as lower-case hex.
    static func md5<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var digest = MessageDigest(.md5)
        let array = Array(bytes)
        array.withUnsafeBytes { digest.update($0) }
        return digest.finalize()
    }
}
