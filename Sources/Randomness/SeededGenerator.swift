import Foundation

/// A deterministic 64-bit generator and the draws the project makes from it. Every random decision in Palimpsest
/// comes from one of these, seeded from explicit parameters, so results never depend on thread timing or global
/// state. Each draw's arithmetic is fixed here: changing one changes every dataset, model and probe downstream.
public protocol SeededGenerator: RandomNumberGenerator {}

extension SeededGenerator {
    /// Uniform Double in [0, 1) from the top 53 bits.
    @inlinable @inline(__always) public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform Float in [0, 1) from the top 24 bits.
    @inlinable @inline(__always) public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [lo, hi).
    @inlinable @inline(__always) public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform Float in [lo, hi), drawn in Double.
    @inlinable @inline(__always) public mutating func uniformF(_ lo: Float, _ hi: Float) -> Float { Float(uniform(Double(lo), Double(hi))) }

    /// An integer in 0..<n (n > 0) by one modulo: biased by at most n / 2⁶⁴, one draw always (SynthFACS' choice).
    @inlinable @inline(__always) public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// An unbiased integer in 0..<bound (Lemire's nearly-divisionless method; Core's shuffles).
    @inlinable public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A Fisher–Yates permutation of 0..<count with `nextInt(below:)`.
    @inlinable public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) { p.swapAt(i, nextInt(below: i + 1)) }
        }
        return p
    }

    /// True with probability p.
    @inlinable @inline(__always) public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal (Box–Muller, one value per two draws).
    @inlinable public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An index drawn with probability proportional to `weights`.
    @inlinable public mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var r = unit() * total
        for (i, w) in weights.enumerated() {
            r -= w
            if r < 0 { return i }
        }
        return weights.count - 1
    }
}
