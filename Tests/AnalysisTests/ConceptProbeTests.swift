import Foundation
import Testing
@testable import Analysis
import Randomness

struct ConceptProbeTests {
    /// Two points x = −1 (negative) and x = +1 (positive), C = 1: by symmetry b = 0 and the objective
    /// ½(w² + b²) + C Σ max(0, 1 − y(wx + b))² = ½w² + 2(1 − w)² is minimal at w = 4/5.
    @Test func svmSolvesTwoPointProblemInClosedForm() {
        let svm = LinearSVM.train(rows: [-1, 1], dimension: 1, labels: [false, true], C: 1,
                                  positiveWeight: 1, negativeWeight: 1)
        #expect(abs(svm.weights[0] - 0.8) < 1e-3)
        #expect(abs(svm.bias) < 1e-3)
    }

    @Test func dualSolverSolvesTwoPointProblemInClosedForm() {
        let svm = LinearSVM.trainDual(rows: [-1, 1], dimension: 1, labels: [false, true], C: 1,
                                      positiveWeight: 1, negativeWeight: 1)
        #expect(abs(svm.weights[0] - 0.8) < 1e-4)
        #expect(abs(svm.bias) < 1e-4)
    }

    /// The dual coordinate descent and LIBLINEAR's primal Newton solver (run to a tight tolerance) reach the
    /// same optimum of the class-weighted problem with fewer samples than features, as in the study's probes.
    @Test func dualAndPrimalSolversAgree() {
        var rng = SplitMix64(seed: 11)
        let n = 60, d = 100
        let labels = (0..<n).map { $0 % 5 == 0 }
        let rows = (0..<(n * d)).map { i in Double.random(in: -1...1, using: &rng) + (i % d == 0 && labels[i / d] ? 0.5 : 0) }
        let primal = LinearSVM.train(rows: rows, dimension: d, labels: labels, C: 0.5, positiveWeight: 2.5,
                                     negativeWeight: 0.625, tolerance: 1e-8)
        let dual = LinearSVM.trainDual(rows: rows, dimension: d, labels: labels, C: 0.5, positiveWeight: 2.5,
                                       negativeWeight: 0.625, tolerance: 1e-8)
        let norm = primal.weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let gap = zip(primal.weights, dual.weights).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        #expect(gap / norm < 1e-5)
        #expect(abs(primal.bias - dual.bias) < 1e-5 * norm)
    }

    @Test func finiteNewtonSolvesTwoPointProblemInClosedForm() {
        let svm = LinearSVM.trainFiniteNewton(rows: [-1, 1], dimension: 1, labels: [false, true], C: 1,
                                              positiveWeight: 1, negativeWeight: 1)
        #expect(abs(svm.weights[0] - 0.8) < 1e-12)
        #expect(abs(svm.bias) < 1e-12)
    }

    /// The finite Newton solution is the optimum: the primal gradient w̃ − 2 Σᵢ Cᵢ max(0, 1 − yᵢoᵢ) yᵢ x̃ᵢ vanishes
    /// (to rounding), with fewer samples than features (the probes' case) and more, with class weights; and the
    /// other two solvers, run to tight tolerances, reach the same point.
    @Test(arguments: [(60, 100), (300, 12)])
    func finiteNewtonReachesTheOptimum(n: Int, d: Int) {
        var rng = SplitMix64(seed: UInt64(n + d))
        let labels = (0..<n).map { $0 % 5 == 0 }
        let rows = (0..<(n * d)).map { i in Double.random(in: -1...1, using: &rng) + (i % d == 0 && labels[i / d] ? 0.5 : 0) }
        let (C, positive, negative) = (0.5, 2.5, 0.625)
        let newton = LinearSVM.trainFiniteNewton(rows: rows, dimension: d, labels: labels, C: C,
                                                 positiveWeight: positive, negativeWeight: negative)
        var gradient = newton.weights + [newton.bias]
        for i in 0..<n {
            let y = labels[i] ? 1.0 : -1.0
            let o = newton.decision(rows[i * d..<(i + 1) * d])
            let slack = max(0, 1 - y * o), cost = C * (labels[i] ? positive : negative)
            for j in 0..<d { gradient[j] -= 2 * cost * slack * y * rows[i * d + j] }
            gradient[d] -= 2 * cost * slack * y
        }
        let norm = (newton.weights.reduce(0) { $0 + $1 * $1 } + newton.bias * newton.bias).squareRoot()
        #expect(gradient.reduce(0) { $0 + $1 * $1 }.squareRoot() < 1e-9 * norm)

        let primal = LinearSVM.train(rows: rows, dimension: d, labels: labels, C: C, positiveWeight: positive,
                                     negativeWeight: negative, tolerance: 1e-8)
        let dual = LinearSVM.trainDual(rows: rows, dimension: d, labels: labels, C: C, positiveWeight: positive,
                                       negativeWeight: negative, tolerance: 1e-8, maxEpochs: 100_000)
        for other in [primal, dual] {
            let gap = zip(newton.weights, other.weights).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            #expect(gap / norm < 1e-5)
            #expect(abs(newton.bias - other.bias) < 1e-5 * norm)
        }
    }

    /// Two copies of a row of magnitude 1e9 make the Newton system singular in double precision (1e18 + 1.5 rounds
    /// to 1e18): the solver falls back to dual coordinate descent instead of failing, and still separates the classes.
    @Test func finiteNewtonFallsBackOnASingularSystem() {
        let rows: [Double] = [1e9, 1e9, -1e9]
        let svm = LinearSVM.trainFiniteNewton(rows: rows, dimension: 1, labels: [true, true, false], C: 1,
                                              positiveWeight: 1, negativeWeight: 1)
        #expect(svm.weights[0].isFinite && svm.bias.isFinite)
        #expect(svm.decision(rows[0..<1]) > 0 && svm.decision(rows[2..<3]) < 0)
    }

