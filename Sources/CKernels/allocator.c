// glibc's malloc settings (malloc.h is not part of Swift's Glibc module, hence C).
#include "allocator.h"

#if defined(__GLIBC__)
#include <limits.h>
#include <malloc.h>
#endif

void palimpsest_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
