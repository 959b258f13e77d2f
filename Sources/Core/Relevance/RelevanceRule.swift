/// One Layer-wise Relevance Propagation rule for a linear layer (conv or dense): a small value, never stored in a layer.
///
/// Legend: a layer computes z_j = Σ_i a_i·w_ij + b_j from inputs a (ReLU outputs or pixels) and passes the upper
/// relevance R_j down to its inputs as R_i = Σ_j (z_ij / z_j)·R_j for some rule-specific split z_ij of z_j.
/// Notation: x⁺ = max(x, 0), x⁻ = min(x, 0); "stab(z)" is z + ε·sign(z) with sign(0) = +1, ε = `stabiliser`
/// unless the rule has its own ε. The definitions are zennit 0.5.1's (Anders et al., "Software for dataset-wide XAI",
/// 2021), which follow Bach et al. 2015 (ε, αβ), Montavon et al. 2017 (z⁺, zᴮ) and 2019 (γ), Lapuschkin et al. 2019 (flat).
public enum RelevanceRule: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// ε-rule, bias included: R_i = a_i·w_ij / stab_ε(z_j) · R_j with z_j = Σ_i a_i·w_ij + b_j (ε = 0 is LRP-0).
    case epsilon(Float)
    /// z⁺ (αβ with α = 1, β = 0): z_ij = a⁺_i·w⁺_ij + a⁻_i·w⁻_ij, z_j = Σ_i z_ij + b⁺_j; R_i = Σ_j z_ij / stab(z_j) · R_j.
    /// Negative biases drop out; positive ones absorb their share of relevance.
    case zPlus
    /// Generalised γ-rule: neurons with positive output z_j split along a⁺·(w + γw⁺) + a⁻·(w + γw⁻) (+ b + γb⁺),
    /// neurons with negative output along a⁺·(w + γw⁻) + a⁻·(w + γw⁺) (+ b + γb⁻); zero outputs pass nothing.
    /// On non-negative inputs this is Montavon's γ-rule z_ij = a_i·(w_ij + γ·w⁺_ij).
    case gamma(Float)
    /// αβ-rule: α·(the z⁺ split) − β·(the split along a⁺·w⁻ + a⁻·w⁺ + b⁻). Conserves when α − β = 1 and every
    /// neuron has both positive and negative contributions.
    case alphaBeta(alpha: Float, beta: Float)
    /// Flat: relevance spread evenly over the inputs each output sees, ignoring inputs and weights (bias ignored).
    /// In a padded conv a border output has fewer inputs; every input channel gets the same share.
    case flat
    /// zᴮ (bounded input): z_ij = a_i·w_ij − l_i·w⁺_ij − h_i·w⁻_ij for inputs known to lie in [l_i, h_i]; the bias
    /// cancels. `low`/`high` hold one value for all input channels (features) or one per channel.
    case zB(low: [Float], high: [Float])

    /// The stabiliser of every rule but ε (zennit's default).
    public static let stabiliser: Float = 1e-6

    /// zᴮ with one bound pair for every input channel.
    public static func zB(low: Float, high: Float) -> RelevanceRule { .zB(low: [low], high: [high]) }

    /// zᴮ bounds of normalised pixels: pixels in [0, 1] become (p − mean_c) / std_c, so l_c = −mean_c/std_c and
    /// h_c = (1 − mean_c)/std_c.
    public static func zB(mean: [Float], std: [Float]) -> RelevanceRule {
        precondition(mean.count == std.count, "zB: \(mean.count) means for \(std.count) standard deviations")
        return .zB(low: zip(mean, std).map { -$0 / $1 }, high: zip(mean, std).map { (1 - $0) / $1 })
    }

    public var description: String {
        switch self {
        case .epsilon(let e): return "epsilon(\(e))"
        case .zPlus: return "zplus"
        case .gamma(let g): return "gamma(\(g))"
        case let .alphaBeta(a, b): return "alpha_beta(\(a), \(b))"
        case .flat: return "flat"
        case let .zB(low, high): return "zb(low: \(low), high: \(high))"
        }
    }

    /// Throws unless the parameters are usable on a layer with `inputChannels` input channels (features).
    func validate(inputChannels: Int, layer: String) throws {
        switch self {
        case .epsilon(let e):
            guard e >= 0, e.isFinite else {
                throw CoreError.invalidConfiguration(field: "epsilon of \(layer)", expected: "a finite value ≥ 0", found: "\(e)")
            }
        case .gamma(let g):
            guard g >= 0, g.isFinite else {
                throw CoreError.invalidConfiguration(field: "gamma of \(layer)", expected: "a finite value ≥ 0", found: "\(g)")
            }
        case let .alphaBeta(a, b):
            guard a >= 0, b >= 0, a.isFinite, b.isFinite else {
                throw CoreError.invalidConfiguration(field: "alpha/beta of \(layer)", expected: "finite values ≥ 0",
                                                     found: "\(a), \(b)")
            }
        case let .zB(low, high):
            guard low.count == high.count, low.count == 1 || low.count == inputChannels else {
                throw CoreError.invalidConfiguration(
                    field: "zB bounds of \(layer)", expected: "1 or \(inputChannels) low and high values",
                    found: "\(low.count) low, \(high.count) high")
            }
            if let bad = (low + high).first(where: { !$0.isFinite }) {
                throw CoreError.invalidConfiguration(field: "zB bounds of \(layer)", expected: "finite values",
                                                     found: "\(bad)")
            }
            if let i = low.indices.first(where: { !(low[$0] <= high[$0]) }) {
                throw CoreError.invalidConfiguration(field: "zB bounds of \(layer)", expected: "low ≤ high",
                                                     found: "low \(low[i]) > high \(high[i]) at channel \(i)")
            }
        case .zPlus, .flat:
            break
        }
    }

    // MARK: Lowering to signed terms

    /// The rule as groups of terms, the form the fast kernels evaluate (zennit's BasicHook): per group,
    /// z = Σ_t sign_t·f(in_t, W_t, b_t), s = mask ⊙ R / stab(z), R_in += coefficient·Σ_t sign_t·in_t ⊙ fᵀ(s, W_t).
    var groups: [RuleGroup] {
        let e = Self.stabiliser
        switch self {
        case .epsilon(let eps):
            return [RuleGroup(terms: [RuleTerm(input: .all, weight: .identity, bias: .identity)], stabiliser: eps)]
        case .zPlus:
            return [RuleGroup(terms: Self.signSplit(positive: .positive, negative: .negative, positiveBias: .positive),
                              stabiliser: e)]
        case let .alphaBeta(alpha, beta):
            var groups = [RuleGroup(terms: Self.signSplit(positive: .positive, negative: .negative, positiveBias: .positive),
                                    stabiliser: e, coefficient: alpha)]
            if beta != 0 {
                groups.append(RuleGroup(terms: Self.signSplit(positive: .negative, negative: .positive, positiveBias: .negative),
                                        stabiliser: e, coefficient: -beta))
            }
            return groups
        case .gamma(let g):
            return [
                RuleGroup(terms: Self.signSplit(positive: .gammaPositive(g), negative: .gammaNegative(g),
                                                positiveBias: .gammaPositive(g)),
                          stabiliser: e, mask: .positiveOutput),
                RuleGroup(terms: Self.signSplit(positive: .gammaNegative(g), negative: .gammaPositive(g),
                                                positiveBias: .gammaNegative(g)),
                          stabiliser: e, mask: .negativeOutput),
            ]
        case .flat:
            return [RuleGroup(terms: [RuleTerm(input: .constant([1]), weight: .ones, bias: .zero)], stabiliser: e)]
        case let .zB(low, high):
            return [RuleGroup(terms: [
                RuleTerm(input: .all, weight: .identity, bias: .identity),
                RuleTerm(input: .constant(low), weight: .positive, bias: .positive, sign: -1),
                RuleTerm(input: .constant(high), weight: .negative, bias: .negative, sign: -1),
            ], stabiliser: e)]
        }
    }

    /// a⁺ with `positive`-mapped weights (bias `positiveBias`) plus a⁻ with `negative`-mapped weights (no bias).
    private static func signSplit(positive: ParameterMap, negative: ParameterMap, positiveBias: ParameterMap) -> [RuleTerm] {
        [RuleTerm(input: .positive, weight: positive, bias: positiveBias),
         RuleTerm(input: .negative, weight: negative, bias: .zero)]
    }
}

