#ifndef FMNIST_CFILESYSTEM_SHIM_H
#define FMNIST_CFILESYSTEM_SHIM_H
// statfs(2) is not in Swift's Glibc module: these wrappers return its answer in plain C types.
#include <string.h>
#if defined(__linux__)
#include <sys/vfs.h>
#else
#include <sys/param.h>
#include <sys/mount.h>
#endif

/// The file system's type magic number (Linux f_type); 0 elsewhere. Returns 0 on success, -1 with errno.
static inline int fmnist_statfs_magic(const char *path, unsigned long long *magic) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
#if defined(__linux__)
    *magic = (unsigned long long)(unsigned int)info.f_type;
#else
    *magic = 0;
#endif
    return 0;
}

/// The file system's type name where the system reports one (macOS f_fstypename); "" on Linux.
static inline int fmnist_statfs_name(const char *path, char *name, unsigned long size) {
    struct statfs info;
    if (size == 0 || statfs(path, &info) != 0) return -1;
#if defined(__linux__)
    name[0] = 0;
#else
    strncpy(name, info.f_fstypename, size - 1);
    name[size - 1] = 0;
#endif
    return 0;
}
#endif
