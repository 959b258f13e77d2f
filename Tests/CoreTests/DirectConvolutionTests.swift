import CKernels
import Testing
@testable import Core

/// The direct 3×3 kernel (`DirectConv3x3`) against its twins: its row tiling's scalar path bit for bit from both
/// tilings on every path this CPU runs (scalar, AVX2, AVX-512: the same fused multiply–add chains), and im2col +
/// sgemm (`Conv3x3`) to float32 rounding, forward and both gradients.
@Suite struct DirectConvolutionTests {
    // (C, O, N, S): rows of AVX-512 tiles of 64, 32 and 16 pixels and AVX2 tiles of 16 and 8, with scalar tails
    // (13, 9, 5, 61 = 32 + 16 + 8 + 5, 100 = 64 + 32 + 4), fewer output channels than a block (3) and a partial last
    // block (6), the first layer's 3 inputs, batch 1 (split by channel blocks), a 1-pixel image. For the channel
    // tiling (16 channels × 24, 16, 8, 4 or 1 outputs; AVX2 6, 4, 2 or 1, along s·(s + 1) − 1 outputs): fewer
    // channels than its block (3, 12), partial last blocks (20, 17, 40), 2, 4, 7, 8 and 16 px, and the scaled
    // network's widths (64 inputs, 32 outputs).
    static let shapes: [(Int, Int, Int, Int)] = [
        (3, 16, 3, 16), (5, 3, 2, 13), (7, 6, 1, 9), (16, 8, 4, 8), (4, 5, 3, 5), (2, 4, 2, 1), (16, 16, 2, 32),
        (6, 12, 1, 24), (3, 8, 2, 64), (4, 6, 2, 61), (5, 4, 1, 100), (64, 20, 2, 4), (33, 16, 1, 8), (8, 40, 3, 2),
        (20, 17, 2, 16), (16, 32, 3, 7),
    ]

    /// Every tiling on every path this CPU runs, the row tiling's scalar path first.
    static let paths: [(DirectConv3x3.Tiling, InstructionSet)] = DirectConv3x3.Tiling.allCases.flatMap { t in
        ([.scalar] + simd).map { (t, $0) }
    }

    /// The SIMD paths this CPU runs (none on a CPU without AVX2 and FMA).
    static let simd = InstructionSet.allCases.filter { $0 != .scalar && $0.isSupported }

    @Test func forwardMatchesIm2colAndItsScalarPathBitForBit() {
        for (i, (c, o, n, s)) in Self.shapes.enumerated() {
            let x = TestSupport.random(c * n * s * s, seed: UInt64(10 + i))
            let w = TestSupport.random(o * c * 9, seed: UInt64(20 + i))
            let b = TestSupport.random(o, seed: UInt64(30 + i))
            for relu in [false, true] {
                let scalar = Self.forward(x, w, b, c: c, o: o, n: n, s: s, relu: relu, isa: .scalar, tiling: .rows)
                let twin = TestSupport.convForward(x, w, b, c: c, o: o, n: n, h: s, wd: s, relu: relu)
                #expect(TestSupport.relativeError(scalar, twin) < 1e-6, "shape \(i) relu \(relu)")
                for (tiling, isa) in Self.paths.dropFirst() {
                    let fast = Self.forward(x, w, b, c: c, o: o, n: n, s: s, relu: relu, isa: isa, tiling: tiling)
                    #expect(fast == scalar, "shape \(i) relu \(relu) \(tiling) \(isa)")
                }
            }
        }
    }

