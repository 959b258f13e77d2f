/// Fully connected layer y = x·Wᵀ + b (PyTorch's Linear).
///
/// Shapes: x [N, I], weight [O, I], bias [O], y [N, O].
enum DenseKernel {
    /// y ← x·Wᵀ + b, then max(·, 0) when `relu`.
    static func forward(input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        output y: UnsafeMutablePointer<Float>, batch n: Int, inFeatures i: Int, outFeatures o: Int,
                        relu: Bool) {
        for r in 0..<n { (y + r * o).update(from: bias, count: o) }
        BLAS.sgemm(transB: true, m: n, n: o, k: i, a: x, lda: i, b: weight, ldb: i, beta: 1, c: y, ldc: o)
        if relu { for j in 0..<(n * o) { y[j] = max(y[j], 0) } }
    }

    /// dW ← dyᵀ·x and db ← column sums of dy (when `gradWeight` is given), dx ← dy·W (when `gradInput` is given).
    static func backward(input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
                         gradWeight dw: UnsafeMutablePointer<Float>?, gradBias db: UnsafeMutablePointer<Float>?,
                         gradInput dx: UnsafeMutablePointer<Float>?, batch n: Int, inFeatures i: Int, outFeatures o: Int) {
        if let dw, let db {
            BLAS.sgemm(transA: true, m: o, n: i, k: n, a: dy, lda: o, b: x, ldb: i, beta: 0, c: dw, ldc: i)
            for j in 0..<o {
                var s: Float = 0
                for r in 0..<n { s += dy[r * o + j] }
                db[j] = s
            }
        }
        if let dx {
            BLAS.sgemm(m: n, n: i, k: o, a: dy, lda: o, b: weight, ldb: i, beta: 0, c: dx, ldc: i)
        }
    }

    // MARK: Naive twin

    /// Loop twin of `forward`.
    static func naiveForward(_ x: [Float], weight: [Float], bias: [Float], batch n: Int, inFeatures i: Int,
                             outFeatures o: Int, relu: Bool) -> [Float] {
        var y = [Float](repeating: 0, count: n * o)
        for r in 0..<n {
            for j in 0..<o {
                var s = bias[j]
                for k in 0..<i { s += x[r * i + k] * weight[j * i + k] }
                y[r * o + j] = relu ? max(s, 0) : s
            }
        }
        return y
    }

    /// Loop twin of `backward`: (dWeight, dBias, dInput).
    static func naiveBackward(_ x: [Float], weight: [Float], gradOutput dy: [Float], batch n: Int, inFeatures i: Int,
                              outFeatures o: Int) -> (weight: [Float], bias: [Float], input: [Float]) {
        var dw = [Float](repeating: 0, count: o * i), db = [Float](repeating: 0, count: o)
        var dx = [Float](repeating: 0, count: n * i)
        for r in 0..<n {
            for j in 0..<o {
                let g = dy[r * o + j]
                db[j] += g
                for k in 0..<i {
                    dw[j * i + k] += g * x[r * i + k]
                    dx[r * i + k] += g * weight[j * i + k]
                }
            }
        }
        return (dw, db, dx)
    }
}
