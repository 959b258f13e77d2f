import Dispatch
import Randomness

extension ConceptProbe {
    /// Does the probe beat chance? A permutation test of the whole cross-validated pipeline (Ojala & Garriga
    /// 2010, "Permutation tests for studying classifier performance", JMLR 11, test 1).
    ///
    /// The statistic is the mean F1 over `repeats` cross-validation repeats (repeats 0..<R of this probe's
    /// seed: the same fold seeds, C, balancing and standardising for the observed labels and for every
    /// permutation). The null distribution comes from N seeded shufflings of the labels over the images,
    /// which destroy any link between features and concept but keep the class sizes and the features'
    /// own structure:
    ///
    ///     p = (1 + #{i : Fᵢ ≥ F_observed}) / (N + 1),
    ///
    /// which is never below 1/(N + 1) and, under H₀ (labels exchangeable given the features), satisfies
    /// P(p ≤ α) ≤ α. It accounts for the noise of a finite labelled set and of the fold choice; like every
    /// probe statistic it takes the features (the trained model) as given.
    ///
    /// Deterministic for a given seed whatever the thread count; runs the permutations in parallel.
    /// - Parameters:
    ///   - features: n × d values, row-major.
    ///   - dimension: d.
    ///   - labels: whether each image shows the concept.
    ///   - permutations: N, ≥ 1.
    ///   - repeats: R cross-validation repeats per statistic, ≥ 1 (cost: (N + 1) · R · k trainings).
    ///   - seed: seed of the label shuffles (the folds use the probe's own `seed`).
    public func permutationTest(features: [Float], dimension d: Int, labels: [Bool], permutations: Int,
                                repeats: Int, seed permutationSeed: UInt64) throws -> PermutationTestResult {
        precondition(permutations >= 1 && repeats >= 1 && C > 0, "invalid permutation test settings")
        let data = try ProbeData(features: features, dimension: d, labels: labels, folds: folds)
        // Slot 0 holds the observed statistic, slot i the one of permutation i.
        var statistics = [Double](repeating: 0, count: permutations + 1)
        statistics.withUnsafeMutableBufferPointer { results in
            let out = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: permutations + 1) { i in
                var shuffled = labels
                if i > 0 {
                    var rng = SplitMix64(seed: permutationSeed ^ (UInt64(i) &* 0x9E37_79B9_7F4A_7C15))
                    shuffled.shuffle(using: &rng)
                }
                var sum = 0.0
                for r in 0..<repeats { sum += BinaryScores.mean(foldScores(repeat: r, data: data, labels: shuffled)).f1 }
                out.value[i] = sum / Double(repeats)
            }
        }
        return PermutationTestResult(observed: statistics[0], null: Array(statistics.dropFirst()), repeats: repeats)
    }
}

/// The outcome of a permutation test: the observed statistic, its null distribution and p.
public struct PermutationTestResult: Codable, Equatable, Sendable {
    /// The statistic on the true labels (mean F1 over `repeats`).
    public var observed: Double
    /// The statistic on each permutation, in permutation order (N values).
    public var null: [Double]
    /// Cross-validation repeats behind each statistic.
    public var repeats: Int
    /// #{i : Fᵢ ≥ observed}.
    public var exceedances: Int
    /// (1 + exceedances) / (N + 1).
    public var p: Double

    enum CodingKeys: String, CodingKey { case observed, null, repeats, exceedances, p }

    public init(observed: Double, null: [Double], repeats: Int) {
        precondition(!null.isEmpty, "at least one permutation")
        self.observed = observed
        self.null = null
        self.repeats = repeats
        exceedances = null.filter { $0 >= observed }.count
        p = Double(1 + exceedances) / Double(null.count + 1)
    }

    /// Number of permutations N.
    public var permutations: Int { null.count }

    /// Mean of the null distribution.
    public var nullMean: Double { null.reduce(0, +) / Double(null.count) }

    /// Quantile q ∈ [0, 1] of the null distribution, interpolated linearly between order statistics
    /// (NumPy's default `quantile` method, Hyndman & Fan type 7).
    public func nullQuantile(_ q: Double) -> Double {
        precondition(q >= 0 && q <= 1, "a quantile lies in [0, 1]")
        let sorted = null.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }
}
