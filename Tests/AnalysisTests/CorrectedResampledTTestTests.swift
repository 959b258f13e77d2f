import Testing
@testable import Analysis

/// Oracle values: NumPy/SciPy 1.17.1, t = mean(d) / sqrt((1/(k r) + ratio) · var(d, ddof=1)),
/// p = 2 · scipy.stats.t.sf(|t|, k r − 1) (script kept outside the repository, /work/venv-stats/oracles).
struct CorrectedResampledTTestTests {
    let d1 = [0.05, 0.02, -0.01, 0.04, 0.03, 0.06, 0.00, 0.02, 0.05, 0.01]

    @Test func matchesScipyTwoFoldFiveRepeats() throws {
        let r = try CorrectedResampledTTestResult(differences: d1, folds: 2, repeats: 5, testTrainRatio: 1)
        #expect(r.df == 9)
        #expect(relativeError(r.meanDifference, 0.027) < 1e-12)
        #expect(relativeError(r.t, 1.1135664506576337) < 1e-12)
        #expect(relativeError(r.p, 0.29432024957542513) < 1e-10)
    }

    @Test func matchesScipyFiveFoldTwoRepeats() throws {
        let d = [0.012, -0.004, 0.020, 0.008, 0.015, 0.001, -0.002, 0.011, 0.009, 0.017]
        let r = try CorrectedResampledTTestResult(differences: d, folds: 5, repeats: 2, testTrainRatio: 0.25)
        #expect(relativeError(r.t, 1.8192018771077363) < 1e-12)
        #expect(relativeError(r.p, 0.1022325967159755) < 1e-10)
    }

    /// The correction only rescales the plain one-sample t (SciPy `ttest_1samp(d1, 0)`: 3.693282095959181)
    /// by √((1/n) / (1/n + n₂/n₁)).
    @Test func isThePlainTShrunkByTheCorrection() throws {
        let r = try CorrectedResampledTTestResult(differences: d1, folds: 2, repeats: 5, testTrainRatio: 1)
        #expect(relativeError(r.t, 3.693282095959181 * (0.1 / 1.1).squareRoot()) < 1e-12)
    }

    /// Two probe results whose fold F1 differ by d1, fold by fold, give the test on d1.
    @Test func pairsTwoProbesFoldByFold() throws {
        func scores(_ f1: Double) -> BinaryScores { BinaryScores(precision: 0.5, recall: 0.5, f1: f1, accuracy: 0.5) }
        let a = ProbeResult(perFold: (0..<5).map { r in (0..<2).map { scores(0.5 + d1[2 * r + $0]) } }, testSizes: [50, 50])
        let b = ProbeResult(perFold: (0..<5).map { _ in [scores(0.5), scores(0.5)] }, testSizes: [50, 50])
        let paired = try CorrectedResampledTTestResult(a: a, b: b)
        let direct = try CorrectedResampledTTestResult(differences: zip(a.perFold.joined(), b.perFold.joined()).map { $0.f1 - $1.f1 },
                                                       folds: 2, repeats: 5, testTrainRatio: 1)
        #expect(paired == direct)
        #expect(relativeError(paired.t, 1.1135664506576337) < 1e-12)
        #expect(paired.testTrainRatio == 1)
        let accuracy = try CorrectedResampledTTestResult(a: a, b: b, metric: \.accuracy)
        #expect(accuracy.t == 0 && accuracy.p == 1)
    }

    @Test func constantDifferences() throws {
        let shifted = try CorrectedResampledTTestResult(differences: [0.25, 0.25, 0.25, 0.25], folds: 2, repeats: 2, testTrainRatio: 1)
        #expect(shifted.t == .infinity && shifted.p == 0)
        let none = try CorrectedResampledTTestResult(differences: [0, 0, 0, 0], folds: 2, repeats: 2, testTrainRatio: 1)
        #expect(none.t == 0 && none.p == 1)
    }

    @Test func rejectsUnpairableInput() throws {
        #expect(throws: AnalysisError.lengthMismatch(a: 3, b: 4)) {
            try CorrectedResampledTTestResult(differences: [1, 2, 3], folds: 2, repeats: 2, testTrainRatio: 1)
        }
        let s = BinaryScores(precision: 1, recall: 1, f1: 1, accuracy: 1)
        let a = ProbeResult(perFold: [[s, s]], testSizes: [5, 5])
        let b = ProbeResult(perFold: [[s, s]], testSizes: [5, 4])
        #expect(throws: AnalysisError.unpairedFolds(detail: "A has 1 repeats of test folds [5, 5], B has 1 repeats of [5, 4]")) {
            try CorrectedResampledTTestResult(a: a, b: b)
        }
    }
}