    @Test func backwardMatchesIm2colAndItsScalarPathBitForBit() {
        for (i, (c, o, n, s)) in Self.shapes.enumerated() {
            let x = TestSupport.random(c * n * s * s, seed: UInt64(40 + i))
            let w = TestSupport.random(o * c * 9, seed: UInt64(50 + i))
            let dy = TestSupport.random(o * n * s * s, seed: UInt64(60 + i))
            let twin = TestSupport.convBackward(x, w, dy, c: c, o: o, n: n, h: s, wd: s)
            let scalar = Self.backward(x, w, dy, c: c, o: o, n: n, s: s, isa: .scalar, tiling: .rows)
            #expect(TestSupport.relativeError(scalar.input, twin.input) < 1e-6, "dx shape \(i)")
            // `direct`'s weight and bias gradients are im2col's own code.
            #expect(scalar.weight == twin.weight && scalar.bias == twin.bias, "dW, db shape \(i)")
            // `direct_all`'s weight gradient is the direct reduction; dx and db are the same code as above.
            let allScalar = Self.backward(x, w, dy, c: c, o: o, n: n, s: s, directWeightGradient: true, isa: .scalar)
            #expect(TestSupport.relativeError(allScalar.weight, twin.weight) < 1e-6, "direct dW shape \(i)")
            #expect(allScalar.input == scalar.input && allScalar.bias == twin.bias, "direct_all dx, db shape \(i)")
            for (tiling, isa) in Self.paths.dropFirst() {
                let fast = Self.backward(x, w, dy, c: c, o: o, n: n, s: s, isa: isa, tiling: tiling)
                #expect(fast.input == scalar.input && fast.weight == twin.weight, "dx shape \(i) \(tiling) \(isa)")
            }
            for isa in Self.simd {
                let all = Self.backward(x, w, dy, c: c, o: o, n: n, s: s, directWeightGradient: true, isa: isa)
                #expect(all.weight == allScalar.weight && all.input == scalar.input, "direct dW shape \(i) \(isa)")
            }
        }
    }

    /// Each block of 4 output channels sums its weight gradient alone, in image order, so splitting the blocks
    /// between workers (any thread count) gives the same bits as one call over all of them.
    @Test func weightGradientDoesNotDependOnHowBlocksAreSplit() {
        let (c, o, n, s) = (5, 14, 3, 20)
        let x = TestSupport.random(c * n * s * s, seed: 71), dy = TestSupport.random(o * n * s * s, seed: 72)
        let blocks = (o + 3) / 4
        func gradient(_ splits: [Range<Int>]) -> [Float] {
            var dw = [Float](repeating: .nan, count: o * c * 9)
            var ws = [Float](repeating: .nan, count: palimpsest_direct_weight_gradient_workspace_count(Int32(c), Int32(s)))
            for r in splits {
                palimpsest_direct_weight_gradient(InstructionSet.chosen.raw, x, dy, &dw, Int32(c), Int32(o), Int32(n), Int32(s), Int32(r.lowerBound),
                                                  Int32(r.count), &ws)
            }
            return dw
        }
        let whole = gradient([0..<blocks])
        #expect(!whole.contains { $0.isNaN })
        #expect(gradient((0..<blocks).map { $0..<($0 + 1) }) == whole)
        #expect(gradient([2..<blocks, 0..<2]) == whole)
    }

    /// The fused ReLU is Swift's max(v, 0), as the other kernels': a NaN input stays NaN (divergence is detected),
    /// and negative outputs become +0 in both paths.
    @Test func fusedReLUKeepsNaNAndGivesPositiveZero() {
        let (c, o, n, s) = (2, 4, 1, 16)
        var x = TestSupport.random(c * n * s * s, seed: 5)
        x[17] = .nan
        let w = TestSupport.random(o * c * 9, seed: 6), b = [Float](repeating: -100, count: o)
        for (tiling, isa) in Self.paths {
            let y = Self.forward(x, w, b, c: c, o: o, n: n, s: s, relu: true, isa: isa, tiling: tiling)
            #expect(y[17].isNaN && y[s * s + 17].isNaN, "\(tiling) \(isa)")
            #expect(y.filter { !$0.isNaN }.allSatisfy { $0 == 0 && $0.sign == .plus }, "\(tiling) \(isa)")
        }
    }

