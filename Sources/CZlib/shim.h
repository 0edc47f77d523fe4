#ifndef FMNIST_CZLIB_SHIM_H
#define FMNIST_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro in zlib.h; Swift cannot call macros, so wrap it.
/// windowBits 15 + 32 = automatic zlib/gzip header detection; 15 + 16 = gzip only.
static inline int fmnist_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

/// deflateInit2 is a macro too; windowBits 15 = zlib format (PNG), 15 + 16 = gzip format, -15 raw.
/// runLengthOnly: zlib's Z_RLE strategy (matches of distance 1 only) instead of the default.
static inline int fmnist_deflateInit2(z_streamp strm, int level, int windowBits, int runLengthOnly) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, runLengthOnly ? Z_RLE : Z_DEFAULT_STRATEGY);
}
#endif
