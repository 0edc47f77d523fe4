#ifndef FMNIST_CZLIB_SHIM_H
#define FMNIST_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro in zlib.h; Swift cannot call macros, so wrap it.
/// windowBits 15 + 32 = automatic zlib/gzip header detection; 15 + 16 = gzip only.
static inline int fmnist_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

/// deflateInit is a macro too; used by the PNG writer.
static inline int fmnist_deflateInit(z_streamp strm, int level) {
    return deflateInit(strm, level);
}
#endif
