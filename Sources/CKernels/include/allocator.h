#ifndef PALIMPSEST_ALLOCATOR_H
#define PALIMPSEST_ALLOCATOR_H

/// Sets glibc's allocator to serve blocks up to 32 MiB (its largest mmap threshold) from its heaps and to trim them
/// only past 2 GiB of free top, so freed buffers are reused instead of being unmapped and page-faulted (and zeroed
/// by the kernel) again; a no-op without glibc. Swift: `Allocator.keepFreedMemory`.
void palimpsest_keep_freed_memory(void);

#endif
