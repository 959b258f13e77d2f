import Randomness

extension LinearSVM {
    /// Trains the same SVM as `train` (L2-regularised squared hinge, regularised bias feature of value 1,
    /// per-class multipliers of C) by dual coordinate descent (Hsieh, Chang, Lin, Keerthi & Sundararajan 2008,
    /// "A dual coordinate descent method for large-scale linear SVM", ICML, Algorithm 1), on dense rows.
    ///
    /// The dual of min ½‖w̃‖² + Σᵢ Cᵢ max(0, 1 − yᵢ w̃·x̃ᵢ)², x̃ = (x, 1), is min ½ αᵀ(Q + D)α − Σ αᵢ over α ≥ 0,
    /// with Qᵢⱼ = yᵢyⱼ x̃ᵢ·x̃ⱼ and Dᵢᵢ = 1/(2Cᵢ); w̃ = Σ αᵢ yᵢ x̃ᵢ. Each step minimises exactly over one αᵢ, in a
    /// seeded random order per epoch (so results do not depend on threads), until the projected gradients of
    /// an epoch span less than `tolerance` (LIBLINEAR's dual criterion). One step costs 2d operations, so with
    /// fewer samples than features, as in the study's probes, this is much cheaper than the primal Newton
    /// solver, which `train` keeps as the reference.
    /// - Parameters:
    ///   - rows: n × d values, row-major.
    ///   - C: inverse regularisation strength.
    ///   - positiveWeight, negativeWeight: per-class multipliers of C (class balance).
    ///   - tolerance: stop when max − min projected gradient over an epoch is below it.
    ///   - maxEpochs: passes over the data at most.
    static func trainDual(rows: [Double], dimension d: Int, labels: [Bool], C: Double,
                          positiveWeight: Double, negativeWeight: Double,
                          tolerance: Double = 1e-3, maxEpochs: Int = 1000) -> LinearSVM {
        let n = labels.count
        precondition(rows.count == n * d && n > 0, "rows must hold n × d values")
        var weights = [Double](repeating: 0, count: d)
        var bias = 0.0
        var alpha = [Double](repeating: 0, count: n)
        var order = Array(0..<n)
        var rng = SplitMix64(seed: 0x5EED)
        let diagonal = labels.map { 1 / (2 * C * ($0 ? positiveWeight : negativeWeight)) }
        rows.withUnsafeBufferPointer { x in
            weights.withUnsafeMutableBufferPointer { w in
                // Q̄ᵢᵢ = ‖x̃ᵢ‖² + Dᵢᵢ.
                let qii = (0..<n).map { i in
                    let row = x.baseAddress! + i * d
                    return 1 + DenseMatrix.dot(row, row, d) + diagonal[i]
                }
                for _ in 0..<maxEpochs {
                    order.shuffle(using: &rng)
                    var highest = -Double.infinity, lowest = Double.infinity
                    for i in order {
                        let row = x.baseAddress! + i * d
                        let y = labels[i] ? 1.0 : -1.0
                        let dot = bias + DenseMatrix.dot(w.baseAddress!, row, d)
                        let g = y * dot - 1 + diagonal[i] * alpha[i]
                        let projected = alpha[i] == 0 ? min(g, 0) : g
                        highest = max(highest, projected)
                        lowest = min(lowest, projected)
                        guard projected != 0 else { continue }
                        let old = alpha[i]
                        alpha[i] = max(old - g / qii[i], 0)
                        let step = (alpha[i] - old) * y
                        for j in 0..<d { w[j] += step * row[j] }
                        bias += step
                    }
                    if highest - lowest < tolerance { break }
                }
            }
        }
        return LinearSVM(weights: weights, bias: bias)
    }
}
