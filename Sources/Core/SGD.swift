/// Stochastic gradient descent with optional momentum and L2 weight decay (PyTorch's and Keras' SGD).
///
/// Per trainable parameter w with gradient g: g ← g + λ·w; v ← μ·v + g; w ← w − η·v (with μ = 0: w ← w − η·g).
/// With a constant learning rate this equals Keras' v ← μ·v − η·g; w ← w + v.
public struct SGD: Optimizer, Equatable {
    /// Learning rate η.
    public var learningRate: Float
    /// Momentum μ (Keras' default 0).
    public var momentum: Float
    /// L2 weight decay λ added to the gradient.
    public var weightDecay: Float
    /// Momentum buffers by dotted key (empty while μ = 0).
    public internal(set) var velocity: [String: [Float]] = [:]
    public var steps = 0
    /// The momentum buffers (`velocity`).
    public var buffers: [String: [Float]] {
        get { velocity }
        set { velocity = newValue }
    }

    /// An optimiser with empty momentum buffers.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// Updates every trainable parameter of `model` that has a gradient from its last backward pass.
    public mutating func step(_ model: VGG16) {
        let lr = learningRate, mu = momentum, wd = weightDecay
        steps += 1
        for i in model.parameters.indices where model.freezeDepth.isTrainable(model.parameters[i].block) {
            let g = model.gradients[i]
            if g.isEmpty { continue }
            let key = model.parameters[i].key
            if mu == 0 {
                model.update(parameter: i) { w in
                    for j in w.indices { w[j] -= lr * (wd == 0 ? g[j] : g[j] + wd * w[j]) }
                }
            } else {
                // Taken out of the dictionary, so that updating it in place copies nothing.
                var v = velocity.removeValue(forKey: key) ?? [Float](repeating: 0, count: g.count)
                model.update(parameter: i) { w in
                    for j in w.indices {
                        v[j] = mu * v[j] + (wd == 0 ? g[j] : g[j] + wd * w[j])
                        w[j] -= lr * v[j]
                    }
                }
                velocity[key] = v
            }
        }
    }
}
