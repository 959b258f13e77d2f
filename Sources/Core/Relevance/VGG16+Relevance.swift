import Foundation

/// Where the relevance of a class starts at the logits.
public enum RelevanceStart: String, Sendable, Codable, CaseIterable {
    /// R = logit_y at the chosen class, 0 elsewhere: the maps add up to (about) the score itself.
    case logit
    /// R = 1 at the chosen class (zennit's usual one-hot start): the maps are the `logit` maps divided by logit_y.
    case one
    /// Contrastive: R_k = ∂p_y/∂logit_k = p_y(δ_yk − p_k) with p the softmax (SGLRP, Iwana et al. 2019), so the
    /// other classes start with negative relevance in proportion to their probability. Every rule is linear in the
    /// relevance from above, so the maps are the `one` maps of each class k weighted by R_k: what speaks for class y
    /// minus what speaks for the classes the model weighs against it. Maps are 0 where p_y rounds to 1.
    case softmaxGradient = "softmax_gradient"
}

/// The relevance maps of one LRP pass over a batch.
public struct RelevanceMaps: Sendable, Equatable {
    /// Relevance of every input value, NCHW [N, C, S, S].
    public var input: Tensor
    /// Relevance arriving at each block's max-pool output, block1…block5: NCHW [N, C_b, S/2^b, S/2^b].
    public var blocks: [Tensor]
    /// The network's logits [N, K] for the batch (dropout off).
    public var logits: Tensor
    /// The relevance each image started with at its class [N] (logit_y, 1 or p_y(1 − p_y)).
    public var start: [Float]
}

/// Layer-wise Relevance Propagation (Bach et al., PLoS ONE 2015; Montavon et al. 2019) through the network.
extension VGG16 {
    /// Input relevance NCHW [N, C, S, S] of class `classes[n]` for each image n of the batch [N, C, S, S].
    ///
    /// Relevance starts at the logits (`start`), goes down each conv and dense layer by the rule `composite` assigns
    /// to its category, through each max-pool to its window's winner (ties: first in row-major order) and unchanged
    /// through ReLU, dropout (off) and flatten.
    public func relevance(input: Tensor, classes: [Int], composite: Composite,
                          start: RelevanceStart = .logit) throws -> Tensor {
        try relevanceMaps(input: input, classes: classes, composite: composite, start: start).input
    }

    /// The input relevance together with the relevance at every block output, the logits and the start values
    /// (see `relevance(input:classes:composite:start:)`).
    public func relevanceMaps(input: Tensor, classes: [Int], composite: Composite,
                              start: RelevanceStart = .logit) throws -> RelevanceMaps {
        let n = try checkInput(input)
        let k = configuration.classCount
        guard classes.count == n else {
            throw CoreError.invalidData(field: "relevance classes", expected: "\(n) classes (one per image)",
                                        found: "\(classes.count)")
        }
        if let bad = classes.first(where: { $0 < 0 || $0 >= k }) {
            throw CoreError.invalidData(field: "relevance class", expected: "in 0..<\(k)", found: "\(bad)")
        }
        try validate(composite)

        var trace = forward(input, batch: n, training: false, record: true, upTo: layers.count - 1)
        let logits = trace.outputs.last!
        var startValues = [Float](repeating: 0, count: n)
        var r = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            let y = classes[i]
            switch start {
            case .logit: r[i * k + y] = logits[i * k + y]
            case .one: r[i * k + y] = 1
            case .softmaxGradient:
                let lse = Softmax.logSumExp(logits, row: i, classes: k)
                let p = (0..<k).map { Foundation.exp(Double(logits[i * k + $0]) - lse) }
                for j in 0..<k { r[i * k + j] = Float(p[y] * ((j == y ? 1 : 0) - p[j])) }
            }
            startValues[i] = r[i * k + y]
        }
        var col = takeColumn()
        defer { column = col }
        var blocks: [Tensor] = []
        r = walkDown(trace, from: r, through: 0, dense: { _, d, x, r in
            let op = LinearOperator(shape: .dense(inFeatures: d.inFeatures, outFeatures: d.outFeatures), batch: n)
            let next = RulePropagation.propagate(
                rule: composite.dense, operator: op, input: x, weight: parameters[d.weight].value,
                bias: parameters[d.bias].value, relevance: r, column: &col, pool: &pool)
            pool.give(r)
            r = next
        }, conv: { li, c, x, r in
            let op = LinearOperator(shape: .conv(inChannels: c.inChannels, outChannels: c.outChannels, size: c.size),
                                    batch: n, kernel: kernel(for: c))
            let next = RulePropagation.propagate(
                rule: li == 0 ? composite.firstConv : composite.conv, operator: op, input: x,
                weight: parameters[c.weight].value, bias: parameters[c.bias].value, relevance: r,
                column: &col, pool: &pool)
            pool.give(r)
            r = next
        }, pooled: { p, r in
            let s = p.size / 2
            blocks.append(Tensor(shape: [n, p.channels, s, s],
                                 data: Layout.nchwFromCNHW(r, batch: n, channels: p.channels, plane: s * s)))
        })
        let side = configuration.inputSize, channels = configuration.inputChannels
        let result = Tensor(shape: [n, channels, side, side],
                            data: Layout.nchwFromCNHW(r, batch: n, channels: channels, plane: side * side))
        pool.give(r)
        for i in trace.outputs.indices { pool.give(trace.outputs[i]); trace.outputs[i] = [] }
        return RelevanceMaps(input: result, blocks: blocks.reversed(), logits: Tensor(shape: [n, k], data: logits),
                             start: startValues)
    }

    /// Throws unless every rule of `composite` fits the layer it applies to.
    func validate(_ composite: Composite) throws {
        try composite.firstConv.validate(inputChannels: configuration.inputChannels, layer: "the first conv")
        try composite.conv.validate(inputChannels: configuration.blockChannels[0], layer: "conv layers")
        if case .zB(let low, _) = composite.conv, low.count != 1 {
            throw CoreError.invalidConfiguration(field: "zB bounds of conv layers", expected: "one low and one high value",
                                                 found: "\(low.count) values")
        }
        try composite.dense.validate(inputChannels: configuration.flattenFeatures, layer: "dense layers")
        if case .zB(let low, _) = composite.dense, low.count != 1 {
            throw CoreError.invalidConfiguration(field: "zB bounds of dense layers", expected: "one low and one high value",
                                                 found: "\(low.count) values")
        }
    }
}

extension Tensor {
    /// The sum over the channel axis of an NCHW tensor: [N, C, H, W] → [N, H, W] (e.g. a relevance map per image).
    public func summedOverChannels() throws -> Tensor {
        guard shape.count == 4 else {
            throw CoreError.invalidData(field: "tensor to sum over channels", expected: "4 axes [N, C, H, W]",
                                        found: "\(shape)")
        }
        let n = shape[0], c = shape[1], plane = shape[2] * shape[3]
        var out = [Float](repeating: 0, count: n * plane)
        for i in 0..<n {
            for ch in 0..<c {
                let base = (i * c + ch) * plane
                for p in 0..<plane { out[i * plane + p] += data[base + p] }
            }
        }
        return Tensor(shape: [n, shape[2], shape[3]], data: out)
    }
}
