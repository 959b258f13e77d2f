import Randomness

/// Training and running the dense head alone on precomputed conv features.
///
/// When every conv block is frozen (`frozenBlocks == 5`) and there is no augmentation, the conv part maps each image
/// to the same block-5 output in every epoch: computing it once (`activations(_:after: "block5")`) and training the
/// head on it gives exactly the gradients of a full pass, at a fraction of the cost.
extension VGG16 {
    /// Index of the flatten layer (the head's input is its output).
    private var flattenLayer: Int {
        layers.firstIndex { if case .flatten = $0 { return true } else { return false } }!
    }

    /// The batch size of valid block-5 features NCHW [N, C5, s, s], or a typed error naming the expected shape.
    private func checkFeatures(_ features: Tensor) throws -> Int {
        let c = configuration.blockChannels[4], s = configuration.finalSize
        guard features.shape.count == 4, features.shape[0] > 0, features.shape[1] == c, features.shape[2] == s, features.shape[3] == s else {
            throw CoreError.invalidData(field: "block5 features shape", expected: "[N, \(c), \(s), \(s)]", found: "\(features.shape)")
        }
        return features.shape[0]
    }

    /// Logits [N, K] from block-5 features NCHW [N, C5, s, s] (dropout off); equal to `logits` of the images.
    public func headLogits(features: Tensor) throws -> Tensor {
        let n = try checkFeatures(features)
        var rng = Xoshiro256StarStar(seed: 0)
        let trace = forward(features.data, batch: n, training: false, record: false, from: flattenLayer + 1,
                            upTo: layers.count - 1, rng: &rng)
        return Tensor(shape: [n, configuration.classCount], data: trace.outputs.last!)
    }

    /// One forward and backward pass of the head on block-5 features NCHW [N, C5, s, s]: fills the head's
    /// gradients and returns the loss. Needs all conv blocks frozen (`frozenBlocks == 5`).
    public func computeHeadGradients(features: Tensor, labels: [Int], loss: Loss, training: Bool,
                                     rng: inout Xoshiro256StarStar) throws -> Loss.Evaluation {
        guard freezeDepth == .allConvBlocks else {
            throw CoreError.invalidConfiguration(field: "frozen_blocks", expected: "5 to train the head on features", found: "\(frozenBlocks)")
        }
        let n = try checkFeatures(features)
        try checkTargets(labels: labels, batch: n, loss: loss)
        var trace = forward(features.data, batch: n, training: training, record: true, from: flattenLayer + 1,
                            upTo: layers.count - 1, rng: &rng)
        let evaluation = loss.evaluate(logits: trace.outputs.last!, labels: labels, classes: configuration.classCount)
        backward(trace, gradLogits: evaluation.gradient)
        for i in trace.outputs.indices where i > flattenLayer { pool.give(trace.outputs[i]); trace.outputs[i] = [] }
        return evaluation
    }
}
