import Foundation

/// Special functions behind the p-values of the significance tests.
public enum SpecialFunctions {
    /// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b).
    ///
    /// Evaluated by the continued fraction of Numerical Recipes §6.4 (modified Lentz), on the side of the
    /// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast. Taking `x` and `1 − x` separately keeps
    /// full relative accuracy when either is tiny (the far tails of the t and binomial distributions), so
    /// results far below 1e-30 keep about 1e-13 relative accuracy until they underflow below ~1e-308.
    /// - Parameters:
    ///   - a: first shape parameter, > 0.
    ///   - b: second shape parameter, > 0.
    ///   - x: the argument in [0, 1].
    ///   - oneMinusX: 1 − x, computed by the caller without cancellation where it can be.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double, oneMinusX: Double) -> Double {
        precondition(a > 0 && b > 0, "shape parameters must be positive")
        precondition(x >= 0 && x <= 1 && oneMinusX >= 0 && oneMinusX <= 1, "x must lie in [0, 1]")
        if x == 0 { return 0 }
        if oneMinusX == 0 { return 1 }
        if x < (a + 1) / (a + b + 2) {
            return betaPrefactor(a: a, b: b, x: x, oneMinusX: oneMinusX) * betaContinuedFraction(a: a, b: b, x: x) / a
        }
        let complement = betaPrefactor(a: b, b: a, x: oneMinusX, oneMinusX: x)
            * betaContinuedFraction(a: b, b: a, x: oneMinusX) / b
        return 1 - complement
    }

    /// I_x(a, b) with 1 − x computed here; prefer the four-argument form when 1 − x is known more exactly.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        regularizedIncompleteBeta(a: a, b: b, x: x, oneMinusX: 1 - x)
    }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// x^a (1−x)^b / B(a, b), computed in log space.
    private static func betaPrefactor(a: Double, b: Double, x: Double, oneMinusX: Double) -> Double {
        exp(a * log(x) + b * log(oneMinusX) - logBeta(a, b))
    }

    /// The continued fraction for I_x(a, b), valid and fast for x < (a + 1) / (a + b + 2).
    private static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }

    /// Two-sided p-value of Student's t distribution: P(|T| ≥ |t|) with `df` degrees of freedom,
    /// = I_{df/(df+t²)}(df/2, 1/2).
    public static func studentTTwoSidedP(t: Double, df: Double) -> Double {
        precondition(df > 0, "degrees of freedom must be positive")
        if t.isNaN { return .nan }
        if t.isInfinite { return 0 }
        let t2 = t * t
        return regularizedIncompleteBeta(a: df / 2, b: 0.5, x: df / (df + t2), oneMinusX: t2 / (df + t2))
    }

    /// Upper tail of the χ² distribution with one degree of freedom: P(X ≥ x) = erfc(√(x/2)).
    public static func chiSquare1UpperTail(_ x: Double) -> Double {
        x <= 0 ? 1 : erfc((x / 2).squareRoot())
    }

    /// Lower tail of the binomial distribution: P(X ≤ k) for X ~ Binomial(n, p) = I_{1−p}(n − k, k + 1).
    public static func binomialLowerTail(k: Int, n: Int, p: Double) -> Double {
        precondition(n >= 0 && p >= 0 && p <= 1, "invalid binomial parameters")
        if k < 0 { return 0 }
        if k >= n { return 1 }
        return regularizedIncompleteBeta(a: Double(n - k), b: Double(k + 1), x: 1 - p, oneMinusX: p)
    }
}
