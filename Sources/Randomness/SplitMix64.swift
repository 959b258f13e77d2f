/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): one word of
/// state, so cheap to make one per image, fold or repeat. Same seed, same stream on every machine.
///
/// Faces makes one per random decision with `init(deriving:_:)`, Analysis one per fold shuffle with `init(seed:)`,
/// and `Xoshiro256StarStar` seeds its four words from one.
public struct SplitMix64: SeededGenerator, Sendable, Equatable {
    @usableFromInline var state: UInt64

    /// The stream whose state starts at `seed` (the reference implementation's seeding).
    @inlinable public init(seed: UInt64) { state = seed }

    /// A stream for `seed`, decorrelated per `streams` (e.g. a purpose tag, an image index, an epoch) by hashing
    /// each into the state.
    @inlinable public init(deriving seed: UInt64, _ streams: UInt64...) {
        var s = SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for value in streams { s = SplitMix64.mix(s ^ SplitMix64.mix(value &+ 0xD1B5_4A32_D192_ED03)) }
        state = s
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    @inlinable @inline(__always) public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inlinable @inline(__always) public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }
}
