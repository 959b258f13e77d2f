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

    /// The two solvers back to back on the same synthetic features, by default the shape of the demo's AU14
    /// probe (445 images, 47 positive, 512 features, 500 × 2 folds): times and how far their scores differ.
    public static func compareSolvers(images: Int = 445, positives: Int = 47, dimension: Int = 512,
                                      repeats: Int = 500, folds: Int = 2) throws -> SolverComparison {
        var rng = SplitMix64(seed: 1)
        let labels = (0..<images).map { $0 < positives }.shuffled(using: &rng)
        let features = syntheticFeatures(labels: labels, dimension: dimension, rng: &rng)
        var seconds: [Solver: Double] = [:], cpu: [Solver: Double] = [:], results: [Solver: ProbeResult] = [:]
        for solver in [Solver.primalNewton, .dualCoordinateDescent] {
            let start = Date(), startCPU = clock()
            results[solver] = try ConceptProbe(folds: folds, repeats: repeats, seed: 1, solver: solver)
                .crossValidate(features: features, dimension: dimension, labels: labels)
            seconds[solver] = Date().timeIntervalSince(start)
            cpu[solver] = Double(clock() - startCPU) / Double(CLOCKS_PER_SEC)
        }
        let primal = results[.primalNewton]!, dual = results[.dualCoordinateDescent]!
        let pairs = zip(primal.perFold.joined(), dual.perFold.joined())
        return SolverComparison(
            primalSeconds: seconds[.primalNewton]!, dualSeconds: seconds[.dualCoordinateDescent]!,
            primalCPUSeconds: cpu[.primalNewton]!, dualCPUSeconds: cpu[.dualCoordinateDescent]!,
            primalMeanF1: primal.meanF1, dualMeanF1: dual.meanF1,
            primalSDF1: primal.standardDeviationF1, dualSDF1: dual.standardDeviationF1,
            identicalFolds: Double(pairs.filter { $0 == $1 }.count) / Double(primal.perFold.count * folds),
            largestFoldF1Difference: pairs.map { abs($0.f1 - $1.f1) }.max() ?? 0)
    }

    /// ReLU-like features max(0, u + s), u uniform in [−1, 1], s = 0.3 on the first 8 features of positives.
    private static func syntheticFeatures(labels: [Bool], dimension: Int, rng: inout SplitMix64) -> [Float] {
        (0..<(labels.count * dimension)).map { i -> Float in
            let signal: Float = i % dimension < 8 && labels[i / dimension] ? 0.3 : 0
            return max(0, Float.random(in: -1...1, using: &rng) + signal)
        }
    }
}

/// `ConceptProbe.compareSolvers`: seconds and scores of the primal Newton and dual coordinate descent solvers.
public struct SolverComparison: Sendable {
    /// Wall-clock seconds.
    public var primalSeconds: Double
    public var dualSeconds: Double
    /// Processor seconds of the whole process (all threads), less sensitive to other jobs than wall-clock time.
    public var primalCPUSeconds: Double
    public var dualCPUSeconds: Double
    public var primalMeanF1: Double
    public var dualMeanF1: Double
    /// Sample SD of the per-repeat F1.
    public var primalSDF1: Double
    public var dualSDF1: Double
    /// Fraction of folds whose four scores are identical under both solvers.
    public var identicalFolds: Double
    /// Largest |F1 difference| of one fold.
    public var largestFoldF1Difference: Double
}
