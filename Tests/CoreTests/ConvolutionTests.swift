import Testing
@testable import Core

/// The im2col + sgemm convolution against its direct-loop twin and against finite differences.
@Suite struct ConvolutionTests {
    // (C, O, N, H, W, images per chunk): odd sizes, a 1-pixel image, and forced chunking (5 images in chunks of 2).
    static let shapes: [(Int, Int, Int, Int, Int, Int?)] = [
        (3, 4, 2, 5, 7, nil), (5, 3, 5, 6, 6, 2), (2, 2, 3, 1, 1, nil), (4, 6, 1, 8, 3, nil),
    ]

    @Test func forwardMatchesNaiveTwin() {
        for (i, (c, o, n, h, w, chunk)) in Self.shapes.enumerated() {
            let x = TestSupport.random(c * n * h * w, seed: UInt64(10 + i))
            let wt = TestSupport.random(o * c * 9, seed: UInt64(20 + i))
            let b = TestSupport.random(o, seed: UInt64(30 + i))
            for relu in [false, true] {
                let fast = TestSupport.convForward(x, wt, b, c: c, o: o, n: n, h: h, wd: w, relu: relu, chunk: chunk)
                let naive = Conv3x3.naiveForward(input: x, weight: wt, bias: b, inChannels: c, outChannels: o, batch: n,
                                                 height: h, width: w, relu: relu)
                #expect(TestSupport.relativeError(fast, naive) < 1e-5, "shape \(i) relu \(relu)")
            }
        }
    }

    @Test func backwardMatchesNaiveTwin() {
        for (i, (c, o, n, h, w, chunk)) in Self.shapes.enumerated() {
            let x = TestSupport.random(c * n * h * w, seed: UInt64(40 + i))
            let wt = TestSupport.random(o * c * 9, seed: UInt64(50 + i))
            let dy = TestSupport.random(o * n * h * w, seed: UInt64(60 + i))
            let fast = TestSupport.convBackward(x, wt, dy, c: c, o: o, n: n, h: h, wd: w, chunk: chunk)
            let naive = Conv3x3.naiveBackward(input: x, weight: wt, gradOutput: dy, inChannels: c, outChannels: o, batch: n,
                                              height: h, width: w)
            #expect(TestSupport.relativeError(fast.weight, naive.weight) < 1e-5, "dW shape \(i)")
            #expect(TestSupport.relativeError(fast.bias, naive.bias) < 1e-5, "db shape \(i)")
            #expect(TestSupport.relativeError(fast.input, naive.input) < 1e-5, "dx shape \(i)")
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let (c, o, n, h, w) = (3, 4, 2, 5, 6)
        let x = TestSupport.random(c * n * h * w, seed: 1), wt = TestSupport.random(o * c * 9, seed: 2)
        let b = TestSupport.random(o, seed: 3), r = TestSupport.random(o * n * h * w, seed: 4)
        let g = TestSupport.convBackward(x, wt, r, c: c, o: o, n: n, h: h, wd: w)
        func loss(_ x: [Float], _ wt: [Float], _ b: [Float]) -> Double {
            TestSupport.dot(r, TestSupport.convForward(x, wt, b, c: c, o: o, n: n, h: h, wd: w, relu: false))
        }
        let xi = TestSupport.sample(x.count, count: 40, seed: 5)
        let nx = TestSupport.numericGradient(at: x, indices: xi, step: 1e-2) { loss($0, wt, b) }
        #expect(TestSupport.gradientError(analytic: g.input, numeric: nx, indices: xi) < 1e-3)
        let wi = TestSupport.sample(wt.count, count: 40, seed: 6)
        let nw = TestSupport.numericGradient(at: wt, indices: wi, step: 1e-2) { loss(x, $0, b) }
        #expect(TestSupport.gradientError(analytic: g.weight, numeric: nw, indices: wi) < 1e-3)
        let bi = Array(0..<o)
        let nb = TestSupport.numericGradient(at: b, indices: bi, step: 1e-2) { loss(x, wt, $0) }
        #expect(TestSupport.gradientError(analytic: g.bias, numeric: nb, indices: bi) < 1e-3)
    }
}
