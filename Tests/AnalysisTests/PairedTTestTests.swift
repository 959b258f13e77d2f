import Foundation
import Testing
@testable import Analysis

struct PairedTTestTests {
    /// Six paired F1 scores; SciPy `ttest_rel` gives t = 3.9101173052787668, p = 0.01129365479354796.
    @Test func matchesScipyTtestRel() throws {
        let a = [0.71, 0.68, 0.74, 0.70, 0.69, 0.73]
        let b = [0.65, 0.66, 0.70, 0.64, 0.69, 0.68]
        let r = try PairedTTestResult(a: a, b: b)
        #expect(r.n == 6 && r.df == 5)
        #expect(relativeError(r.meanDifference, 0.23 / 6) < 1e-12)
        #expect(relativeError(r.t, 3.9101173052787668) < 1e-12)
        #expect(relativeError(r.p, 0.01129365479354796) < 1e-10)
        #expect(relativeError(r.cohensD, 1.5962987053932232) < 1e-12)
    }

    /// Differences 1, 2, 3: mean 2, sd 1, t = 2√3, df 2; p = 2 / (√14 (√14 + 2√3)) by the df = 2 closed form.
    @Test func handComputedThreePairs() throws {
        let r = try PairedTTestResult(a: [1, 2, 3], b: [0, 0, 0])
        #expect(relativeError(r.t, 2 * 3.0.squareRoot()) < 1e-14)
        let root = 14.0.squareRoot()
        #expect(relativeError(r.p, 2 / (root * (root + 2 * 3.0.squareRoot()))) < 1e-12)
        #expect(relativeError(r.cohensD, 2) < 1e-14)
    }

    /// Exactly equal differences: SciPy's `ttest_rel` also gives t = inf, p = 0 (and NaN where all are zero).
    @Test func constantDifferences() throws {
        let same = try PairedTTestResult(a: [0.5, 0.5], b: [0.5, 0.5])
        #expect(same.t == 0 && same.p == 1)
        let shifted = try PairedTTestResult(a: [0.75, 0.5, 0.25], b: [0.5, 0.25, 0.0])
        #expect(shifted.t == .infinity && shifted.p == 0)
    }

    @Test func rejectsBadInput() {
        #expect(throws: AnalysisError.lengthMismatch(a: 2, b: 3)) { try PairedTTestResult(a: [1, 2], b: [1, 2, 3]) }
        #expect(throws: AnalysisError.tooFewPairs(needed: 2, found: 1)) { try PairedTTestResult(a: [1], b: [2]) }
        #expect(throws: AnalysisError.nonFinite(source: "B", index: 1)) { try PairedTTestResult(a: [1, 2], b: [1, .nan]) }
    }
}

/// The paired t across seeds: few pairs (SciPy 1.17.1 `ttest_rel`).
struct AcrossSeedTTestTests {
    @Test func threeSeeds() throws {
        let r = try PairedTTestResult(a: [0.62, 0.55, 0.71], b: [0.48, 0.50, 0.52])
        #expect(r.df == 2)
        #expect(relativeError(r.t, 3.092396143330408) < 1e-12)
        #expect(relativeError(r.p, 0.09058633241753163) < 1e-10)
    }

    @Test func twoSeeds() throws {
        let r = try PairedTTestResult(a: [0.62, 0.55], b: [0.48, 0.50])
        #expect(r.df == 1)
        #expect(relativeError(r.t, 2.1111111111111125) < 1e-12)
        #expect(relativeError(r.p, 0.28162417713274085) < 1e-10)
    }
}
