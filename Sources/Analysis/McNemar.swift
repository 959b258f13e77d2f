/// McNemar's test on paired per-sample correctness of two classifiers (McNemar 1947).
///
/// Only the discordant pairs matter: `b` = samples A gets right and B wrong, `c` = samples A gets wrong and
/// B right. Under H₀ (equal error rates) b ~ Binomial(b + c, ½).
public struct McNemarResult: Codable, Equatable, Sendable {
    /// A right, B wrong.
    public var b: Int
    /// A wrong, B right.
    public var c: Int
    /// Exact two-sided binomial p-value: min(1, 2 · P(X ≤ min(b, c))), X ~ Binomial(b + c, ½); 1 when b + c = 0.
    public var pExact: Double
    /// χ² statistic with continuity correction, (|b − c| − 1)² / (b + c); 0 when b = c (as R's mcnemar.test).
    public var chi2: Double
    /// Upper-tail p-value of `chi2` under χ² with one degree of freedom.
    public var pChi2: Double

    enum CodingKeys: String, CodingKey {
        case b, c, pExact = "p_exact", chi2, pChi2 = "p_chi2"
    }

    /// Test from the discordant counts.
    public init(b: Int, c: Int) {
        precondition(b >= 0 && c >= 0, "counts must be non-negative")
        self.b = b
        self.c = c
        let n = b + c
        pExact = n == 0 ? 1 : min(1, 2 * SpecialFunctions.binomialLowerTail(k: min(b, c), n: n, p: 0.5))
        if b == c {
            chi2 = 0
        } else {
            let excess = Double(abs(b - c) - 1)
            chi2 = excess * excess / Double(n)
        }
        pChi2 = SpecialFunctions.chiSquare1UpperTail(chi2)
    }

    /// Test from paired correctness flags (same samples, same order).
    public init(correctA: [Bool], correctB: [Bool]) throws {
        guard correctA.count == correctB.count else {
            throw AnalysisError.lengthMismatch(a: correctA.count, b: correctB.count)
        }
        var b = 0, c = 0
        for (a, bb) in zip(correctA, correctB) {
            if a && !bb { b += 1 } else if !a && bb { c += 1 }
        }
        self.init(b: b, c: c)
    }
}
