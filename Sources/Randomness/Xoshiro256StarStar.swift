/// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018), its four words seeded
/// from `SplitMix64(seed:)` as the authors recommend: Core's generator for initialisation, dropout and shuffles.
///
/// Its whole state is four words (`state`), so training snapshots store and restore it exactly.
public struct Xoshiro256StarStar: SeededGenerator, Sendable, Equatable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// The four state words; restore a generator with `init(state:)`.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator whose stream depends only on `seed`.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        (s0, s1, s2, s3) = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    /// Resumes a generator from a stored `state` (four words, not all zero).
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "Xoshiro256StarStar: invalid state")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The next 64 random bits.
    @inlinable @inline(__always) public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    @inlinable @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
