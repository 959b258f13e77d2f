/// The corrected resampled t-test of two classifiers over the folds of repeated k-fold cross-validation
/// (Nadeau & Bengio 2003, "Inference for the generalization error", Machine Learning 52; in the r × k-fold
/// form of Bouckaert & Frank 2004, "Evaluating the replicability of significance tests for comparing
/// learning algorithms", PAKDD).
///
/// With dⱼ the k·r fold-level differences A − B (the same folds for both), σ̂² their sample variance
/// (denominator k·r − 1), n₁ and n₂ the training and test set sizes:
///
///     t = mean(d) / √((1/(k·r) + n₂/n₁) · σ̂²),   df = k·r − 1,   p = P(|T_df| ≥ |t|).
///
/// The plain paired t over the same differences uses 1/(k·r) alone and treats the folds as independent;
/// they are not (they share training images and, across repeats, test images), and the n₂/n₁ term is
/// Nadeau & Bengio's heuristic allowance for that correlation. It accounts for the choice of training and
/// test sets from the given images (fold noise), not for retraining the model whose features are probed.
public struct CorrectedResampledTTestResult: Codable, Equatable, Sendable {
    /// Folds per repeat, k.
    public var folds: Int
    /// Repeats, r.
    public var repeats: Int
    /// Mean of the k·r differences A − B.
    public var meanDifference: Double
    /// Sample variance σ̂² of the differences.
    public var variance: Double
    /// n₂/n₁, test-set over training-set size.
    public var testTrainRatio: Double
    /// The corrected statistic; ±∞ when every difference is the same non-zero value, 0 when all are zero.
    public var t: Double
    /// k·r − 1.
    public var df: Int
    /// Two-sided p-value under Student's t with `df` degrees of freedom.
    public var p: Double

    enum CodingKeys: String, CodingKey {
        case folds, repeats, meanDifference = "mean_difference", variance, testTrainRatio = "test_train_ratio", t, df, p
    }

    /// The test on fold-level differences.
    /// - Parameters:
    ///   - differences: k·r values A − B, one per fold of each repeat (any order).
    ///   - folds: k, ≥ 2.
    ///   - repeats: r, ≥ 1.
    ///   - testTrainRatio: n₂/n₁ (1/(k − 1) for equal folds).
    public init(differences: [Double], folds: Int, repeats: Int, testTrainRatio: Double) throws {
        precondition(folds >= 2 && repeats >= 1 && testTrainRatio > 0, "invalid cross-validation layout")
        guard differences.count == folds * repeats else {
            throw AnalysisError.lengthMismatch(a: differences.count, b: folds * repeats)
        }
        for (i, v) in differences.enumerated() where !v.isFinite { throw AnalysisError.nonFinite(source: "fold differences", index: i) }
        let n = Double(differences.count)
        let mean = differences.reduce(0, +) / n
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        self.folds = folds
        self.repeats = repeats
        meanDifference = mean
        self.variance = variance
        self.testTrainRatio = testTrainRatio
        df = differences.count - 1
        if variance == 0 {
            t = mean == 0 ? 0 : (mean > 0 ? .infinity : -.infinity)
        } else {
            t = mean / ((1 / n + testTrainRatio) * variance).squareRoot()
        }
        p = SpecialFunctions.studentTTwoSidedP(t: t, df: Double(df))
    }

    /// The test on two probes cross-validated on the same images with the same folds (same labels, folds,
    /// repeats and seed), paired fold by fold.
    /// - Parameter metric: the fold score compared (F1 by default).
    public init(a: ProbeResult, b: ProbeResult, metric: KeyPath<BinaryScores, Double> = \.f1) throws {
        guard !a.perFold.isEmpty, !b.perFold.isEmpty else {
            throw AnalysisError.unpairedFolds(detail: "a result has no fold scores (written before they were kept)")
        }
        guard a.testSizes == b.testSizes, a.perFold.count == b.perFold.count else {
            throw AnalysisError.unpairedFolds(detail: "A has \(a.perFold.count) repeats of test folds \(a.testSizes), "
                + "B has \(b.perFold.count) repeats of \(b.testSizes)")
        }
        let differences = zip(a.perFold, b.perFold).flatMap { fa, fb in zip(fa, fb).map { $0[keyPath: metric] - $1[keyPath: metric] } }
        try self.init(differences: differences, folds: a.folds, repeats: a.perFold.count, testTrainRatio: a.testTrainRatio)
    }
}
