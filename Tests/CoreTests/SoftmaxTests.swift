import Foundation
import Testing
@testable import Core

/// Softmax and log-softmax: stability, normalisation and finite-difference gradients.
@Suite struct SoftmaxTests {
    @Test func stableForHugeLogits() {
        let z: [Float] = [1000, 999, -1000, 0, 0, 0]
        let p = Softmax.softmax(z, classes: 3)
        let logp = Softmax.logSoftmax(z, classes: 3)
        #expect(p.allSatisfy { $0.isFinite } && logp.allSatisfy { $0.isFinite })
        #expect(abs(p[0] - Float(1 / (1 + exp(-1.0)))) < 1e-6)
        #expect(abs(logp[3] - Float(-log(3.0))) < 1e-6)
        #expect(abs(p[3...].reduce(0, +) - 1) < 1e-6)
    }

    @Test func backwardPassesMatchFiniteDifferences() {
        let k = 5
        let z = TestSupport.random(3 * k, seed: 1, in: -3...3), r = TestSupport.random(3 * k, seed: 2)
        let idx = Array(z.indices)
        let gs = Softmax.softmaxBackward(output: Softmax.softmax(z, classes: k), grad: r, classes: k)
        let ns = TestSupport.numericGradient(at: z, indices: idx, step: 1e-2) { TestSupport.dot(r, Softmax.softmax($0, classes: k)) }
        #expect(TestSupport.gradientError(analytic: gs, numeric: ns, indices: idx) < 1e-3)
        let gl = Softmax.logSoftmaxBackward(output: Softmax.logSoftmax(z, classes: k), grad: r, classes: k)
        let nl = TestSupport.numericGradient(at: z, indices: idx, step: 1e-2) { TestSupport.dot(r, Softmax.logSoftmax($0, classes: k)) }
        #expect(TestSupport.gradientError(analytic: gl, numeric: nl, indices: idx) < 1e-3)
    }
}
