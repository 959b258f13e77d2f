/// Float buffers kept between training steps, by size.
///
/// A VGG16 step at 224 px allocates about 1 GiB of activations and gradients; fresh allocations of that size
/// are new mappings that the kernel page-faults and zeroes on every step. Taking them from here instead
/// removes that work. Buffers come back uninitialised: every kernel that receives one overwrites all of it.
struct BufferPool {
    private var free: [Int: [[Float]]] = [:]

    /// A buffer of exactly `count` floats with unspecified contents.
    mutating func take(_ count: Int) -> [Float] {
        if let b = free[count]?.popLast() { return b }
        return [Float](unsafeUninitializedCapacity: count) { _, initialised in initialised = count }
    }

    /// Returns a buffer for reuse (empty ones are ignored).
    mutating func give(_ buffer: [Float]) {
        if !buffer.isEmpty { free[buffer.count, default: []].append(buffer) }
    }

    /// Frees every kept buffer.
    mutating func removeAll() { free = [:] }
}
