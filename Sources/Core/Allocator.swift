import CKernels

/// The C allocator's settings for this workload.
public enum Allocator {
    /// Keeps freed memory in the process for reuse instead of giving it back to the kernel.
    ///
    /// glibc serves blocks above a threshold (128 KiB at first) with fresh mappings and trims its heaps when their
    /// free top grows past another, so a buffer allocated again page-faults and the kernel zeroes each page anew.
    /// The network's transient buffers (im2col columns, LRP's per-layer arrays, Winograd workspaces) are that
    /// size: a `perf` profile of `bench --config scaled64` spent 8–13% of its samples in the kernel's
    /// `clear_page_erms` (docs/core.md, "Allocator"). This serves every block up to 32 MiB (the largest threshold
    /// glibc takes) from its heaps and trims them only past 2 GiB of free top; above 32 MiB the activations come
    /// from `BufferPool`. Values are unchanged (allocation only); the price is resident memory the process keeps.
    /// Call once, first thing in `main`.
    public static func keepFreedMemory() { palimpsest_keep_freed_memory() }
}
