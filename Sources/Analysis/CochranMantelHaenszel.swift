import Foundation

/// A 2×2 table of counts, rows = exposure (e.g. model A, model B), columns = outcome (e.g. right, wrong):
///
///     | a  b |
///     | c  d |
public struct TwoByTwoTable: Codable, Equatable, Sendable {
    public var a: Int
    public var b: Int
    public var c: Int
    public var d: Int

    public init(a: Int, b: Int, c: Int, d: Int) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    /// a + b + c + d.
    public var total: Int { a + b + c + d }
}

/// The Cochran–Mantel–Haenszel test of conditional independence in K stratified 2×2 tables, and the
/// Mantel–Haenszel pooled odds ratio (Mantel & Haenszel 1959, "Statistical aspects of the analysis of data
/// from retrospective studies of disease", JNCI 22; Agresti, "Categorical Data Analysis", §6.4).
///
/// Per stratum with n = a + b + c + d, E(a) = (a + b)(a + c)/n and
/// V(a) = (a + b)(c + d)(a + c)(b + d) / (n² (n − 1)) under H₀ (odds ratio 1 in every stratum, margins fixed):
///
///     χ²_MH = (|Σ (a − E(a))| − δ)² / Σ V(a),   df = 1,
///
/// with δ = 0 (uncorrected) or ½ (continuity-corrected). Matches statsmodels
/// `StratifiedTable(tables).test_null_odds(correction=…)`, except that like R's `mantelhaen.test` the
/// correction is dropped when |Σ (a − E)| < ½ (statsmodels then subtracts ½ anyway and squares a negative).
/// Strata with n < 2 carry no information (V = 0 and a = E) and are skipped.
///
/// The pooled odds ratio is OR_MH = Σ (ad/n) / Σ (bc/n); its 95 % interval uses the Robins–Breslow–Greenland
/// (1986, Biometrics 42) standard error of ln OR_MH, as statsmodels' `oddsratio_pooled_confint`.
public struct CochranMantelHaenszelResult: Codable, Equatable, Sendable {
    /// Strata used (those with n ≥ 2).
    public var strata: Int
    /// Σ (a − E(a)) over strata: positive when a (e.g. "A right") is more frequent than independence predicts.
    public var excess: Double
    /// χ²_MH without continuity correction; 0 when Σ V = 0 (every stratum has a degenerate margin).
    public var chi2: Double
    /// Upper-tail χ²(1) p-value of `chi2`.
    public var p: Double
    /// χ²_MH with the continuity correction ½.
    public var chi2Corrected: Double
    /// Upper-tail χ²(1) p-value of `chi2Corrected`.
    public var pCorrected: Double
    /// OR_MH; nil when Σ ad/n = Σ bc/n = 0, ∞ when only the denominator is 0.
    public var pooledOddsRatio: Double?
    /// Robins–Breslow–Greenland standard error of ln OR_MH; nil unless both sums are positive.
    public var logOddsRatioStandardError: Double?
    /// 95 % interval exp(ln OR_MH ± 1.96 · SE); nil with the standard error.
    public var oddsRatioInterval: [Double]?

    enum CodingKeys: String, CodingKey {
        case strata, excess, chi2, p, chi2Corrected = "chi2_corrected", pCorrected = "p_corrected"
        case pooledOddsRatio = "pooled_odds_ratio", logOddsRatioStandardError = "log_odds_ratio_se"
        case oddsRatioInterval = "odds_ratio_interval"
    }

    /// Runs the test on `tables`, one per stratum.
    public init(tables: [TwoByTwoTable]) throws {
        for (i, t) in tables.enumerated() where min(t.a, t.b, t.c, t.d) < 0 {
            throw AnalysisError.invalidCounts(detail: "table \(i) has a negative count (\(t))")
        }
        let used = tables.filter { $0.total >= 2 }
        guard !used.isEmpty else {
            throw AnalysisError.invalidCounts(detail: "no stratum has two or more samples")
        }
        var excess = 0.0, variance = 0.0
        // Sums for the pooled odds ratio and the RBG variance: R = ad/n, S = bc/n, P = (a+d)/n, Q = (b+c)/n.
        var r = 0.0, s = 0.0, pr = 0.0, psqr = 0.0, qs = 0.0
        for t in used {
            let a = Double(t.a), b = Double(t.b), c = Double(t.c), d = Double(t.d), n = Double(t.total)
            excess += a - (a + b) * (a + c) / n
            variance += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
            let rk = a * d / n, sk = b * c / n, pk = (a + d) / n, qk = (b + c) / n
            r += rk
            s += sk
            pr += pk * rk
            psqr += pk * sk + qk * rk
            qs += qk * sk
        }
        strata = used.count
        self.excess = excess
        if variance > 0 {
            chi2 = excess * excess / variance
            let corrected = abs(excess) >= 0.5 ? abs(excess) - 0.5 : abs(excess)
            chi2Corrected = corrected * corrected / variance
        } else {
            chi2 = 0
            chi2Corrected = 0
        }
        p = SpecialFunctions.chiSquare1UpperTail(chi2)
        pCorrected = SpecialFunctions.chiSquare1UpperTail(chi2Corrected)
        pooledOddsRatio = r == 0 && s == 0 ? nil : r / s
        if r > 0 && s > 0 {
            let se = (pr / (2 * r * r) + psqr / (2 * r * s) + qs / (2 * s * s)).squareRoot()
            let z = 1.959963984540054
            logOddsRatioStandardError = se
            oddsRatioInterval = [exp(log(r / s) - z * se), exp(log(r / s) + z * se)]
        } else {
            logOddsRatioStandardError = nil
            oddsRatioInterval = nil
        }
    }
}
