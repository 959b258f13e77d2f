/// Which LRP rule each layer category of a VGG16 gets: dense layers, conv layers, and the first conv (the layer that
/// sees the pixels). Max-pool passes relevance to each window's winner, ReLU, dropout and flatten pass it unchanged;
/// those take no rule.
public struct Composite: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Rule of every dense layer.
    public var dense: RelevanceRule
    /// Rule of every conv layer but the first.
    public var conv: RelevanceRule
    /// Rule of the first conv layer.
    public var firstConv: RelevanceRule

    /// A composite; `firstConv` defaults to `conv`.
    public init(dense: RelevanceRule, conv: RelevanceRule, firstConv: RelevanceRule? = nil) {
        self.dense = dense
        self.conv = conv
        self.firstConv = firstConv ?? conv
    }

    /// The study's composite: ε = 1e-9 on every dense layer (bias included), z⁺ on every conv including the first.
    public static let zDenseZPlusConv = Composite(dense: .epsilon(1e-9), conv: .zPlus)

    /// zennit's `EpsilonPlusFlat()` at its defaults: ε = 1e-6 on dense layers, z⁺ on convs, flat on the first conv.
    public static let epsilonPlusFlat = Composite(dense: .epsilon(1e-6), conv: .zPlus, firstConv: .flat)

    /// zennit's `EpsilonGammaBox(low, high)` at its defaults: ε = 1e-6 on dense layers, γ = 0.25 on convs, zᴮ on the
    /// first conv with the bounds of the (normalised) input pixels, one pair or one per input channel.
    public static func epsilonGammaBox(low: [Float], high: [Float]) -> Composite {
        Composite(dense: .epsilon(1e-6), conv: .gamma(0.25), firstConv: .zB(low: low, high: high))
    }

    /// Names accepted by `named(_:low:high:)`.
    public static let presetNames = ["z_dense_zplus_conv", "epsilon_plus_flat", "epsilon_gamma_box"]

    /// A preset by name. `epsilon_gamma_box` needs the input bounds `low`/`high` (one value or one per channel);
    /// the others ignore them.
    public static func named(_ name: String, low: [Float]? = nil, high: [Float]? = nil) throws -> Composite {
        switch name {
        case "z_dense_zplus_conv": return zDenseZPlusConv
        case "epsilon_plus_flat": return epsilonPlusFlat
        case "epsilon_gamma_box":
            guard let low, let high else {
                throw CoreError.invalidConfiguration(field: "composite 'epsilon_gamma_box'",
                                                     expected: "input bounds low and high", found: "none")
            }
            return epsilonGammaBox(low: low, high: high)
        default:
            throw CoreError.invalidConfiguration(field: "composite", expected: "one of \(presetNames)", found: "'\(name)'")
        }
    }

    public var description: String { "dense: \(dense), conv: \(conv), first conv: \(firstConv)" }
}
