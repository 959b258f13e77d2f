import Testing
@testable import Analysis

struct McNemarTests {
    @Test func noDiscordantPairsGivesPOne() {
        let r = McNemarResult(b: 0, c: 0)
        #expect(r.pExact == 1 && r.chi2 == 0 && r.pChi2 == 1)
    }

    /// b = 0, c = 5: exact p = 2 · 2⁻⁵ = 0.0625; χ² = (5 − 1)² / 5 = 3.2.
    @Test func oneSidedDisagreementByHand() {
        let r = McNemarResult(b: 0, c: 5)
        #expect(r.pExact == 0.0625)
        #expect(abs(r.chi2 - 3.2) < 1e-15)
        #expect(relativeError(r.pChi2, 0.07363827012030258) < 1e-12)
    }

    @Test func balancedDisagreementIsNotSignificant() {
        let r = McNemarResult(b: 3, c: 3)
        #expect(r.pExact == 1 && r.chi2 == 0 && r.pChi2 == 1)
    }

    /// b = 10, c = 2: P(X ≤ 2) = (1 + 12 + 66) / 4096, doubled = 158/4096; χ² = 49/12.
    @Test func smallCountsByHand() {
        let r = McNemarResult(b: 10, c: 2)
        #expect(relativeError(r.pExact, 158.0 / 4096) < 1e-14)
        #expect(relativeError(r.chi2, 49.0 / 12) < 1e-14)
        #expect(relativeError(r.pChi2, 0.04330814281079206) < 1e-12)
    }

    /// With many discordant pairs the exact and χ² p-values agree (SciPy values).
    @Test func largeCountsExactAndChiSquareAgree() {
        let r = McNemarResult(b: 400, c: 330)
        #expect(relativeError(r.pExact, 0.010605994778707762) < 1e-10)
        #expect(relativeError(r.pChi2, 0.010655304191197383) < 1e-10)
        #expect(relativeError(r.pExact, r.pChi2) < 0.01)
    }

    @Test func countsFromCorrectnessFlags() throws {
        let a = [true, true, false, false, true, true]
        let b = [true, false, true, false, false, false]
        let r = try McNemarResult(correctA: a, correctB: b)
        #expect(r.b == 3 && r.c == 1)
        #expect(throws: AnalysisError.lengthMismatch(a: 6, b: 1)) { try McNemarResult(correctA: a, correctB: [true]) }
    }
}

struct PooledMcNemarTests {
    /// Three seeds' discordant counts on the same images. The pooled test is McNemar on b = 41, c = 18
    /// (statsmodels 0.15.0 `mcnemar([[0, 41], [18, 0]], exact=True)` p = 0.0037937056353716074; `exact=False,
    /// correction=True`: χ² = 8.203389830508474, p = 0.004181219799142918). The same value comes out of
    /// statsmodels' `StratifiedTable` over one stratum per (image, seed) pair (rows A/B, columns right/wrong),
    /// corrected: 8.203389830508474, uncorrected 8.966101694915254 = (41 − 18)² / 59.
    @Test func poolsDiscordantCountsAsMatchedPairCMH() throws {
        let seeds = [McNemarResult(b: 14, c: 6), McNemarResult(b: 11, c: 7), McNemarResult(b: 16, c: 5)]
        let pooled = McNemarResult(pooling: seeds)
        #expect(pooled.b == 41 && pooled.c == 18)
        #expect(relativeError(pooled.pExact, 0.0037937056353716074) < 1e-10)
        #expect(relativeError(pooled.chi2, 8.203389830508474) < 1e-12)
        #expect(relativeError(pooled.pChi2, 0.004181219799142918) < 1e-10)

        // Our CMH over the per-pair strata, with 50 pairs both right and 9 both wrong per seed.
        var strata: [TwoByTwoTable] = []
        for seed in seeds {
            strata += Array(repeating: TwoByTwoTable(a: 1, b: 0, c: 0, d: 1), count: seed.b)
            strata += Array(repeating: TwoByTwoTable(a: 0, b: 1, c: 1, d: 0), count: seed.c)
            strata += Array(repeating: TwoByTwoTable(a: 1, b: 0, c: 1, d: 0), count: 50)
            strata += Array(repeating: TwoByTwoTable(a: 0, b: 1, c: 0, d: 1), count: 9)
        }
        let cmh = try CochranMantelHaenszelResult(tables: strata)
        #expect(relativeError(cmh.chi2Corrected, pooled.chi2) < 1e-12)
        #expect(relativeError(cmh.chi2, 8.966101694915254) < 1e-12)
        #expect(relativeError(cmh.pCorrected, pooled.pChi2) < 1e-10)
    }
}
