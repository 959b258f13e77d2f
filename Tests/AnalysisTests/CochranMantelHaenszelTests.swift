import Testing
@testable import Analysis

/// Oracle values: statsmodels 0.15.0 `StratifiedTable` (tables stacked as 2 × 2 × K) with
/// `test_null_odds(correction=False/True)`, `oddsratio_pooled`, `logodds_pooled_se`, `oddsratio_pooled_confint()`;
/// p-values from `scipy.stats.chi2.sf` (statsmodels computes 1 − cdf); script in /work/venv-stats/oracles.
struct CochranMantelHaenszelTests {
    struct Case: Sendable {
        var tables: [TwoByTwoTable]
        var chi2, p, chi2Corrected, pCorrected, oddsRatio, se, lower, upper: Double
    }

    static let cases: [Case] = [
        Case(tables: [.init(a: 20, b: 5, c: 12, d: 13), .init(a: 15, b: 10, c: 9, d: 16), .init(a: 30, b: 8, c: 22, d: 10)],
             chi2: 8.108259646602932, p: 0.00440640116304199, chi2Corrected: 7.210211970914315, pCorrected: 0.007248993266404361,
             oddsRatio: 2.5906735751295336, se: 0.33624531478232694, lower: 1.3402942810476617, upper: 5.007549213466928),
        Case(tables: [.init(a: 40, b: 10, c: 35, d: 15), .init(a: 38, b: 12, c: 37, d: 13), .init(a: 41, b: 9, c: 36, d: 14),
                      .init(a: 2, b: 1, c: 1, d: 3)],
             chi2: 2.6758667728446293, p: 0.1018798437418542, chi2Corrected: 2.2625904804076664, pCorrected: 0.13253220163223817,
             oddsRatio: 1.5488266464799396, se: 0.2671484447962227, lower: 0.9174990923325395, upper: 2.614568233247743),
        Case(tables: [.init(a: 5, b: 3, c: 3, d: 5), .init(a: 4, b: 4, c: 4, d: 4), .init(a: 6, b: 2, c: 5, d: 3)],
             chi2: 0.7377049180327869, p: 0.3903970680084393, chi2Corrected: 0.3278688524590164, pCorrected: 0.5669166877901273,
             oddsRatio: 1.6857142857142857, se: 0.593984979357546, lower: 0.5262390064909386, upper: 5.399889818145122),
    ]

    @Test(arguments: cases) func matchesStatsmodels(_ c: Case) throws {
        let r = try CochranMantelHaenszelResult(tables: c.tables)
        #expect(r.strata == c.tables.count)
        #expect(relativeError(r.chi2, c.chi2) < 1e-12)
        #expect(relativeError(r.p, c.p) < 1e-10)
        #expect(relativeError(r.chi2Corrected, c.chi2Corrected) < 1e-12)
        #expect(relativeError(r.pCorrected, c.pCorrected) < 1e-10)
        #expect(relativeError(try #require(r.pooledOddsRatio), c.oddsRatio) < 1e-12)
        #expect(relativeError(try #require(r.logOddsRatioStandardError), c.se) < 1e-12)
        let interval = try #require(r.oddsRatioInterval)
        #expect(relativeError(interval[0], c.lower) < 1e-10 && relativeError(interval[1], c.upper) < 1e-10)
    }

    /// A stratum of one sample has V = 0 and a = E: it changes nothing and is not counted.
    @Test func singleSampleStrataAreSkipped() throws {
        let c = Self.cases[0]
        let r = try CochranMantelHaenszelResult(tables: c.tables + [.init(a: 1, b: 0, c: 0, d: 0), .init(a: 0, b: 0, c: 0, d: 0)])
        #expect(r.strata == 3)
        #expect(relativeError(r.chi2, c.chi2) < 1e-12)
    }

    /// Three strata with a − E = ±½ and V = 5⁴ / (10² · 9): Σ (a − E) = ½, χ² = ¼ / (3 · 625/900) = 0.12
    /// (statsmodels agrees), and the corrected statistic is (½ − ½)² / V = 0 as in statsmodels. Below ½ the
    /// correction is dropped (R's rule); statsmodels would square a negative and report a positive value.
    @Test func correctionIsDroppedBelowOneHalf() throws {
        let r = try CochranMantelHaenszelResult(tables: [.init(a: 3, b: 2, c: 2, d: 3), .init(a: 2, b: 3, c: 3, d: 2), .init(a: 3, b: 2, c: 2, d: 3)])
        #expect(abs(r.excess - 0.5) < 1e-15)
        #expect(relativeError(r.chi2, 0.12000000000000002) < 1e-12)
        // 0.5 ≥ 0.5: the correction applies here and gives statsmodels' 0.
        #expect(r.chi2Corrected == 0 && r.pCorrected == 1)
        let below = try CochranMantelHaenszelResult(tables: [.init(a: 3, b: 2, c: 2, d: 3), .init(a: 2, b: 3, c: 3, d: 3)])
        #expect(abs(below.excess) < 0.5 && below.chi2Corrected == below.chi2)
    }

    @Test func degenerateAndInvalidTables() throws {
        // Every stratum with one empty row: no information, no odds ratio.
        let empty = try CochranMantelHaenszelResult(tables: [.init(a: 3, b: 2, c: 0, d: 0)])
        #expect(empty.chi2 == 0 && empty.p == 1 && empty.pooledOddsRatio == nil && empty.oddsRatioInterval == nil)
        let infinite = try CochranMantelHaenszelResult(tables: [.init(a: 3, b: 0, c: 1, d: 2)])
        #expect(infinite.pooledOddsRatio == .infinity && infinite.logOddsRatioStandardError == nil)
        #expect(throws: AnalysisError.invalidCounts(detail: "no stratum has two or more samples")) {
            try CochranMantelHaenszelResult(tables: [.init(a: 1, b: 0, c: 0, d: 0)])
        }
        #expect(throws: AnalysisError.self) { try CochranMantelHaenszelResult(tables: [.init(a: 1, b: -1, c: 0, d: 0)]) }
    }
}
