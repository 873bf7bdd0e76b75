#ifndef CHARU_SHIM_H
#define CHARU_SHIM_H
#include <hpdf.h>

// glibc declares memfd_create only under _GNU_SOURCE, which the Swift importer does not define. The
// renderer needs it because libharu 2.3.0 loads TrueType fonts only from a file path.
extern int memfd_create(const char *name, unsigned int flags);

/// Creates an anonymous in-memory file (closed on exec) and returns its descriptor, or -1 with errno set.
static inline int CHaru_memfd_create(const char *name) {
    return memfd_create(name, 1U /* MFD_CLOEXEC */);
}
#endif
