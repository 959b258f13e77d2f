import Foundation
import Testing
@testable import Analysis

/// Relative difference |x − y| / |y|.
func relativeError(_ x: Double, _ y: Double) -> Double { abs(x - y) / abs(y) }

struct SpecialFunctionsTests {
    /// I_x(a, b) against SciPy 1.17 `special.betainc` and closed forms.
    @Test(arguments: [
        (2.0, 3.0, 0.4, 0.5247999999999999),   // polynomial case: Σ_{j=2}^{4} C(4,j) 0.4^j 0.6^{4−j}
        (0.5, 0.5, 0.1, 0.20483276469913345),  // arcsine law: (2/π) asin(√0.1)
        (10.0, 20.0, 0.9, 0.9999999999999593),
        (1.0, 1.0, 0.3, 0.3),                  // uniform
    ])
    func incompleteBetaMatchesReference(a: Double, b: Double, x: Double, expected: Double) {
        let value = SpecialFunctions.regularizedIncompleteBeta(a: a, b: b, x: x)
        #expect(relativeError(value, expected) < 1e-12)
    }

    @Test func incompleteBetaArcsineClosedForm() {
        for x in stride(from: 0.01, through: 0.99, by: 0.07) {
            let exact = 2 / Double.pi * asin(x.squareRoot())
            #expect(relativeError(SpecialFunctions.regularizedIncompleteBeta(a: 0.5, b: 0.5, x: x), exact) < 1e-12)
        }
    }

    /// SciPy `2 * t.sf(|t|, df)` values.
    @Test(arguments: [
        (2.0, 10.0, 0.07338803477074037),
        (1.0, 1.0, 0.5000000000000001),
        (-3.5, 4.0, 0.024896163460222748),
        (15.0, 20.0, 2.406525691895875e-12),
        (0.1, 30.0, 0.9210096117902712),
        (50.0, 499.0, 1.8301028943158859e-196),
    ])
    func studentTMatchesScipy(t: Double, df: Double, expected: Double) {
        #expect(relativeError(SpecialFunctions.studentTTwoSidedP(t: t, df: df), expected) < 1e-10)
    }

    /// Extreme tails against closed forms: df = 1 is Cauchy, p = (2/π)·atan(1/|t|); df = 2 has
    /// p = 1 − |t|/√(2 + t²) = 2 / (√(2 + t²) (√(2 + t²) + |t|)).
    @Test func studentTExtremeTailsMatchClosedForms() {
        for t in [10.0, 1e5, 1e12, 1e20, 1e40] {
            let cauchy = 2 / Double.pi * atan(1 / t)
            #expect(relativeError(SpecialFunctions.studentTTwoSidedP(t: t, df: 1), cauchy) < 1e-10)
            let root = (2 + t * t).squareRoot()
            let df2 = 2 / (root * (root + t))
            #expect(relativeError(SpecialFunctions.studentTTwoSidedP(t: -t, df: 2), df2) < 1e-10)
        }
        #expect(SpecialFunctions.studentTTwoSidedP(t: 1e20, df: 2) < 1e-30)
        #expect(SpecialFunctions.studentTTwoSidedP(t: 0, df: 7) == 1)
    }

    @Test func chiSquareAndBinomialTails() {
        // χ²₁ upper tail at 3.841458820694124 is 0.05 (the textbook critical value).
        #expect(relativeError(SpecialFunctions.chiSquare1UpperTail(3.841458820694124), 0.05) < 1e-12)
        // P(X ≤ 0) = 2^-n and P(X ≤ 2) = (1 + n + n(n−1)/2) 2^-n for X ~ Binomial(n, ½).
        for n in [5, 60, 200, 1000] {
            let p0 = pow(2.0, -Double(n))
            #expect(relativeError(SpecialFunctions.binomialLowerTail(k: 0, n: n, p: 0.5), p0) < 1e-12)
            let nd = Double(n)
            let p2 = (1 + nd + nd * (nd - 1) / 2) * p0
            #expect(relativeError(SpecialFunctions.binomialLowerTail(k: 2, n: n, p: 0.5), p2) < 1e-12)
        }
        #expect(SpecialFunctions.binomialLowerTail(k: 7, n: 7, p: 0.3) == 1)
    }
}
