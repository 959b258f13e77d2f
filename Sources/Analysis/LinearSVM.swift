import CLinear

/// A binary linear SVM: L2-regularised squared hinge loss with a (regularised) bias feature of value 1, as
/// scikit-learn's `LinearSVC`. Two trainers solve the same problem: `train`, LIBLINEAR's primal trust-region
/// Newton solver (the one of LIBLINEAR's that draws no numbers from the C library's global `rand()`, so it is
/// reproducible and thread-safe), and `trainDual`, a seeded dual coordinate descent in Swift, faster when
/// samples are fewer than features; each is the other's reference in the tests.
struct LinearSVM {
    /// Weights, one per feature.
    var weights: [Double]
    var bias: Double

    /// Trains on `rows` (n × d, row-major).
    /// - Parameters:
    ///   - C: inverse regularisation strength.
    ///   - positiveWeight, negativeWeight: per-class multipliers of C (class balance).
    ///   - tolerance: LIBLINEAR's `eps` (stop when ‖∇f‖ ≤ eps · ‖∇f(0)‖ · max(min(n₊, n₋), 1) / n; its default 0.01).
    static func train(rows: [Double], dimension d: Int, labels: [Bool], C: Double,
                      positiveWeight: Double, negativeWeight: Double, tolerance: Double = 0.01) -> LinearSVM {
        let n = labels.count
        precondition(rows.count == n * d && n > 0, "rows must hold n × d values")
        silenceLibrary
        // Each row: d features (1-based indices), the bias feature d + 1, and the terminator -1.
        let stride = d + 2
        var nodes = [feature_node](repeating: feature_node(index: -1, value: 0), count: n * stride)
        for i in 0..<n {
            for j in 0..<d { nodes[i * stride + j] = feature_node(index: Int32(j + 1), value: rows[i * d + j]) }
            nodes[i * stride + d] = feature_node(index: Int32(d + 1), value: 1)
        }
        var y = labels.map { $0 ? 1.0 : -1.0 }
        var weightLabels: [Int32] = [1, -1]
        var classWeights = [positiveWeight, negativeWeight]
        var model: UnsafeMutablePointer<model>? = nodes.withUnsafeMutableBufferPointer { nodeBuffer in
            var rowPointers = (0..<n).map { Optional(nodeBuffer.baseAddress! + $0 * stride) }
            return y.withUnsafeMutableBufferPointer { yBuffer in
                rowPointers.withUnsafeMutableBufferPointer { xBuffer in
                    weightLabels.withUnsafeMutableBufferPointer { labelBuffer in
                        classWeights.withUnsafeMutableBufferPointer { weightBuffer in
                            var problem = CLinear.problem(l: Int32(n), n: Int32(d + 1), y: yBuffer.baseAddress,
                                                          x: xBuffer.baseAddress, bias: 1)
                            var parameter = CLinear.parameter(
                                solver_type: Int32(L2R_L2LOSS_SVC), eps: tolerance, C: C, nr_weight: 2,
                                weight_label: labelBuffer.baseAddress, weight: weightBuffer.baseAddress,
                                p: 0.1, init_sol: nil)
                            if let message = check_parameter(&problem, &parameter) {
                                preconditionFailure("LIBLINEAR rejected its parameters: \(String(cString: message))")
                            }
                            return CLinear.train(&problem, &parameter)
                        }
                    }
                }
            }
        }
        defer { free_and_destroy_model(&model) }
        // LIBLINEAR orders classes by first appearance; ask for the decision function of label +1.
        var classLabels = [Int32](repeating: 0, count: 2)
        get_labels(model, &classLabels)
        let classCount = Int(get_nr_class(model))
        guard classCount == 2, let positive = classLabels.firstIndex(of: 1) else {
            // One class only in the training data: a constant decision.
            return LinearSVM(weights: [Double](repeating: 0, count: d), bias: labels[0] ? 1 : -1)
        }
        let label = Int32(positive)
        let weights = (0..<d).map { get_decfun_coef(model, Int32($0 + 1), label) }
        return LinearSVM(weights: weights, bias: get_decfun_bias(model, label))
    }

    /// The decision value w·x + b of one row.
    func decision(_ row: ArraySlice<Double>) -> Double {
        var sum = bias
        for (w, x) in zip(weights, row) { sum += w * x }
        return sum
    }
}

/// LIBLINEAR prints solver progress to stdout unless given a print function; set one that drops it, once.
private let silenceLibrary: Void = set_print_string_function { _ in }
