import Randomness

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
        var rng = Xoshiro256StarStar(seed: seed)
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

extension VGG16 {
    /// Data-dependent initialisation (Krähenbühl et al., "Data-dependent Initializations of Convolutional Neural
    /// Networks", ICLR 2016, §3.1): layer by layer from the input up, each output channel's weights are divided by
    /// the standard deviation σ_c of its pre-activation over `batch` and its bias set to −μ_c/σ_c, so every
    /// pre-activation starts with mean 0 and variance 1 on real data. The weights keep their drawn directions
    /// (draw them first, e.g. `he_uniform`). Why: in a plain VGG16 every channel's mean response is shared by all
    /// faces, and after 13 ReLU layers it swamps what tells faces apart, so training sits on the class-prior plateau;
    /// centring each layer on the data removes that common part (a batch normalisation applied once, at the start).
    /// - Parameter batch: training inputs NCHW [N, C, S, S], normalised as in training; N ≥ 2.
    public func initialiseFromData(_ batch: Tensor) throws {
        let n = try checkInput(batch)
        guard n >= 2 else { throw CoreError.invalidData(field: "batch", expected: "at least 2 images for a data-dependent initialisation", found: "\(n)") }
        var x = Layout.cnhwFromNCHW(batch.data, batch: n, channels: configuration.inputChannels,
                                    plane: configuration.inputSize * configuration.inputSize)
        var rng = Xoshiro256StarStar(seed: 0)
        func output(of li: Int, _ input: [Float]) -> [Float] {
            forward(input, batch: n, training: false, record: true, from: li, upTo: li, rng: &rng).outputs[li]
        }
        for li in layers.indices {
            // (weight, bias, channels, relu, layout): conv outputs are CNHW (a channel's values contiguous), dense [N, O].
            let target: (weight: Int, bias: Int, channels: Int, relu: Bool, channelMajor: Bool)
            switch layers[li] {
            case .conv(let c): target = (c.weight, c.bias, c.outChannels, true, true)
            case .dense(let d): target = (d.weight, d.bias, d.outFeatures, d.relu, false)
            case .pool, .flatten, .dropout:
                x = output(of: li, x)
                continue
            }
            update(parameter: target.bias) { $0 = [Float](repeating: 0, count: $0.count) }
            // The pre-activation z = W·x: a fused-ReLU layer gives relu(z); with the weights negated relu(−z); z = the difference.
            var z = output(of: li, x)
            if target.relu {
                update(parameter: target.weight) { w in for i in w.indices { w[i] = -w[i] } }
                let negative = output(of: li, x)
                update(parameter: target.weight) { w in for i in w.indices { w[i] = -w[i] } }
                for i in z.indices { z[i] -= negative[i] }
            }
            let perChannel = z.count / target.channels
            var scale = [Float](repeating: 1, count: target.channels), shift = [Float](repeating: 0, count: target.channels)
            for ch in 0..<target.channels {
                var sum = 0.0, squares = 0.0
                for k in 0..<perChannel {
                    let v = Double(target.channelMajor ? z[ch * perChannel + k] : z[k * target.channels + ch])
                    sum += v
                    squares += v * v
                }
                let mean = sum / Double(perChannel)
                let sd = (max(squares / Double(perChannel) - mean * mean, 0)).squareRoot()
                // A channel silent on the whole batch keeps its weights (nothing to scale by).
                guard sd > 1e-12 else { continue }
                scale[ch] = Float(1 / sd)
                shift[ch] = Float(-mean / sd)
            }
            let fanIn = parameters[target.weight].value.count / target.channels
            update(parameter: target.weight) { w in for i in w.indices { w[i] *= scale[i / fanIn] } }
            update(parameter: target.bias) { $0 = shift }
            x = output(of: li, x)
        }
    }
}