/// Which part of the layer input a term uses.
enum InputPart: Hashable {
    /// a itself.
    case all
    /// a⁺.
    case positive
    /// a⁻.
    case negative
    /// A constant per input channel (one value: every channel); zero in a conv's padding.
    case constant([Float])
}

/// An elementwise map applied to a layer's weights or biases.
enum ParameterMap: Hashable {
    case identity, positive, negative, zero, ones
    /// p + γ·p⁺.
    case gammaPositive(Float)
    /// p + γ·p⁻.
    case gammaNegative(Float)

    @inline(__always)
    func apply(_ p: Float) -> Float {
        switch self {
        case .identity: return p
        case .positive: return max(p, 0)
        case .negative: return min(p, 0)
        case .zero: return 0
        case .ones: return 1
        case .gammaPositive(let g): return p + g * max(p, 0)
        case .gammaNegative(let g): return p + g * min(p, 0)
        }
    }
}

/// One forward contribution sign·f(input part, mapped weights, mapped bias).
struct RuleTerm: Hashable {
    var input: InputPart
    var weight: ParameterMap
    var bias: ParameterMap
    var sign: Float = 1
}

/// Terms sharing one denominator, with the outputs they apply to and their weight in the result.
struct RuleGroup: Hashable {
    enum Mask: Hashable { case all, positiveOutput, negativeOutput }
    var terms: [RuleTerm]
    var stabiliser: Float
    var mask: Mask = .all
    var coefficient: Float = 1
}
