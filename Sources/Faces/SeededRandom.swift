import Foundation

/// A small deterministic random generator (SplitMix64) with the draws Faces needs.
///
/// Every random decision in Faces comes from one of these, seeded from explicit parameters and stream indices,
/// so results never depend on thread timing or global state.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    /// A generator for `seed`, decorrelated per `streams` (e.g. image index, epoch) by hashing them in.
    init(seed: UInt64, _ streams: UInt64...) {
        var s = SeededRandom.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for value in streams { s = SeededRandom.mix(s ^ SeededRandom.mix(value &+ 0xD1B5_4A32_D192_ED03)) }
        state = s
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    @inline(__always) static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// Uniform in [0, 1).
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi).
    @inline(__always) mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform Float in [lo, hi).
    @inline(__always) mutating func uniformF(_ lo: Float, _ hi: Float) -> Float { Float(uniform(Double(lo), Double(hi))) }

    /// Uniform integer in 0..<n (n > 0), without modulo bias worth worrying about at 64 bits.
    @inline(__always) mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True with probability p.
    @inline(__always) mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An index drawn with probability proportional to `weights`.
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var r = unit() * total
        for (i, w) in weights.enumerated() {
            r -= w
            if r < 0 { return i }
        }
        return weights.count - 1
    }
}

