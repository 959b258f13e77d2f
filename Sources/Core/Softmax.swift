import Foundation

/// Row-wise softmax and log-softmax over classes, computed with a stable log-sum-exp.
///
/// Shapes: logits [N, K] row-major; outputs the same.
enum Softmax {
    /// log softmax(z) = z − max − log Σ exp(z − max), per row.
    static func logSoftmax(_ z: [Float], classes k: Int) -> [Float] {
        var out = [Float](repeating: 0, count: z.count)
        for r in 0..<(z.count / k) {
            let lse = logSumExp(z, row: r, classes: k)
            for j in 0..<k { out[r * k + j] = Float(Double(z[r * k + j]) - lse) }
        }
        return out
    }

    /// softmax(z) per row.
    static func softmax(_ z: [Float], classes k: Int) -> [Float] {
        var out = [Float](repeating: 0, count: z.count)
        for r in 0..<(z.count / k) {
            let lse = logSumExp(z, row: r, classes: k)
            for j in 0..<k { out[r * k + j] = Float(exp(Double(z[r * k + j]) - lse)) }
        }
        return out
    }

    /// Vector–Jacobian product of softmax: dz = y ⊙ (dy − Σ dy·y), y the softmax output.
    static func softmaxBackward(output y: [Float], grad dy: [Float], classes k: Int) -> [Float] {
        var dz = [Float](repeating: 0, count: y.count)
        for r in 0..<(y.count / k) {
            var dot: Double = 0
            for j in 0..<k { dot += Double(dy[r * k + j]) * Double(y[r * k + j]) }
            for j in 0..<k { dz[r * k + j] = Float(Double(y[r * k + j]) * (Double(dy[r * k + j]) - dot)) }
        }
        return dz
    }

    /// Vector–Jacobian product of log-softmax: dz = dy − softmax · Σ dy, from the log-softmax output.
    static func logSoftmaxBackward(output logp: [Float], grad dy: [Float], classes k: Int) -> [Float] {
        var dz = [Float](repeating: 0, count: logp.count)
        for r in 0..<(logp.count / k) {
            var sum: Double = 0
            for j in 0..<k { sum += Double(dy[r * k + j]) }
            for j in 0..<k { dz[r * k + j] = Float(Double(dy[r * k + j]) - exp(Double(logp[r * k + j])) * sum) }
        }
        return dz
    }

    /// log Σ_j exp(z[row, j]) in double precision, shifted by the row maximum.
    static func logSumExp(_ z: [Float], row r: Int, classes k: Int) -> Double {
        var m = -Double.infinity
        for j in 0..<k { m = max(m, Double(z[r * k + j])) }
        if !m.isFinite { return m }
        var s: Double = 0
        for j in 0..<k { s += exp(Double(z[r * k + j]) - m) }
        return m + log(s)
    }
}
