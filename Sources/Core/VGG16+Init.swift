/// How fresh weights are drawn.
public enum WeightInit: String, Sendable, CaseIterable {
    /// Keras' default: U(±√(6/(fan_in+fan_out))), zero biases (what `VGG16(configuration:seed:)` draws).
    case glorotUniform = "glorot_uniform"
    /// He et al. 2015: U(±√(6/fan_in)), zero biases; keeps the signal's scale through ReLU layers, so a VGG16
    /// without normalisation trains from scratch (Glorot shrinks it about 2× per layer).
    case heUniform = "he_uniform"
}

extension VGG16 {
    /// Redraws every weight with `scheme` and zeroes every bias, from `seed`.
    public func initialise(_ scheme: WeightInit, seed: UInt64) throws {
        var rng = RandomGenerator(seed: seed)
        for p in parameters {
            if p.shape.count == 1 {
                try setParameter(p.key, Tensor(shape: p.shape, data: [Float](repeating: 0, count: p.value.count)))
                continue
            }
            // Weights are [out, in, 3, 3] or [out, in]: fan_in = in·k², fan_out = out·k².
            let receptive = p.shape.dropFirst(2).reduce(1, *)
            let fanIn = p.shape[1] * receptive, fanOut = p.shape[0] * receptive
            let limit = Float((6.0 / Double(scheme == .heUniform ? fanIn : fanIn + fanOut)).squareRoot())
            let values = (0..<p.value.count).map { _ in (2 * rng.nextUnitFloat() - 1) * limit }
            try setParameter(p.key, Tensor(shape: p.shape, data: values))
        }
    }
}
