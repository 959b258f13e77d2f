import Testing
@testable import Core
import Randomness

/// 2×2 max-pool (floor mode) against its serial twin, PyTorch's tie rule and finite differences.
@Suite struct PoolingTests {
    @Test func forwardAndBackwardMatchNaiveTwin() {
        for (planes, h, w) in [(3, 4, 4), (2, 7, 5), (5, 1, 3), (4, 6, 9)] {
            // Quantised values make ties common.
            let x = TestSupport.random(planes * h * w, seed: UInt64(h * w)).map { ($0 * 3).rounded() }
            let dy = TestSupport.random(planes * (h / 2) * (w / 2), seed: 7)
            #expect(TestSupport.poolForward(x, planes: planes, h: h, w: w) == MaxPool2x2.naiveForward(x, planes: planes, height: h, width: w))
            #expect(TestSupport.poolBackward(x, dy, planes: planes, h: h, w: w)
                    == MaxPool2x2.naiveBackward(x, gradOutput: dy, planes: planes, height: h, width: w))
        }
    }

    @Test func floorModeAndFirstMaximumWinsTies() {
        // One 3×3 plane: only the top-left 2×2 window exists; its four values tie.
        let x: [Float] = [1, 1, 9, 1, 1, 9, 9, 9, 9]
        #expect(TestSupport.poolForward(x, planes: 1, h: 3, w: 3) == [1])
        #expect(TestSupport.poolBackward(x, [5], planes: 1, h: 3, w: 3) == [5, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func gradientMatchesFiniteDifferences() {
        let (planes, h, w) = (2, 6, 5)
        // Distinct values 0.01 apart: a step of 1e-3 never changes a window's winner.
        var rng = Xoshiro256StarStar(seed: 3)
        let x = rng.permutation(planes * h * w).map { Float($0) * 0.01 }
        let r = TestSupport.random(planes * 3 * 2, seed: 4)
        let g = TestSupport.poolBackward(x, r, planes: planes, h: h, w: w)
        let idx = Array(0..<x.count)
        let num = TestSupport.numericGradient(at: x, indices: idx, step: 1e-3) {
            TestSupport.dot(r, TestSupport.poolForward($0, planes: planes, h: h, w: w))
        }
        #expect(TestSupport.gradientError(analytic: g, numeric: num, indices: idx) < 1e-3)
    }
}
