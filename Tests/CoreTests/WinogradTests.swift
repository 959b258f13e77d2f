import Testing
@testable import Core

/// The Winograd F(2×2, 3×3) kernels against their twin, im2col + sgemm (`Conv3x3`), and a double-precision direct
/// convolution that bounds the rounding of both.
@Suite struct WinogradTests {
    // (C, O, N, H, W, tile rows per chunk): odd sizes, a 1-pixel image, batch 1, a 3-pixel-wide image, and chunks that
    // split images (3 tile rows per image in chunks of 2) or hold a single tile row.
    static let shapes: [(Int, Int, Int, Int, Int, Int?)] = [
        (3, 4, 2, 5, 7, nil), (5, 3, 5, 6, 6, 2), (2, 2, 3, 1, 1, nil), (4, 6, 1, 8, 3, nil), (7, 5, 1, 3, 4, 1),
        (16, 8, 2, 9, 10, 3),
    ]

    @Test func forwardMatchesIm2col() {
        for (i, (c, o, n, h, w, rows)) in Self.shapes.enumerated() {
            let x = TestSupport.random(c * n * h * w, seed: UInt64(10 + i))
            let wt = TestSupport.random(o * c * 9, seed: UInt64(20 + i))
            let b = TestSupport.random(o, seed: UInt64(30 + i))
            for relu in [false, true] {
                let fast = TestSupport.winogradForward(x, wt, b, c: c, o: o, n: n, h: h, wd: w, relu: relu, rowsPerChunk: rows)
                let twin = TestSupport.convForward(x, wt, b, c: c, o: o, n: n, h: h, wd: w, relu: relu)
                #expect(TestSupport.relativeError(fast, twin) < 1e-5, "shape \(i) relu \(relu)")
            }
        }
    }

    @Test func backwardMatchesIm2col() {
        for (i, (c, o, n, h, w, rows)) in Self.shapes.enumerated() {
            let x = TestSupport.random(c * n * h * w, seed: UInt64(40 + i))
            let wt = TestSupport.random(o * c * 9, seed: UInt64(50 + i))
            let dy = TestSupport.random(o * n * h * w, seed: UInt64(60 + i))
            let fast = TestSupport.winogradBackward(x, wt, dy, c: c, o: o, n: n, h: h, wd: w, rowsPerChunk: rows)
            let twin = TestSupport.convBackward(x, wt, dy, c: c, o: o, n: n, h: h, wd: w)
            #expect(TestSupport.relativeError(fast.weight, twin.weight) < 1e-5, "dW shape \(i)")
            #expect(TestSupport.relativeError(fast.bias, twin.bias) < 1e-6, "db shape \(i)")
            #expect(TestSupport.relativeError(fast.input, twin.input) < 1e-5, "dx shape \(i)")
        }
    }

    /// The bound docs/core.md states: at the widest VGG16 fan-in (C = 512) and at a 64-channel layer, with Glorot-scale
    /// weights and inputs in [0, 1], Winograd's largest error relative to the largest exact value stays below 1e-6 in
    /// all three passes and within 3× im2col's (measured 2.1–6.1e-7 against im2col's 1.6–5.2e-7).
    /// The C transforms' AVX2 and AVX-512 paths give the scalar path's bits in all three passes, on rows of 8 tiles
    /// and more (the vector loops), with a remainder, and on the shapes above (rows shorter than a vector).
    @Test func everyInstructionSetGivesTheScalarBits() {
        let wide: [(Int, Int, Int, Int, Int, Int?)] = [(3, 4, 2, 17, 35, nil), (2, 3, 1, 16, 16, 3), (4, 2, 2, 33, 64, nil)]
        for (i, (c, o, n, h, w, rows)) in (Self.shapes + wide).enumerated() {
            let x = TestSupport.random(c * n * h * w, seed: UInt64(70 + i))
            let wt = TestSupport.random(o * c * 9, seed: UInt64(80 + i))
            let b = TestSupport.random(o, seed: UInt64(90 + i))
            // Exact zeros in dy, whose transform has −0 and +0 entries.
            let dy = TestSupport.random(o * n * h * w, seed: UInt64(100 + i)).enumerated().map { $0.offset % 5 == 0 ? 0 : $0.element }
            let scalarForward = TestSupport.winogradForward(x, wt, b, c: c, o: o, n: n, h: h, wd: w, relu: true, rowsPerChunk: rows, isa: .scalar)
            let scalarBackward = TestSupport.winogradBackward(x, wt, dy, c: c, o: o, n: n, h: h, wd: w, rowsPerChunk: rows, isa: .scalar)
            for isa in InstructionSet.allCases where isa != .scalar && isa.isSupported {
                let forward = TestSupport.winogradForward(x, wt, b, c: c, o: o, n: n, h: h, wd: w, relu: true, rowsPerChunk: rows, isa: isa)
                let backward = TestSupport.winogradBackward(x, wt, dy, c: c, o: o, n: n, h: h, wd: w, rowsPerChunk: rows, isa: isa)
                #expect(forward.map(\.bitPattern) == scalarForward.map(\.bitPattern), "y, shape \(i), \(isa)")
                #expect(backward.weight.map(\.bitPattern) == scalarBackward.weight.map(\.bitPattern), "dW, shape \(i), \(isa)")
                #expect(backward.input.map(\.bitPattern) == scalarBackward.input.map(\.bitPattern), "dx, shape \(i), \(isa)")
            }
        }
    }

