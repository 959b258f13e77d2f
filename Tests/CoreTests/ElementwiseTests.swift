import Testing
@testable import Core
import Randomness

/// ReLU, dropout and the flatten/layout transposes.
@Suite struct ElementwiseTests {
    @Test func reluForwardBackwardAndFiniteDifferences() {
        // Values at least 0.05 away from the kink.
        let x = TestSupport.random(50, seed: 1).map { $0 < 0 ? $0 - 0.05 : $0 + 0.05 }
        func relu(_ v: [Float]) -> [Float] {
            var y = v
            y.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, count: $0.count) }
            return y
        }
        let y = relu(x)
        #expect(y == x.map { max($0, 0) })
        let r = TestSupport.random(50, seed: 2)
        var g = r
        y.withUnsafeBufferPointer { yp in g.withUnsafeMutableBufferPointer { ReLU.backward(output: yp.baseAddress!, grad: $0.baseAddress!, count: 50) } }
        let num = TestSupport.numericGradient(at: x, indices: Array(x.indices), step: 1e-3) { TestSupport.dot(r, relu($0)) }
        #expect(TestSupport.gradientError(analytic: g, numeric: num, indices: Array(x.indices)) < 1e-3)
    }

    @Test func dropoutMaskScalesKeptUnitsAndDropsTheRate() {
        var rng = Xoshiro256StarStar(seed: 9)
        let mask = Dropout.mask(count: 20000, rate: 0.5, rng: &rng)
        #expect(mask.allSatisfy { $0 == 0 || $0 == 2 })
        let dropped = Double(mask.filter { $0 == 0 }.count) / 20000
        #expect(abs(dropped - 0.5) < 0.02)
        var x = [Float](repeating: 3, count: 20000)
        Dropout.apply(&x, mask: mask)
        #expect(x == mask.map { 3 * $0 })
        var again = Xoshiro256StarStar(seed: 9)
        #expect(Dropout.mask(count: 20000, rate: 0.5, rng: &again) == mask)
    }

    @Test func flattenUsesPyTorchCHWOrderAndRoundTrips() {
        let (c, n, h, w) = (3, 2, 2, 4)
        // Value = index in NCHW: after CNHW → NCHW the flattened row of image i must be i·C·H·W + 0, 1, 2, ….
        let nchw = (0..<(n * c * h * w)).map(Float.init)
        let cnhw = Layout.cnhwFromNCHW(nchw, batch: n, channels: c, plane: h * w)
        #expect(cnhw[1 * h * w] == Float((1 * c + 0) * h * w))   // channel 0 of image 1
        let flat = Layout.nchwFromCNHW(cnhw, batch: n, channels: c, plane: h * w)
        #expect(flat == nchw)
        for i in 0..<n { for cc in 0..<c { for y in 0..<h { for x in 0..<w {
            #expect(flat[i * c * h * w + (cc * h + y) * w + x] == cnhw[((cc * n + i) * h + y) * w + x])
        } } } }
    }
}
