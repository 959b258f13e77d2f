/// The linear map of one conv or dense layer on a batch, evaluated with arbitrary inputs and parameters: what the
/// LRP rules need (z = f(a, W) + b and its transpose fᵀ(s, W) = ∂(s·f(a, W))/∂a).
///
/// Shapes: conv input [C, N, S, S] and output [O, N, S, S] (CNHW, 3×3, pad 1); dense input [N, I], output [N, O].
/// Both use the fast kernels: the conv its layer's kernel (im2col + sgemm, its transpose by sgemm + col2im; or
/// the Winograd or direct kernel's forward pass and input gradient), dense sgemm.
struct LinearOperator {
    enum Shape {
        case conv(inChannels: Int, outChannels: Int, size: Int)
        case dense(inFeatures: Int, outFeatures: Int)
    }

    let shape: Shape
    let batch: Int
    /// The conv kernel (unused for dense layers).
    var kernel: ConvolutionKernel = .im2col

    /// Input values: C·N·S·S or N·I.
    var inputCount: Int {
        switch shape {
        case let .conv(c, _, s): return c * batch * s * s
        case let .dense(i, _): return batch * i
        }
    }

    /// Output values: O·N·S·S or N·O.
    var outputCount: Int {
        switch shape {
        case let .conv(_, o, s): return o * batch * s * s
        case let .dense(_, o): return batch * o
        }
    }

    /// Input channels (conv) or features (dense).
    var inputChannels: Int {
        switch shape {
        case let .conv(c, _, _): return c
        case let .dense(i, _): return i
        }
    }

    /// Floats of workspace `forward` and `transpose` need (0 for dense): the kernel's, and for Winograd and the
    /// direct kernel one output more, where a signed or accumulated forward pass lands before it is added.
    var columnCount: Int {
        switch shape {
        case let .conv(c, o, s):
            let own = kernel.workspaceCount(inChannels: c, outChannels: o, batch: batch, size: s)
            return kernel == .im2col ? own : own + outputCount
        case .dense: return 0
        }
    }

    /// An input tensor holding `values[channel]` everywhere (`values` has 1 or `inputChannels` entries).
    func constantInput(_ values: [Float]) -> [Float] {
        let c = inputChannels
        let value = { (ch: Int) in values.count == 1 ? values[0] : values[ch] }
        switch shape {
        case let .conv(_, _, s):
            let block = batch * s * s
            var x = [Float](repeating: 0, count: c * block)
            for ch in 0..<c { for i in (ch * block)..<((ch + 1) * block) { x[i] = value(ch) } }
            return x
        case .dense:
            let row = (0..<c).map(value)
            return Array([[Float]](repeating: row, count: batch).joined())
        }
    }

    /// z ← sign·(f(x, W) + b) (+ z when `accumulate`); `bias` nil means no bias. `column` holds `columnCount` floats.
    func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, sign: Float,
                 accumulate: Bool, into z: UnsafeMutablePointer<Float>, column col: UnsafeMutablePointer<Float>) {
        let n = batch
        switch shape {
        case let .conv(c, o, s) where kernel != .im2col:
            let zeros = [Float](repeating: 0, count: o)
            let inPlace = sign == 1 && !accumulate
            let y = inPlace ? z : col + columnCount - outputCount
            zeros.withUnsafeBufferPointer { zp in
                kernel.forward(input: x, weight: weight, bias: bias ?? zp.baseAddress!, output: y, inChannels: c,
                               outChannels: o, batch: n, size: s, relu: false, workspace: col)
            }
            if !inPlace {
                let count = outputCount
                Parallel.ranges(count) { r in
                    for i in r { z[i] = accumulate ? z[i] + sign * y[i] : sign * y[i] }
                }
            }
        case let .conv(c, o, s):
            let plane = s * s, k = 9 * c, step = Conv3x3.imagesPerChunk(channels: c, batch: n, plane: plane)
            var n0 = 0
            while n0 < n {
                let nb = min(step, n - n0)
                Conv3x3.im2col(x, channels: c, batch: n, height: s, width: s, first: n0, count: nb, into: col)
                BLAS.sgemm(m: o, n: nb * plane, k: k, alpha: sign, a: weight, lda: k, b: col, ldb: nb * plane,
                           beta: accumulate ? 1 : 0, c: z + n0 * plane, ldc: n * plane)
                n0 += nb
            }
            if let bias {
                let row = n * plane
                Parallel.forEach(o) { oc in
                    let p = z + oc * row, b = sign * bias[oc]
                    for i in 0..<row { p[i] += b }
                }
            }
        case let .dense(i, o):
            BLAS.sgemm(transB: true, m: n, n: o, k: i, alpha: sign, a: x, lda: i, b: weight, ldb: i,
                       beta: accumulate ? 1 : 0, c: z, ldc: o)
            if let bias {
                for r in 0..<n { for j in 0..<o { z[r * o + j] += sign * bias[j] } }
            }
        }
    }

    /// g ← fᵀ(s, W): the input gradient of Σ s ⊙ f(x, W). `column` holds `columnCount` floats.
    func transpose(_ s: UnsafePointer<Float>, weight: UnsafePointer<Float>, into g: UnsafeMutablePointer<Float>,
                   column col: UnsafeMutablePointer<Float>) {
        let n = batch
        switch shape {
        case let .conv(c, o, size) where kernel != .im2col:
            // Without a weight gradient the backward pass never reads its input, so `s` stands in for it.
            kernel.backward(input: s, weight: weight, gradOutput: s, gradWeight: nil, gradBias: nil, gradInput: g,
                            inChannels: c, outChannels: o, batch: n, size: size, workspace: col)
        case let .conv(c, o, size):
            let plane = size * size, k = 9 * c, row = n * plane
            let step = Conv3x3.imagesPerChunk(channels: c, batch: n, plane: plane)
            var n0 = 0
            while n0 < n {
                let nb = min(step, n - n0)
                BLAS.sgemm(transA: true, m: k, n: nb * plane, k: o, a: weight, lda: k, b: s + n0 * plane, ldb: row,
                           beta: 0, c: col, ldc: nb * plane)
                Conv3x3.col2im(col, channels: c, batch: n, height: size, width: size, first: n0, count: nb, into: g)
                n0 += nb
            }
        case let .dense(i, o):
            BLAS.sgemm(m: n, n: i, k: o, a: s, lda: o, b: weight, ldb: i, beta: 0, c: g, ldc: i)
        }
    }
}