    @Test func binaryScoresByHand() {
        // tp = 2, fp = 1, fn = 1, tn = 1.
        let s = BinaryScores(predicted: [true, true, true, false, false], truth: [true, true, false, true, false])
        #expect(abs(s.precision - 2.0 / 3) < 1e-15)
        #expect(abs(s.recall - 2.0 / 3) < 1e-15)
        #expect(abs(s.f1 - 2.0 / 3) < 1e-15)
        #expect(abs(s.accuracy - 0.6) < 1e-15)
        let none = BinaryScores(predicted: [false, false], truth: [true, false])
        #expect(none.precision == 0 && none.f1 == 0 && none.accuracy == 0.5)
    }

    /// Features that encode the label along one direction, plus noise dimensions.
    private func separable(n: Int, d: Int, seed: UInt64) -> ([Float], [Bool]) {
        var rng = SplitMix64(seed: seed)
        var features: [Float] = []
        var labels: [Bool] = []
        for i in 0..<n {
            let positive = i % 3 == 0
            labels.append(positive)
            for j in 0..<d {
                let noise = Float.random(in: -1...1, using: &rng)
                features.append(j == 0 ? (positive ? 3 : -3) + noise : noise * 5)
            }
        }
        return (features, labels)
    }

    @Test func separableConceptIsFoundPerfectly() throws {
        let (features, labels) = separable(n: 120, d: 16, seed: 1)
        let result = try ConceptProbe(repeats: 20, seed: 3).crossValidate(features: features, dimension: 16, labels: labels)
        #expect(result.perRepeat.count == 20)
        #expect(result.meanF1 > 0.99)
    }

    @Test func randomLabelsScoreAtChance() throws {
        var rng = SplitMix64(seed: 9)
        let n = 300, d = 10
        let features = (0..<(n * d)).map { _ in Float.random(in: -1...1, using: &rng) }
        let labels = (0..<n).map { _ in Bool.random(using: &rng) }
        let result = try ConceptProbe(repeats: 50, seed: 1).crossValidate(features: features, dimension: d, labels: labels)
        // Balanced random labels: F1 of an uninformed classifier is about 0.5.
        #expect(abs(result.meanF1 - 0.5) < 0.1)
        #expect(result.standardDeviationF1 > 0)
    }

    @Test func sameSeedSameScoresOtherSeedOtherFolds() throws {
        var rng = SplitMix64(seed: 4)
        let n = 80, d = 6
        let labels = (0..<n).map { _ in Bool.random(using: &rng) }
        // A weak signal in feature 0, so that scores vary with the fold assignment.
        let features = (0..<(n * d)).map { i in
            Float.random(in: -1...1, using: &rng) + (i % d == 0 && labels[i / d] ? 0.5 : 0)
        }
        let probe = ConceptProbe(repeats: 30, seed: 5)
        let first = try probe.crossValidate(features: features, dimension: d, labels: labels)
        let second = try probe.crossValidate(features: features, dimension: d, labels: labels)
        #expect(first == second)
        let other = try ConceptProbe(repeats: 30, seed: 6).crossValidate(features: features, dimension: d, labels: labels)
        #expect(other != first)
        #expect(Set(first.perRepeat.map(\.f1)).count > 1)
    }

    @Test func keepsEveryFoldOfEveryRepeat() throws {
        let (features, labels) = separable(n: 30, d: 3, seed: 2)
        let result = try ConceptProbe(folds: 3, repeats: 4, seed: 1).crossValidate(features: features, dimension: 3, labels: labels)
        #expect(result.perFold.count == 4 && result.perFold.allSatisfy { $0.count == 3 })
        #expect(result.perRepeat == result.perFold.map(BinaryScores.mean))
        // 10 positives (4, 3, 3) and 20 negatives (7, 7, 6) dealt round-robin over 3 folds.
        #expect(result.testSizes == [11, 10, 9] && result.sampleCount == 30 && result.folds == 3)
        #expect(result.testTrainRatio == 0.5)
    }

    /// P = 5, N = 7 over 3 folds: positives 2, 2, 1 and negatives 3, 2, 2.
    @Test func foldSizesByHand() throws {
        let labels = (0..<12).map { $0 < 5 }
        let data = try ProbeData(features: [Float](repeating: 0, count: 12), dimension: 1, labels: labels, folds: 3)
        #expect(data.testSizes(folds: 3) == [5, 4, 3])
    }

    /// Results written before fold scores were kept hold `perRepeat` only; they still decode.
    @Test func decodesResultsWithoutFoldScores() throws {
        let s = BinaryScores(precision: 1, recall: 0.5, f1: 2.0 / 3, accuracy: 0.75)
        let old = try JSONDecoder().decode(ProbeResult.self, from: JSONEncoder().encode(["perRepeat": [s, s]]))
        #expect(old.perRepeat == [s, s] && old.perFold.isEmpty && old.folds == 0)
        let current = ProbeResult(perFold: [[s, s]], testSizes: [3, 2])
        #expect(try JSONDecoder().decode(ProbeResult.self, from: JSONEncoder().encode(current)) == current)
    }

    @Test func rejectsTooFewPositives() {
        #expect(throws: AnalysisError.tooFewPerClass(needed: 2, positives: 1, negatives: 3)) {
            try ConceptProbe().crossValidate(features: [0, 1, 2, 3], dimension: 1, labels: [true, false, false, false])
        }
    }
}
