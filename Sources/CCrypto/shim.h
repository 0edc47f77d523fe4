#ifndef FMNIST_CCRYPTO_SHIM_H
#define FMNIST_CCRYPTO_SHIM_H
// The system's OpenSSL libcrypto (Debian: libssl-dev), which libcurl already links. Only the
// streaming message digests are used: SHA-256 (with SHA-NI where the CPU has it) and MD5.
#include <openssl/evp.h>

/// Which digest a context computes.
enum fmnist_digest_kind { FMNIST_DIGEST_SHA256 = 0, FMNIST_DIGEST_MD5 = 1 };

/// A new context computing `kind`, or NULL when OpenSSL cannot provide it.
static inline EVP_MD_CTX *fmnist_digest_new(int kind) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return NULL;
    const EVP_MD *md = kind == FMNIST_DIGEST_MD5 ? EVP_md5() : EVP_sha256();
    if (EVP_DigestInit_ex(context, md, NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

static inline int fmnist_digest_update(EVP_MD_CTX *context, const void *bytes, size_t count) {
    return EVP_DigestUpdate(context, bytes, count);
}

/// Writes the digest (32 bytes for SHA-256, 16 for MD5) into `out`; returns its length, or 0.
static inline unsigned int fmnist_digest_final(EVP_MD_CTX *context, unsigned char *out) {
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context, out, &length) != 1) return 0;
    return length;
}

static inline void fmnist_digest_free(EVP_MD_CTX *context) { EVP_MD_CTX_free(context); }
#endif
