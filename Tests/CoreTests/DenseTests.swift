import Testing
@testable import Core

/// The sgemm dense layer against its loop twin and finite differences.
@Suite struct DenseTests {
    @Test func forwardAndBackwardMatchNaiveTwin() {
        for (n, i, o) in [(1, 5, 3), (4, 17, 9), (7, 3, 12)] {
            let x = TestSupport.random(n * i, seed: 1), w = TestSupport.random(o * i, seed: 2), b = TestSupport.random(o, seed: 3)
            let dy = TestSupport.random(n * o, seed: 4)
            for relu in [false, true] {
                let fast = TestSupport.denseForward(x, w, b, n: n, i: i, o: o, relu: relu)
                let naive = DenseKernel.naiveForward(x, weight: w, bias: b, batch: n, inFeatures: i, outFeatures: o, relu: relu)
                #expect(TestSupport.relativeError(fast, naive) < 1e-5)
            }
            let fast = TestSupport.denseBackward(x, w, dy, n: n, i: i, o: o)
            let naive = DenseKernel.naiveBackward(x, weight: w, gradOutput: dy, batch: n, inFeatures: i, outFeatures: o)
            #expect(TestSupport.relativeError(fast.weight, naive.weight) < 1e-5)
            #expect(TestSupport.relativeError(fast.bias, naive.bias) < 1e-5)
            #expect(TestSupport.relativeError(fast.input, naive.input) < 1e-5)
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let (n, i, o) = (3, 6, 4)
        let x = TestSupport.random(n * i, seed: 5), w = TestSupport.random(o * i, seed: 6), b = TestSupport.random(o, seed: 7)
        let r = TestSupport.random(n * o, seed: 8)
        let g = TestSupport.denseBackward(x, w, r, n: n, i: i, o: o)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            TestSupport.dot(r, TestSupport.denseForward(x, w, b, n: n, i: i, o: o, relu: false))
        }
        let nx = TestSupport.numericGradient(at: x, indices: Array(x.indices), step: 1e-2) { loss($0, w, b) }
        #expect(TestSupport.gradientError(analytic: g.input, numeric: nx, indices: Array(x.indices)) < 1e-3)
        let nw = TestSupport.numericGradient(at: w, indices: Array(w.indices), step: 1e-2) { loss(x, $0, b) }
        #expect(TestSupport.gradientError(analytic: g.weight, numeric: nw, indices: Array(w.indices)) < 1e-3)
        let nb = TestSupport.numericGradient(at: b, indices: Array(b.indices), step: 1e-2) { loss(x, w, $0) }
        #expect(TestSupport.gradientError(analytic: g.bias, numeric: nb, indices: Array(b.indices)) < 1e-3)
    }
}
