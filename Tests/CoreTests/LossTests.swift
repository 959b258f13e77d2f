import Foundation
import Testing
@testable import Core

/// Cross-entropy, focal loss and class-balanced weights against hand-computed values and finite differences.
@Suite struct LossTests {
    @Test func handComputedValuesForTwoEqualLogits() {
        // p_t = 1/2 for both samples: CE = ln 2, focal γ=2 = (1/2)²·ln 2; ∂CE/∂z = (p − onehot)/N.
        let z: [Float] = [0, 0, 3, 3]
        let ce = Loss.crossEntropy().evaluate(logits: z, labels: [0, 1], classes: 2)
        #expect(abs(ce.value - log(2.0)) < 1e-12)
        #expect(ce.gradient == [-0.25, 0.25, 0.25, -0.25])
        let focal = Loss.focal(gamma: 2).evaluate(logits: z, labels: [0, 1], classes: 2)
        #expect(abs(focal.value - 0.25 * log(2.0)) < 1e-12)
        let weighted = Loss.crossEntropy(classWeights: [3, 1]).evaluate(logits: z, labels: [0, 1], classes: 2)
        #expect(abs(weighted.value - (3 * log(2.0) + log(2.0)) / 2) < 1e-12)
    }

    @Test func focalWithGammaZeroEqualsCrossEntropy() {
        let z = TestSupport.random(40, seed: 3, in: -4...4), labels = [0, 3, 7, 2, 5]
        let a = Loss.crossEntropy().evaluate(logits: z, labels: labels, classes: 8)
        let b = Loss.focal(gamma: 0).evaluate(logits: z, labels: labels, classes: 8)
        #expect(a.value == b.value && a.gradient == b.gradient && a.correct == b.correct)
    }

    @Test func classBalancedWeightsForGivenCounts() throws {
        // β = 0.5, counts [1, 2]: raw (1−β)/(1−β^n) = [1, 2/3]; scaled to sum 2: [1.2, 0.8].
        let w = try Loss.classBalancedWeights(counts: [1, 2], beta: 0.5)
        #expect(abs(w[0] - 1.2) < 1e-6 && abs(w[1] - 0.8) < 1e-6)
        let uniform = try Loss.classBalancedWeights(counts: [5, 50, 500], beta: 0)
        #expect(uniform == [1, 1, 1])
        #expect(throws: CoreError.self) { try Loss.classBalancedWeights(counts: [3, 0], beta: 0.9) }
        #expect(throws: CoreError.self) { try Loss.classBalancedWeights(counts: [3, 1], beta: 1) }
    }

    @Test(arguments: [0.0, 0.5, 2.0, 5.0])
    func gradientMatchesFiniteDifferences(gamma: Double) {
        let z = TestSupport.random(12, seed: 4, in: -2...2), labels = [1, 0, 3]
        let loss = Loss.focal(gamma: gamma, classWeights: [0.5, 1, 2, 1.5])
        let g = loss.evaluate(logits: z, labels: labels, classes: 4).gradient
        let idx = Array(z.indices)
        let num = TestSupport.numericGradient(at: z, indices: idx, step: 1e-3) { loss.evaluate(logits: $0, labels: labels, classes: 4).value }
        #expect(TestSupport.gradientError(analytic: g, numeric: num, indices: idx) < 1e-3)
    }

    @Test func stableForExtremeLogitsAndCountsCorrect() {
        let e = Loss.focal(gamma: 2).evaluate(logits: [500, -500, -500, 500], labels: [0, 0], classes: 2)
        #expect(e.value.isFinite && e.gradient.allSatisfy { $0.isFinite })
        #expect(abs(e.value - 0.5 * 1000) < 1e-6)   // sample 1: p_t ≈ 0, CE = 1000, focal factor 1
        #expect(e.correct == 1)
    }
}
