import Foundation

/// Adam (Kingma & Ba 2015) as Keras and PyTorch implement it, with L2 weight decay added to the gradient.
///
/// Per trainable parameter w with gradient g, at step t = 1, 2, …: g ← g + λ·w; m ← β₁·m + (1−β₁)·g;
/// v ← β₂·v + (1−β₂)·g²; w ← w − η·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
/// Plain VGG16 (no normalisation layers) trained from scratch leaves SGD's loss plateau far sooner with Adam.
public struct Adam: Optimizer, Equatable {
    /// Learning rate η.
    public var learningRate: Float
    /// Decay of the first moment β₁.
    public var beta1: Float
    /// Decay of the second moment β₂.
    public var beta2: Float
    /// ε added to √v̂ (Keras' default 1e-7; PyTorch's 1e-8).
    public var epsilon: Float
    /// L2 weight decay λ added to the gradient.
    public var weightDecay: Float
    /// First moments `m.<key>` and second moments `v.<key>` by dotted parameter key.
    public var buffers: [String: [Float]] = [:]
    /// Updates taken so far (t of the bias corrections).
    public var steps = 0

    /// An optimiser with empty moments.
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func step(_ model: VGG16) {
        steps += 1
        let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        let c1 = 1 - Float(pow(Double(b1), Double(steps))), c2 = 1 - Float(pow(Double(b2), Double(steps)))
        let lr = learningRate / c1, rc2 = 1 / c2
        for i in model.parameters.indices where model.freezeDepth.isTrainable(model.parameters[i].block) {
            let g = model.gradients[i]
            if g.isEmpty { continue }
            let key = model.parameters[i].key
            // Taken out of the dictionary, so that updating them in place copies nothing.
            var m = buffers.removeValue(forKey: "m." + key) ?? [Float](repeating: 0, count: g.count)
            var v = buffers.removeValue(forKey: "v." + key) ?? [Float](repeating: 0, count: g.count)
            model.update(parameter: i) { w in
                g.withUnsafeBufferPointer { g in w.withUnsafeMutableBufferPointer { w in
                    m.withUnsafeMutableBufferPointer { m in v.withUnsafeMutableBufferPointer { v in
                        for j in 0..<w.count {
                            let gj = wd == 0 ? g[j] : g[j] + wd * w[j]
                            m[j] = b1 * m[j] + (1 - b1) * gj
                            v[j] = b2 * v[j] + (1 - b2) * gj * gj
                            w[j] -= lr * m[j] / ((v[j] * rc2).squareRoot() + eps)
                        }
                    } }
                } }
            }
            buffers["m." + key] = m
            buffers["v." + key] = v
        }
    }
}
