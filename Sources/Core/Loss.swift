import Foundation

/// Classification losses on logits: cross-entropy and focal loss, optionally class-weighted.
///
/// For sample i with true class y, p_t = softmax(z_i)[y] and CE_i = −log p_t (from a stable log-sum-exp):
/// L_i = w_y · (1 − p_t)^γ · CE_i, and the loss is the plain mean over the batch (not divided by Σ w).
/// γ = 0 and no weights is cross-entropy. Lin et al., "Focal Loss for Dense Object Detection", 2017.
public struct Loss: Sendable, Equatable, Codable {
    /// Focusing parameter γ ≥ 0 (0 gives cross-entropy).
    public var gamma: Double
    /// Per-class weights w_c (K values), or nil for all ones.
    public var classWeights: [Float]?

    /// Cross-entropy, optionally class-weighted.
    public static func crossEntropy(classWeights: [Float]? = nil) -> Loss { Loss(gamma: 0, classWeights: classWeights) }

    /// Focal loss (1 − p_t)^γ · CE, optionally class-weighted.
    public static func focal(gamma: Double, classWeights: [Float]? = nil) -> Loss { Loss(gamma: gamma, classWeights: classWeights) }

    public init(gamma: Double, classWeights: [Float]? = nil) {
        precondition(gamma >= 0, "Loss: gamma must be ≥ 0")
        self.gamma = gamma
        self.classWeights = classWeights
    }

    /// Loss value, its gradient with respect to the logits and the number of correct argmax predictions.
    public struct Evaluation: Sendable {
        /// Mean loss over the batch.
        public var value: Double
        /// ∂value/∂logits, [N, K].
        public var gradient: [Float]
        /// Samples whose largest logit is the true class (first maximum on ties).
        public var correct: Int
    }

    /// Evaluates the loss for logits [N, K] and labels in 0..<K.
    public func evaluate(logits z: [Float], labels: [Int], classes k: Int) -> Evaluation {
        let n = labels.count
        precondition(z.count == n * k, "Loss: \(z.count) logits for \(n) labels × \(k) classes")
        if let w = classWeights { precondition(w.count == k, "Loss: \(w.count) class weights for \(k) classes") }
        var total: Double = 0
        var grad = [Float](repeating: 0, count: z.count)
        var correct = 0
        for i in 0..<n {
            let y = labels[i]
            precondition(y >= 0 && y < k, "Loss: label \(y) outside 0..<\(k)")
            let lse = Softmax.logSumExp(z, row: i, classes: k)
            let logp = Double(z[i * k + y]) - lse
            let p = exp(logp)
            let oneMinusP = -expm1(logp)
            let ce = -logp
            let w = Double(classWeights?[y] ?? 1)
            let focal = gamma == 0 ? 1 : pow(oneMinusP, gamma)
            total += w * focal * ce
            // ∂L_i/∂z_j = w · [γ(1−p)^(γ−1)·p·log p − (1−p)^γ] · (δ_jy − p_j)
            var slope = -focal
            if gamma != 0 && oneMinusP > 0 { slope += gamma * pow(oneMinusP, gamma - 1) * p * logp }
            let scale = w * slope / Double(n)
            var best = 0
            for j in 0..<k {
                let pj = exp(Double(z[i * k + j]) - lse)
                grad[i * k + j] = Float(scale * ((j == y ? 1 : 0) - pj))
                if z[i * k + j] > z[i * k + best] { best = j }
            }
            if best == y { correct += 1 }
        }
        return Evaluation(value: total / Double(max(n, 1)), gradient: grad, correct: correct)
    }

    /// Class-balanced weights w_c = (1 − β)/(1 − β^n_c), scaled so that Σ w = K (Cui et al., CVPR 2019).
    ///
    /// Computed in double precision; every count must be positive and 0 ≤ β < 1 (β = 0 gives all ones).
    public static func classBalancedWeights(counts: [Int], beta: Double) throws -> [Float] {
        guard beta >= 0 && beta < 1 else {
            throw CoreError.invalidConfiguration(field: "class_balance beta", expected: "in [0, 1)", found: "\(beta)")
        }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else {
            throw CoreError.invalidConfiguration(field: "class counts", expected: "positive for every class", found: "\(counts)")
        }
        let raw = counts.map { (1 - beta) / (1 - pow(beta, Double($0))) }
        let sum = raw.reduce(0, +)
        return raw.map { Float($0 * Double(counts.count) / sum) }
    }
}
