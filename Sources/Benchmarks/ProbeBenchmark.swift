import Analysis
import Foundation
import Randomness

extension ConceptProbe {
    /// Times a probe at the study's scale on synthetic ReLU-like features with a weak planted concept
    /// (`palimpsest bench`).
    /// - Returns: wall-clock seconds for `repeats` × `folds` trainings on `images` × `dimension` features.
    public static func benchmark(images: Int = 600, dimension: Int = 512, repeats: Int = 500, folds: Int = 2,
                                 solver: Solver = .dualCoordinateDescent) throws -> Double {
        var rng = SplitMix64(seed: 1)
        let labels = (0..<images).map { _ in Bool.random(using: &rng) }
        let features = syntheticFeatures(labels: labels, dimension: dimension, rng: &rng)
        let start = Date()
        _ = try ConceptProbe(folds: folds, repeats: repeats, seed: 1, solver: solver)
            .crossValidate(features: features, dimension: dimension, labels: labels)
        return Date().timeIntervalSince(start)
    }

    /// `svm_probe`'s statistical work on the shape of the demo's AU14 probe (445 images, 47 positive, 512 features):
    /// 500 × 2-fold cross-validation, then the default chance baseline (100 label shuffles × 5 repeats), once
    /// per solver, back to back on the same synthetic features (correlated like a CNN block's).
    public static func compareSolvers(_ solvers: [Solver], images: Int = 445, positives: Int = 47, dimension: Int = 512,
                                      repeats: Int = 500, folds: Int = 2) throws -> [SolverRun] {
        var rng = SplitMix64(seed: 1)
        let labels = (0..<images).map { $0 < positives }.shuffled(using: &rng)
        let features = syntheticFeatures(labels: labels, dimension: dimension, factors: 10, rng: &rng)
        return try solvers.map { solver in
            let probe = ConceptProbe(folds: folds, repeats: repeats, seed: 1, solver: solver)
            let start = Date(), startCPU = clock()
            let result = try probe.crossValidate(features: features, dimension: dimension, labels: labels)
            let middle = Date()
            let test = try probe.permutationTest(features: features, dimension: dimension, labels: labels,
                                                 permutations: 100, repeats: 5, seed: 2)
            return SolverRun(solver: solver.rawValue, crossValidationSeconds: middle.timeIntervalSince(start),
                             permutationTestSeconds: Date().timeIntervalSince(middle),
                             cpuSeconds: Double(clock() - startCPU) / Double(CLOCKS_PER_SEC),
                             meanF1: result.meanF1, sdF1: result.standardDeviationF1, nullMeanF1: test.nullMean)
        }
    }

    /// ReLU-like features max(0, Σₖ 6 zᵢₖ aₖⱼ / (1 + k) + uᵢⱼ + s): z, a, u uniform in [−1, 1], s = 0.3 on the first 8
    /// features of positives. With `factors` > 0 the features share that many factors of falling weight, like a
    /// CNN block's (in the demo's block-5 features 10 components hold 74 % of the variance), which slows dual
    /// coordinate descent: with 10, `dual_cd` takes 2.9× `finite_newton`'s time, against 3.1× on the demo's own AU14
    /// features. With 0 they are independent (the 600 × 512 figure's features).
    private static func syntheticFeatures(labels: [Bool], dimension: Int, factors: Int = 0,
                                          rng: inout SplitMix64) -> [Float] {
        let z = (0..<(labels.count * factors)).map { _ in Float.random(in: -1...1, using: &rng) }
        let a = (0..<(factors * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
        return (0..<(labels.count * dimension)).map { i -> Float in
            let row = i / dimension, column = i % dimension
            let signal: Float = column < 8 && labels[row] ? 0.3 : 0
            var shared: Float = 0
            for k in 0..<factors { shared += 6 * z[row * factors + k] * a[k * dimension + column] / Float(1 + k) }
            return max(0, shared + Float.random(in: -1...1, using: &rng) + signal)
        }
    }
}

/// One solver's run in `ConceptProbe.compareSolvers`: seconds and scores.
public struct SolverRun: Codable, Sendable {
    public var solver: String
    /// Wall-clock seconds of the cross-validation and of the permutation test.
    public var crossValidationSeconds: Double
    public var permutationTestSeconds: Double
    /// Processor seconds of the whole process (all threads) over both, less sensitive to other jobs.
    public var cpuSeconds: Double
    /// Mean and sample SD of the per-repeat F1; mean F1 of the null distribution.
    public var meanF1: Double
    public var sdF1: Double
    public var nullMeanF1: Double

    enum CodingKeys: String, CodingKey {
        case solver, crossValidationSeconds = "cross_validation_s", permutationTestSeconds = "permutation_test_s",
             cpuSeconds = "cpu_s", meanF1 = "mean_f1", sdF1 = "sd_f1", nullMeanF1 = "null_mean_f1"
    }
}
