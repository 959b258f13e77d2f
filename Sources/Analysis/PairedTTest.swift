/// Student's paired t-test on two score lists over the same units (Student 1908; SciPy's `ttest_rel`).
///
/// With dᵢ = aᵢ − bᵢ: t = mean(d) / (sd(d) / √n), df = n − 1, sd with denominator n − 1.
///
/// Two uses, with different units:
/// - **Over probe repeats** (the study's test): the units are cross-validation repeats of the same features,
///   so p measures fold noise only and grows arbitrarily small with the number of repeats.
/// - **Across seeds**: the units are replicates (e.g. per-seed recall of A minus B, or per-seed mean probe F1),
///   each with its own trained models, so p accounts for training noise. With 3 seeds df = 2 and the
///   two-sided 5 % critical value is |t| = 4.30; with 2 seeds df = 1 (critical value 12.7, the Cauchy tail).
///   When every difference is equal the variance is 0: t = ±∞ and p = 0 for a non-zero difference (SciPy
///   agrees), t = 0 and p = 1 when all are zero (SciPy gives NaN). Read p = 0 from a handful of seeds as
///   "the seeds agree exactly", not as overwhelming evidence.
public struct PairedTTestResult: Codable, Equatable, Sendable {
    /// Number of pairs.
    public var n: Int
    /// Mean of A − B.
    public var meanDifference: Double
    /// t = mean(d) / (sd(d) / √n); ±∞ when every difference is the same non-zero value, 0 when all are zero.
    public var t: Double
    /// Degrees of freedom, n − 1.
    public var df: Int
    /// Two-sided p-value under Student's t with `df` degrees of freedom.
    public var p: Double
    /// Cohen's d for paired samples (d_z): mean(d) / sd(d).
    public var cohensD: Double

    enum CodingKeys: String, CodingKey {
        case n, meanDifference = "mean_difference", t, df, p, cohensD = "cohens_d"
    }

    /// Runs the test on `a` and `b`, paired by position.
    public init(a: [Double], b: [Double]) throws {
        guard a.count == b.count else { throw AnalysisError.lengthMismatch(a: a.count, b: b.count) }
        guard a.count >= 2 else { throw AnalysisError.tooFewPairs(needed: 2, found: a.count) }
        for (i, v) in a.enumerated() where !v.isFinite { throw AnalysisError.nonFinite(source: "A", index: i) }
        for (i, v) in b.enumerated() where !v.isFinite { throw AnalysisError.nonFinite(source: "B", index: i) }
        let d = zip(a, b).map { $0 - $1 }
        let n = Double(d.count)
        // Two-pass mean and variance: the differences of near-equal F1 scores are small, so avoid cancellation.
        let mean = d.reduce(0, +) / n
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let sd = variance.squareRoot()
        self.n = d.count
        meanDifference = mean
        df = d.count - 1
        if sd == 0 {
            t = mean == 0 ? 0 : (mean > 0 ? .infinity : -.infinity)
            cohensD = t
        } else {
            t = mean / (sd / n.squareRoot())
            cohensD = mean / sd
        }
        p = SpecialFunctions.studentTTwoSidedP(t: t, df: Double(df))
    }
}