    /// Rounding of a float32 dot product of length 9C summed in one chain: against sums in double precision the
    /// largest error relative to the largest exact value stays below 1e-6 and within 5× im2col's (whose BLAS sums
    /// in blocks), at the widest layer the kernel is chosen for (C = O = 32), Glorot-scale weights and inputs in
    /// [0, 1]. Measured: y 5.7e-7 (im2col 5.7e-7), dx 5.5e-7 (im2col 1.5e-7; the chain there is 9·O = 288 long).
    /// The direct weight gradient sums N·S² = 512 products per weight in 8 lanes per image: dW 1.5e-7 (im2col
    /// 4.6e-7).
    @Test func roundingIsThatOfAFloatDotProduct() {
        let (c, o, n, s) = (32, 32, 2, 16)
        let (x, w, b, dy, exact) = WinogradTests.roundingCase(c: c, o: o, n: n, s: s)
        let y = Self.forward(x, w, b, c: c, o: o, n: n, s: s, relu: false, isa: .chosen)
        let back = Self.backward(x, w, dy, c: c, o: o, n: n, s: s, directWeightGradient: true, isa: .chosen)
        let twinY = TestSupport.convForward(x, w, b, c: c, o: o, n: n, h: s, wd: s, relu: false)
        let twinBack = TestSupport.convBackward(x, w, dy, c: c, o: o, n: n, h: s, wd: s)
        for (pass, fast, twin, truth) in [("y", y, twinY, exact.y), ("dx", back.input, twinBack.input, exact.dx),
                                          ("dW", back.weight, twinBack.weight, exact.dw)] {
            let e = TestSupport.relativeError(fast, truth), t = TestSupport.relativeError(twin, truth)
            #expect(e < 1e-6, "\(pass): \(e)")
            #expect(e < 5 * t, "\(pass): \(e) against im2col's \(t)")
        }
    }

    static func forward(_ x: [Float], _ w: [Float], _ b: [Float], c: Int, o: Int, n: Int, s: Int, relu: Bool,
                        isa: InstructionSet, tiling: DirectConv3x3.Tiling? = nil) -> [Float] {
        var y = [Float](repeating: .nan, count: o * n * s * s)
        var ws = [Float](repeating: .nan, count: DirectConv3x3.workspaceCount(inChannels: c, outChannels: o, batch: n, size: s))
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
            y.withUnsafeMutableBufferPointer { yp in ws.withUnsafeMutableBufferPointer { sp in
                DirectConv3x3.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                      output: yp.baseAddress!, inChannels: c, outChannels: o, batch: n, size: s,
                                      relu: relu, workspace: sp.baseAddress!, instructionSet: isa, tiling: tiling)
            } }
        } } }
        return y
    }

    static func backward(_ x: [Float], _ w: [Float], _ dy: [Float], c: Int, o: Int, n: Int, s: Int,
                         directWeightGradient: Bool = false, isa: InstructionSet, tiling: DirectConv3x3.Tiling? = nil)
        -> (weight: [Float], bias: [Float], input: [Float]) {
        var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: o)
        var dx = [Float](repeating: .nan, count: x.count)
        var ws = [Float](repeating: .nan, count: DirectConv3x3.workspaceCount(inChannels: c, outChannels: o, batch: n, size: s,
                                                                              directWeightGradient: directWeightGradient))
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { gp in
            dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                dx.withUnsafeMutableBufferPointer { dxp in ws.withUnsafeMutableBufferPointer { sp in
                    DirectConv3x3.backward(input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!,
                                           gradWeight: dwp.baseAddress!, gradBias: dbp.baseAddress!,
                                           gradInput: dxp.baseAddress!, inChannels: c, outChannels: o, batch: n,
                                           size: s, directWeightGradient: directWeightGradient,
                                           workspace: sp.baseAddress!, instructionSet: isa, tiling: tiling)
                } }
            } }
        } } }
        return (dw, db, dx)
    }
}
