extension LinearSVM {
    /// Trains the same SVM as `train` and `trainDual` (L2-regularised squared hinge, regularised bias feature of
    /// value 1, per-class multipliers of C), exactly up to rounding, by the finite Newton method of Keerthi &
    /// DeCoste (2005, "A modified finite Newton method for fast solution of large scale linear SVMs", JMLR 6)
    /// carried out in the span of the training rows, which is cheap when samples are fewer than features.
    ///
    /// The primal f(w̃) = ½‖w̃‖² + Σᵢ Cᵢ max(0, 1 − yᵢ w̃·x̃ᵢ)², x̃ = (x, 1), is convex and piecewise quadratic. With
    /// w̃ = Σ cᵢ x̃ᵢ and the outputs o = K c (K = X̃X̃ᵀ, the n × n Gram matrix), each iteration takes the active set
    /// I = {i : yᵢoᵢ < 1}, the minimiser of f's quadratic on I (c̄_I solves (K_II + D_I) c̄_I = y_I, Dᵢᵢ = 1/(2Cᵢ),
    /// c̄ = 0 off I), and an exact line search towards it along the piecewise-linear derivative. It stops when
    /// the minimiser's own active set is I, which makes it the optimum; the objective falls strictly at every
    /// step, so an active set never repeats and the method ends in finitely many steps (the study's probes
    /// take 6–9). No random numbers are drawn.
    ///
    /// Cost: the Gram matrix (n²d/2 multiply–adds) and one Cholesky factorisation of |I| × |I| per iteration.
    /// - Parameters:
    ///   - rows: n × d values, row-major.
    ///   - C: inverse regularisation strength.
    ///   - positiveWeight, negativeWeight: per-class multipliers of C (class balance).
    ///   - maxIterations: a guard against cycling in rounding; it is never reached on the tests' problems.
    /// - Returns: the SVM; when a Newton system is not positive definite to working precision (rows far from unit
    ///   scale that nearly repeat, e.g. unstandardised features of 1e9), `trainDual`'s solution instead.
    static func trainFiniteNewton(rows: [Double], dimension d: Int, labels: [Bool], C: Double,
                                  positiveWeight: Double, negativeWeight: Double,
                                  maxIterations: Int = 100) -> LinearSVM {
        let n = labels.count
        precondition(rows.count == n * d && n > 0, "rows must hold n × d values")
        let y = labels.map { $0 ? 1.0 : -1.0 }
        let cost = labels.map { C * ($0 ? positiveWeight : negativeWeight) }
        let gram = DenseMatrix.gram(rows: rows, count: n, dimension: d, adding: 1)
        /// The rows inside their margin, yᵢoᵢ < 1, for outputs o.
        func activeSet(_ outputs: [Double]) -> [Int] { (0..<n).filter { y[$0] * outputs[$0] < 1 } }
        var c = [Double](repeating: 0, count: n), o = [Double](repeating: 0, count: n)
        for _ in 0..<maxIterations {
            let active = activeSet(o)
            guard let (target, targetOutputs) = newtonPoint(gram: gram, n: n, active: active, y: y, cost: cost) else {
                return trainDual(rows: rows, dimension: d, labels: labels, C: C, positiveWeight: positiveWeight,
                                 negativeWeight: negativeWeight)
            }
            if activeSet(targetOutputs) == active {
                c = target
                o = targetOutputs
                break
            }
            let step = (0..<n).map { target[$0] - c[$0] }, outputStep = (0..<n).map { targetOutputs[$0] - o[$0] }
            let t = lineSearch(c: c, o: o, step: step, outputStep: outputStep, y: y, cost: cost)
            guard t > 0 else { break }
            for i in 0..<n {
                c[i] += t * step[i]
                o[i] += t * outputStep[i]
            }
        }
        // w = Σ cᵢ xᵢ, b = Σ cᵢ (the bias feature's weight).
        var weights = [Double](repeating: 0, count: d)
        rows.withUnsafeBufferPointer { x in
            weights.withUnsafeMutableBufferPointer { w in
                for i in 0..<n where c[i] != 0 {
                    let row = x.baseAddress! + i * d
                    for j in 0..<d { w[j] += c[i] * row[j] }
                }
            }
        }
        return LinearSVM(weights: weights, bias: c.reduce(0, +))
    }

    /// The minimiser of the quadratic that agrees with f on the active set: coefficients c̄ (zero off `active`)
    /// and outputs ō = K c̄; nil when its system is not positive definite to working precision.
    private static func newtonPoint(gram: DenseMatrix, n: Int, active: [Int], y: [Double],
                                    cost: [Double]) -> (coefficients: [Double], outputs: [Double])? {
        var coefficients = [Double](repeating: 0, count: n), outputs = [Double](repeating: 0, count: n)
        guard !active.isEmpty else { return (coefficients, outputs) }
        var system = gram.submatrix(active)
        for (a, i) in active.enumerated() { system[a, a] += 1 / (2 * cost[i]) }
        guard let solution = system.solvePositiveDefinite(active.map { y[$0] }) else { return nil }
        for (a, i) in active.enumerated() { coefficients[i] = solution[a] }
        // ō = Σ_a c̄_a K[active_a, ·] (rows of the symmetric K, contiguous).
        gram.values.withUnsafeBufferPointer { k in
            outputs.withUnsafeMutableBufferPointer { out in
                for (a, i) in active.enumerated() {
                    let row = k.baseAddress! + i * n, s = solution[a]
                    for j in 0..<n { out[j] += s * row[j] }
                }
            }
        }
        return (coefficients, outputs)
    }

    /// The t ≥ 0 minimising f(w̃ + t δ) for δ = Σ stepᵢ x̃ᵢ, whose outputs change by `outputStep` = K·step.
    /// φ'(t) = w̃·δ + t δ·δ − 2 Σ_{i active at t} Cᵢ yᵢdᵢ (1 − yᵢoᵢ − t yᵢdᵢ) is increasing and piecewise linear,
    /// with a break where an output crosses its margin; the breaks are walked in order until φ' turns ≥ 0.
    private static func lineSearch(c: [Double], o: [Double], step: [Double], outputStep: [Double],
                                   y: [Double], cost: [Double]) -> Double {
        let n = c.count
        var constant = 0.0, slope = 0.0   // φ'(t) = constant + slope · t on the current piece
        for i in 0..<n {
            constant += o[i] * step[i]          // w̃·δ = oᵀ step
            slope += step[i] * outputStep[i]    // δ·δ = stepᵀ K step
        }
        let margin = (0..<n).map { 1 - y[$0] * o[$0] }, change = (0..<n).map { y[$0] * outputStep[$0] }
        var isActive = (0..<n).map { margin[$0] > 0 || (margin[$0] == 0 && change[$0] < 0) }
        for i in 0..<n where isActive[i] {
            constant -= 2 * cost[i] * change[i] * margin[i]
            slope += 2 * cost[i] * change[i] * change[i]
        }
        let breaks = (0..<n).compactMap { i -> (t: Double, i: Int)? in
            guard change[i] != 0 else { return nil }
            let t = margin[i] / change[i]
            return t > 0 && t.isFinite ? (t, i) : nil
        }.sorted { $0.t < $1.t }
        for (t, i) in breaks {
            if constant + slope * t >= 0 { break }
            let sign: Double = isActive[i] ? -1 : 1
            constant -= sign * 2 * cost[i] * change[i] * margin[i]
            slope += sign * 2 * cost[i] * change[i] * change[i]
            isActive[i].toggle()
        }
        return slope > 0 ? -constant / slope : 0
    }
}