    @Test func roundingIsBoundedAgainstDoublePrecision() {
        for (c, o, n, s) in [(512, 16, 1, 14), (64, 64, 2, 16)] {
            let (x, wt, b, dy, exact) = Self.roundingCase(c: c, o: o, n: n, s: s)
            let fast = TestSupport.winogradForward(x, wt, b, c: c, o: o, n: n, h: s, wd: s, relu: false)
            let grads = TestSupport.winogradBackward(x, wt, dy, c: c, o: o, n: n, h: s, wd: s)
            let twin = TestSupport.convForward(x, wt, b, c: c, o: o, n: n, h: s, wd: s, relu: false)
            let twinGrads = TestSupport.convBackward(x, wt, dy, c: c, o: o, n: n, h: s, wd: s)
            let errors = [TestSupport.relativeError(fast, exact.y), TestSupport.relativeError(grads.input, exact.dx),
                          TestSupport.relativeError(grads.weight, exact.dw)]
            let twinErrors = [TestSupport.relativeError(twin, exact.y), TestSupport.relativeError(twinGrads.input, exact.dx),
                              TestSupport.relativeError(twinGrads.weight, exact.dw)]
            for (pass, (e, twin)) in zip(["y", "dx", "dw"], zip(errors, twinErrors)) {
                #expect(e < 1e-6, "C \(c) O \(o) \(pass): \(e)")
                #expect(e < 3 * twin, "C \(c) O \(o) \(pass): \(e) against im2col's \(twin)")
            }
        }
    }

    /// A rounding case of the kernel tests: inputs in [0, 1], Glorot-scale weights, zero bias, dy in [−1, 1], and
    /// the exact passes (`directDouble`).
    static func roundingCase(c: Int, o: Int, n: Int, s: Int)
        -> (x: [Float], weight: [Float], bias: [Float], dy: [Float], exact: (y: [Float], dx: [Float], dw: [Float])) {
        let x = TestSupport.random(c * n * s * s, seed: 1, in: 0...1)
        let limit = Float((6.0 / Double(9 * (c + o))).squareRoot())
        let w = TestSupport.random(o * c * 9, seed: 2, in: -limit...limit)
        let dy = TestSupport.random(o * n * s * s, seed: 3)
        return (x, w, [Float](repeating: 0, count: o), dy, directDouble(x: x, weight: w, gradOutput: dy, c: c, o: o, n: n, s: s))
    }

    /// y, dx and dw of a bias-free 3×3 convolution accumulated in double precision and rounded once.
    static func directDouble(x: [Float], weight: [Float], gradOutput dy: [Float], c: Int, o: Int, n: Int, s: Int)
        -> (y: [Float], dx: [Float], dw: [Float]) {
        var y = [Double](repeating: 0, count: o * n * s * s), dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: weight.count)
        for oc in 0..<o {
            for img in 0..<n {
                for ic in 0..<c {
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let wi = ((oc * c + ic) * 3 + ky) * 3 + kx, wv = Double(weight[wi])
                            var dwSum = 0.0
                            for py in 0..<s {
                                let iy = py + ky - 1
                                guard iy >= 0, iy < s else { continue }
                                for px in 0..<s {
                                    let ix = px + kx - 1
                                    guard ix >= 0, ix < s else { continue }
                                    let yi = ((oc * n + img) * s + py) * s + px, xi = ((ic * n + img) * s + iy) * s + ix
                                    y[yi] += wv * Double(x[xi])
                                    dx[xi] += wv * Double(dy[yi])
                                    dwSum += Double(dy[yi]) * Double(x[xi])
                                }
                            }
                            dw[wi] += dwSum
                        }
                    }
                }
            }
        }
        return (y.map(Float.init), dx.map(Float.init), dw.map(Float.init))
    }
}
