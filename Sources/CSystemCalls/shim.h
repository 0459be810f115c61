#ifndef AGENTCORE_GITOPS_CSYSTEMCALLS_H
#define AGENTCORE_GITOPS_CSYSTEMCALLS_H
// Linux calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc module is built
// without. The symbols are in every glibc since 2.28.
#if defined(__linux__)
#include <sys/types.h>
#include <stdint.h>

// Copies file bytes inside the kernel: no trip through our memory.
ssize_t copy_file_range(int infd, int64_t *inoffset, int outfd, int64_t *outoffset, size_t length, unsigned int flags);

// Swaps two names at once: the new archive takes the old one's place without ext4's
// flush-on-replace (auto_da_alloc), and readers never see a missing or partial file.
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
#define AGENTCORE_RENAME_EXCHANGE (1 << 1)
#endif
#endif
