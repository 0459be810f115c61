#ifndef AGENTCORE_GITOPS_CSYSTEMCALLS_H
#define AGENTCORE_GITOPS_CSYSTEMCALLS_H
// Linux system calls that glibc wraps only in newer versions, and declares only under
// _GNU_SOURCE (which Swift's Glibc module is built without). Called through syscall(2), they
// need no particular glibc; a kernel without them answers ENOSYS and the callers fall back.
#if defined(__linux__)
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

// Copies file bytes inside the kernel: no trip through our memory.
static inline ssize_t agentcore_copy_file_range(int infd, int64_t *inoffset, int outfd, int64_t *outoffset,
                                                size_t length, unsigned int flags) {
#ifdef SYS_copy_file_range
    return (ssize_t)syscall(SYS_copy_file_range, infd, inoffset, outfd, outoffset, length, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

// Swaps two names at once: the new archive takes the old one's place without ext4's
// flush-on-replace (auto_da_alloc), and readers never see a missing or partial file.
static inline int agentcore_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                                      unsigned int flags) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}
#define AGENTCORE_RENAME_EXCHANGE (1 << 1)
#endif
#endif
