import Randomness

/// ReLU, dropout and the NCHW ↔ CNHW transposes (flatten) — the cheap layers between the GEMMs.
enum ReLU {
    /// x ← max(x, 0) in place.
    static func forward(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.ranges(count) { r in for i in r { x[i] = max(x[i], 0) } }
    }

    /// g ← g where the ReLU's output y > 0, else 0 (in place).
    static func backward(output y: UnsafePointer<Float>, grad g: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.ranges(count) { r in for i in r where !(y[i] > 0) { g[i] = 0 } }
    }
}

/// Inverted dropout: kept units are scaled by 1/(1−rate) so inference needs no rescaling.
enum Dropout {
    /// A mask of 0 and 1/(1−rate), drawn in index order from `rng`.
    static func mask(count: Int, rate: Float, rng: inout Xoshiro256StarStar) -> [Float] {
        let keep = 1 / (1 - rate)
        return (0..<count).map { _ in rng.nextUnitFloat() < rate ? 0 : keep }
    }

    /// x ⊙ mask; the backward pass is the same product applied to the gradient.
    static func apply(_ x: inout [Float], mask: [Float]) {
        for i in x.indices { x[i] *= mask[i] }
    }
}

/// Transposes between PyTorch's NCHW and the network's channel-major CNHW.
///
/// `nchwFromCNHW` with S = H·W is also the flatten: [C, N, S] → [N, C·S] with feature index (c·H + h)·W + w.
enum Layout {
    /// [N, C, S] → [C, N, S].
    static func cnhwFromNCHW(_ x: [Float], batch n: Int, channels c: Int, plane s: Int) -> [Float] {
        transpose(x, outer: n, inner: c, plane: s)
    }

    /// [C, N, S] → [N, C, S].
    static func nchwFromCNHW(_ x: [Float], batch n: Int, channels c: Int, plane s: Int) -> [Float] {
        transpose(x, outer: c, inner: n, plane: s)
    }

    private static func transpose(_ x: [Float], outer a: Int, inner b: Int, plane s: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { dst in
                let sp = src.baseAddress!, dp = dst.baseAddress!
                Parallel.forEach(b) { j in
                    for i in 0..<a { (dp + (j * a + i) * s).update(from: sp + (i * b + j) * s, count: s) }
                }
            }
        }
        return y
    }
}
