import Foundation
import Randomness

/// VGG16 (configuration D): five conv blocks of 2, 2, 3, 3, 3 3×3 convolutions with ReLU, each ending in a
/// 2×2 max-pool, then a head of dense layers (ReLU, dropout) and the class layer.
///
/// Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition", ICLR 2015.
/// Public inputs are NCHW [N, C, S, S] float32; conv activations are kept channel-major (CNHW) inside,
/// so every convolution is one wide GEMM over the whole batch (see `docs/core.md`). The last pool's
/// output is flattened in PyTorch's C, H, W order with no adaptive pooling, as torchvision's classifier expects
/// at 224 px. Parameters start with Keras' defaults: Glorot-uniform weights and zero biases.
public final class VGG16 {
    /// The network's shape (its `classCount` changes with `replaceHead`).
    public private(set) var configuration: VGG16Configuration
    /// Every parameter in execution order: conv weights and biases block by block, then the head.
    public private(set) var parameters: [Parameter]
    /// The frozen conv blocks, counted from the input: no gradients, no updates, no backward work.
    public var freezeDepth = FreezeDepth.none
    /// `freezeDepth` as a count; setting one outside 0…5 is a programmer error.
    public var frozenBlocks: Int {
        get { freezeDepth.blocks }
        set { freezeDepth = FreezeDepth(checked: newValue) }
    }
    /// Gradient work done per layer since `resetCounters()`.
    public private(set) var counters = WorkCounters()
    /// ∂loss/∂input NCHW [N, C, S, S] from the last `computeGradients(…, inputGradient: true)`, else nil.
    public private(set) var inputGradient: Tensor?
    /// The kernel of every conv layer, or nil for the faster one per layer shape (`ConvolutionKernel.preferred`).
    public var convolutionKernel: ConvolutionKernel?

    var layers: [Layer]
    /// Gradients by parameter index; empty for parameters the last backward pass did not touch.
    var gradients: [[Float]]
    /// The reusable im2col buffer.
    var column: [Float] = []
    /// Activation and gradient buffers reused across passes (and by the relevance pass).
    var pool = BufferPool()
    private var indexByKey: [String: Int]

    /// A freshly initialised network: Glorot-uniform weights and zero biases drawn from `seed`.
    public init(configuration: VGG16Configuration, seed: UInt64) throws {
        try configuration.validate()
        self.configuration = configuration
        var rng = Xoshiro256StarStar(seed: seed)
        var layers: [Layer] = []
        var params: [Parameter] = []
        var size = configuration.inputSize, inC = configuration.inputChannels
        for (b, c) in configuration.blockChannels.enumerated() {
            for j in 0..<VGG16Configuration.convsPerBlock[b] {
                let name = "block\(b + 1).conv\(j + 1)"
                let w = params.count
                params.append(Self.glorot(key: name + ".weight", shape: [c, inC, 3, 3], block: .conv(b + 1),
                                          fanIn: inC * 9, fanOut: c * 9, rng: &rng))
                params.append(Parameter(key: name + ".bias", shape: [c], block: .conv(b + 1), value: [Float](repeating: 0, count: c)))
                layers.append(.conv(.init(name: name, block: b + 1, inChannels: inC, outChannels: c, size: size,
                                          weight: w, bias: w + 1)))
                inC = c
            }
            layers.append(.pool(.init(block: b + 1, channels: c, size: size)))
            size /= 2
        }
        layers.append(.flatten(.init(channels: inC, size: size)))
        Self.appendHead(configuration, layers: &layers, parameters: &params, rng: &rng)
        self.layers = layers
        self.parameters = params
        self.gradients = Array(repeating: [], count: params.count)
        self.indexByKey = Dictionary(uniqueKeysWithValues: params.enumerated().map { ($1.key, $0) })
    }

    /// A network with the same configuration, values and frozen blocks (gradients and counters are not copied).
    public func copy() -> VGG16 {
        VGG16(copying: self)
    }

    private init(copying other: VGG16) {
        configuration = other.configuration
        parameters = other.parameters
        freezeDepth = other.freezeDepth
        convolutionKernel = other.convolutionKernel
        layers = other.layers
        gradients = Array(repeating: [], count: other.parameters.count)
        indexByKey = other.indexByKey
    }

    /// Replaces the whole head (every dense layer) by a freshly initialised one ending in `classCount` classes.
    public func replaceHead(classCount: Int, seed: UInt64) throws {
        var config = configuration
        config.classCount = classCount
        try config.validate()
        configuration = config
        let firstHead = layers.firstIndex { if case .flatten = $0 { return true } else { return false } }! + 1
        layers.removeSubrange(firstHead...)
        parameters.removeAll { $0.block == .head }
        var rng = Xoshiro256StarStar(seed: seed)
        Self.appendHead(config, layers: &layers, parameters: &parameters, rng: &rng)
        gradients = Array(repeating: [], count: parameters.count)
        indexByKey = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ($1.key, $0) })
    }

    private static func appendHead(_ config: VGG16Configuration, layers: inout [Layer], parameters: inout [Parameter],
                                   rng: inout Xoshiro256StarStar) {
        var inF = config.flattenFeatures
        let widths = config.resolvedHeadWidths + [config.classCount]
        for (i, o) in widths.enumerated() {
            let name = "head.fc\(i + 1)", hidden = i < widths.count - 1
            let w = parameters.count
            parameters.append(glorot(key: name + ".weight", shape: [o, inF], block: .head, fanIn: inF, fanOut: o, rng: &rng))
            parameters.append(Parameter(key: name + ".bias", shape: [o], block: .head, value: [Float](repeating: 0, count: o)))
            layers.append(.dense(.init(name: name, inFeatures: inF, outFeatures: o, relu: hidden, weight: w, bias: w + 1)))
            if hidden { layers.append(.dropout(.init(rate: config.dropout))) }
            inF = o
        }
    }

    private static func glorot(key: String, shape: [Int], block: Block, fanIn: Int, fanOut: Int,
                               rng: inout Xoshiro256StarStar) -> Parameter {
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        let values = (0..<shape.reduce(1, *)).map { _ in (2 * rng.nextUnitFloat() - 1) * limit }
        return Parameter(key: key, shape: shape, block: block, value: values)
    }

    // MARK: Parameters by key

    /// Dotted keys of every parameter, in execution order.
    public var parameterKeys: [String] { parameters.map(\.key) }

    /// The parameter with dotted key `key`, or nil.
    public func parameter(_ key: String) -> Tensor? {
        indexByKey[key].map { parameters[$0].tensor }
    }

    /// The gradient of `key` from the last `computeGradients`, or nil when that pass did not compute it (frozen).
    public func gradient(_ key: String) -> Tensor? {
        guard let i = indexByKey[key], !gradients[i].isEmpty else { return nil }
        return Tensor(shape: parameters[i].shape, data: gradients[i])
    }

    /// Whether `key` belongs to a trainable (not frozen) block.
    public func isTrainable(_ key: String) -> Bool {
        guard let i = indexByKey[key] else { return false }
        return freezeDepth.isTrainable(parameters[i].block)
    }

    /// Replaces the values of `key`; the shape must match. `source` names the origin in errors.
    public func setParameter(_ key: String, _ tensor: Tensor, source: String = "parameter") throws {
        guard let i = indexByKey[key] else { throw CoreError.missingTensor(tensor: key, file: source) }
        guard tensor.shape == parameters[i].shape else {
            throw CoreError.shapeMismatch(tensor: key, expected: parameters[i].shape, found: tensor.shape, file: source)
        }
        parameters[i].value = tensor.data
    }

    /// Adds `delta`·`scale` to parameter `i` (used by the optimiser).
    func update(parameter i: Int, _ body: (inout [Float]) -> Void) {
        body(&parameters[i].value)
    }

    /// Zeroes the work counters.
    public func resetCounters() { counters = WorkCounters() }

    /// Frees the activation, gradient and im2col buffers kept for the next pass (they are rebuilt on demand).
    public func releaseBuffers() {
        pool.removeAll()
        column = []
        for i in gradients.indices { gradients[i] = [] }
    }

    /// torchvision's `vgg16` state-dict name of each dotted key (`block1.conv1.weight` → `features.0.weight`,
    /// `head.fc1.weight` → `classifier.0.weight`).
    public var torchvisionNames: [String: String] {
        var names: [String: String] = [:]
        var feature = 0, dense = 0
        for layer in layers {
            switch layer {
            case .conv(let c):
                names[c.name + ".weight"] = "features.\(feature).weight"
                names[c.name + ".bias"] = "features.\(feature).bias"
                feature += 2
            case .pool: feature += 1
            case .dense(let d):
                names[d.name + ".weight"] = "classifier.\(dense).weight"
                names[d.name + ".bias"] = "classifier.\(dense).bias"
                dense += 3
            case .flatten, .dropout: break
            }
        }
        return names
    }

    // MARK: Inference

    /// Logits [N, K] for a batch [N, C, S, S] (dropout off).
    public func logits(_ input: Tensor) throws -> Tensor {
        let n = try checkInput(input)
        let trace = forward(input, batch: n, training: false, record: false, upTo: layers.count - 1)
        return Tensor(shape: [n, configuration.classCount], data: trace.outputs.last!)
    }

    /// Class probabilities [N, K] (softmax of the logits) for a batch [N, C, S, S].
    public func probabilities(_ input: Tensor) throws -> Tensor {
        let z = try logits(input)
        return Tensor(shape: z.shape, data: Softmax.softmax(z.data, classes: configuration.classCount))
    }

    /// Activations after a named block for a batch [N, C, S, S] (dropout off).
    ///
    /// `block1`…`block5` give the block's max-pool output NCHW [N, C_b, S/2^b, S/2^b]; `head` gives the logits [N, K].
    public func activations(_ input: Tensor, after block: String) throws -> Tensor {
        guard let b = VGG16Configuration.blockNames.firstIndex(of: block) else {
            throw CoreError.invalidConfiguration(field: "block", expected: "one of \(VGG16Configuration.blockNames)",
                                                 found: "'\(block)'")
        }
        if b == 5 { return try logits(input) }
        let n = try checkInput(input)
        let last = layers.firstIndex { if case .pool(let p) = $0 { return p.block == b + 1 } else { return false } }!
        guard case .pool(let p) = layers[last] else { preconditionFailure() }
        let trace = forward(input, batch: n, training: false, record: false, upTo: last)
        let s = p.size / 2
        return Tensor(shape: [n, p.channels, s, s],
                      data: Layout.nchwFromCNHW(trace.outputs.last!, batch: n, channels: p.channels, plane: s * s))
    }

    /// Throws unless there are `batch` labels in 0..<K and the loss has K class weights (or none).
    func checkTargets(labels: [Int], batch n: Int, loss: Loss) throws {
        let k = configuration.classCount
        guard labels.count == n else {
            throw CoreError.invalidData(field: "labels", expected: "\(n) labels", found: "\(labels.count)")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= k }) {
            throw CoreError.invalidData(field: "label", expected: "in 0..<\(k)", found: "\(bad)")
        }
        if let w = loss.classWeights, w.count != k {
            throw CoreError.invalidData(field: "class weights", expected: "\(k) values", found: "\(w.count)")
        }
    }

    /// The batch size of a valid input, or a typed error naming the expected shape.
    func checkInput(_ input: Tensor) throws -> Int {
        let c = configuration.inputChannels, s = configuration.inputSize
        guard input.shape.count == 4, input.shape[1] == c, input.shape[2] == s, input.shape[3] == s, input.shape[0] > 0 else {
            throw CoreError.invalidData(field: "input batch shape", expected: "[N, \(c), \(s), \(s)]", found: "\(input.shape)")
        }
        return input.shape[0]
    }

    // MARK: Training

    /// One forward and backward pass: fills the gradients of the trainable parameters and returns the loss.
    ///
    /// - Parameters:
    ///   - input: NCHW [N, C, S, S].
    ///   - labels: N classes in 0..<K.
    ///   - training: dropout on (masks drawn from `rng`); false gives eval-mode gradients.
    ///   - inputGradient: also backpropagate through frozen layers to the input (`inputGradient`), for
    ///     saliency; frozen layers still get no weight gradients.
    public func computeGradients(input: Tensor, labels: [Int], loss: Loss, training: Bool,
                                 rng: inout Xoshiro256StarStar, inputGradient: Bool = false) throws -> Loss.Evaluation {
        let n = try checkInput(input)
        let k = configuration.classCount
        try checkTargets(labels: labels, batch: n, loss: loss)
        var trace = forward(input, batch: n, training: training, record: true, upTo: layers.count - 1, rng: &rng)
        let evaluation = loss.evaluate(logits: trace.outputs.last!, labels: labels, classes: k)
        backward(trace, gradLogits: evaluation.gradient, toInput: inputGradient)
        for i in trace.outputs.indices { pool.give(trace.outputs[i]); trace.outputs[i] = [] }
        return evaluation
    }

    /// Index of the lowest layer whose parameters train.
    var lowestTrainableLayer: Int {
        layers.firstIndex { layer in
            switch layer {
            case .conv(let c): return freezeDepth.isTrainable(.conv(c.block))
            case .dense: return true
            default: return false
            }
        }!
    }

    // MARK: Forward and backward passes

    /// What a forward pass kept: the CNHW input and each layer's output (all of them when recorded).
    struct Trace {
        var batch: Int
        var input: [Float]
        var outputs: [[Float]]
        var masks: [Int: [Float]] = [:]
    }

    func forward(_ input: Tensor, batch n: Int, training: Bool, record: Bool, upTo last: Int) -> Trace {
        var rng = Xoshiro256StarStar(seed: 0)
        return forward(input, batch: n, training: training, record: record, upTo: last, rng: &rng)
    }

    /// Runs layers 0...last. With `record`, every output is kept (for backward or relevance passes).
    func forward(_ input: Tensor, batch n: Int, training: Bool, record: Bool, upTo last: Int,
                 rng: inout Xoshiro256StarStar) -> Trace {
        let x0 = Layout.cnhwFromNCHW(input.data, batch: n, channels: configuration.inputChannels,
                                     plane: configuration.inputSize * configuration.inputSize)
        return forward(x0, batch: n, training: training, record: record, from: 0, upTo: last, rng: &rng)
    }

    /// Runs layers first...last on `x0`, the input of layer `first` in the layer's own layout (CNHW for conv and
    /// pool layers, NCHW rows for dense layers). Outputs of the skipped layers are empty, except that a recorded
    /// trace keeps `x0` as the output of layer first−1 (what a backward pass reads as the first layer's input).
    func forward(_ x0: [Float], batch n: Int, training: Bool, record: Bool, from first: Int, upTo last: Int,
                 rng: inout Xoshiro256StarStar) -> Trace {
        var trace = Trace(batch: n, input: record && first == 0 ? x0 : [], outputs: Array(repeating: [], count: first))
        if record && first > 0 { trace.outputs[first - 1] = x0 }
        var col = takeColumn()
        defer { column = col }
        var x = x0
        for li in first...last {
            var y: [Float]
            switch layers[li] {
            case .conv(let c):
                let plane = c.size * c.size
                y = pool.take(c.outChannels * n * plane)
                let kernel = self.kernel(for: c)
                let need = kernel.workspaceCount(inChannels: c.inChannels, outChannels: c.outChannels, batch: n, size: c.size)
                if col.count < need { col = [Float](repeating: 0, count: need) }
                let w = parameters[c.weight].value, b = parameters[c.bias].value
                x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in col.withUnsafeMutableBufferPointer { cp in
                        kernel.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                       output: yp.baseAddress!, inChannels: c.inChannels, outChannels: c.outChannels,
                                       batch: n, size: c.size, relu: true, workspace: cp.baseAddress!)
                    } }
                } } }
            case .pool(let p):
                let s = p.size / 2
                y = pool.take(p.channels * n * s * s)
                x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    MaxPool2x2.forward(input: xp.baseAddress!, output: yp.baseAddress!, planes: p.channels * n,
                                       height: p.size, width: p.size)
                } }
            case .flatten(let f):
                y = Layout.nchwFromCNHW(x, batch: n, channels: f.channels, plane: f.size * f.size)
            case .dense(let d):
                y = pool.take(n * d.outFeatures)
                let w = parameters[d.weight].value, b = parameters[d.bias].value
                x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        DenseKernel.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                            output: yp.baseAddress!, batch: n, inFeatures: d.inFeatures,
                                            outFeatures: d.outFeatures, relu: d.relu)
                    }
                } } }
            case .dropout(let d):
                y = x
                if training && d.rate > 0 {
                    let mask = Dropout.mask(count: y.count, rate: d.rate, rng: &rng)
                    Dropout.apply(&y, mask: mask)
                    trace.masks[li] = mask
                }
            }
            if record || li == last { trace.outputs.append(y) } else { trace.outputs.append([]) }
            // Without a record the layer's input is dead now: its buffer serves a later layer.
            if !record { pool.give(x) }
            x = y
        }
        return trace
    }

    /// Backpropagates `gradLogits` [N, K] down to the lowest trainable layer (or to the input when `toInput`),
    /// filling `gradients` of trainable parameters only.
    func backward(_ trace: Trace, gradLogits: [Float], toInput: Bool = false) {
        let n = trace.batch
        let lowest = lowestTrainableLayer
        for i in parameters.indices where !freezeDepth.isTrainable(parameters[i].block) { gradients[i] = [] }
        inputGradient = nil
        var col = takeColumn()
        defer { column = col }
        let g = walkDown(trace, from: gradLogits, through: toInput ? 0 : lowest, dense: { li, d, x, g in
            let needInput = toInput || li > lowest
            if d.relu {
                trace.outputs[li].withUnsafeBufferPointer { yp in g.withUnsafeMutableBufferPointer { gp in
                    ReLU.backward(output: yp.baseAddress!, grad: gp.baseAddress!, count: gp.count)
                } }
            }
            var dw = takeGradient(d.weight), db = takeGradient(d.bias)
            var dx = needInput ? pool.take(n * d.inFeatures) : []
            let w = parameters[d.weight].value
            x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
                dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                    dx.withUnsafeMutableBufferPointer { dxp in
                        DenseKernel.backward(input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!,
                                             gradWeight: dwp.baseAddress!, gradBias: dbp.baseAddress!,
                                             gradInput: needInput ? dxp.baseAddress! : nil, batch: n,
                                             inFeatures: d.inFeatures, outFeatures: d.outFeatures)
                    }
                } }
            } } }
            gradients[d.weight] = dw
            gradients[d.bias] = db
            counters.weightGradients[d.name, default: 0] += 1
            if needInput { counters.inputGradients[d.name, default: 0] += 1 }
            pool.give(g)
            g = dx
        }, conv: { li, c, x, g in
            let needInput = toInput || li > lowest
            trace.outputs[li].withUnsafeBufferPointer { yp in g.withUnsafeMutableBufferPointer { gp in
                ReLU.backward(output: yp.baseAddress!, grad: gp.baseAddress!, count: gp.count)
            } }
            let kernel = self.kernel(for: c)
            let need = kernel.workspaceCount(inChannels: c.inChannels, outChannels: c.outChannels, batch: n, size: c.size)
            if col.count < need { col = [Float](repeating: 0, count: need) }
            let train = freezeDepth.isTrainable(.conv(c.block))
            var dw = train ? takeGradient(c.weight) : [], db = train ? takeGradient(c.bias) : []
            var dx = needInput ? pool.take(c.inChannels * n * c.size * c.size) : []
            let w = parameters[c.weight].value
            x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
                dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                    dx.withUnsafeMutableBufferPointer { dxp in col.withUnsafeMutableBufferPointer { cp in
                        kernel.backward(input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!,
                                        gradWeight: train ? dwp.baseAddress! : nil,
                                        gradBias: train ? dbp.baseAddress! : nil,
                                        gradInput: needInput ? dxp.baseAddress! : nil, inChannels: c.inChannels,
                                        outChannels: c.outChannels, batch: n, size: c.size,
                                        workspace: cp.baseAddress!)
                    } }
                } }
            } } }
            if train {
                gradients[c.weight] = dw
                gradients[c.bias] = db
                counters.weightGradients[c.name, default: 0] += 1
            }
            if needInput { counters.inputGradients[c.name, default: 0] += 1 }
            pool.give(g)
            g = dx
        })
        if toInput {
            inputGradient = Tensor(shape: [n, configuration.inputChannels, configuration.inputSize, configuration.inputSize],
                                   data: Layout.nchwFromCNHW(g, batch: n, channels: configuration.inputChannels,
                                                             plane: configuration.inputSize * configuration.inputSize))
        }
    }

    /// The walk down the layers from the top that backward and relevance passes share: `signal` (gradient or
    /// relevance, [N, K] at the logits) goes from the last layer down through layer `lowest`.
    /// - Dense and conv layers are the pass's own (`dense`, `conv`: layer index, layer, its recorded input, and the
    ///   signal at its output, which they replace in place, so that no copy is made, by the signal at its input,
    ///   giving the old buffer back to the pool).
    /// - Max-pools route the signal to each window's winner (ties: first in row-major order); `pooled` sees the
    ///   signal arriving at each max-pool output (CNHW) first.
    /// - Flatten changes the layout (NCHW rows → CNHW); dropout applies its recorded mask (none outside training).
    /// Returns the signal at the input of layer `lowest`.
    func walkDown(_ trace: Trace, from signal: [Float], through lowest: Int,
                  dense: (Int, Layer.Dense, [Float], inout [Float]) -> Void,
                  conv: (Int, Layer.Conv, [Float], inout [Float]) -> Void,
                  pooled: (Layer.Pool, [Float]) -> Void = { _, _ in }) -> [Float] {
        let n = trace.batch
        var g = signal
        for li in stride(from: layers.count - 1, through: lowest, by: -1) {
            let x = li == 0 ? trace.input : trace.outputs[li - 1]
            switch layers[li] {
            case .dense(let d):
                dense(li, d, x, &g)
            case .dropout:
                if let mask = trace.masks[li] { Dropout.apply(&g, mask: mask) }
            case .flatten(let f):
                g = Layout.cnhwFromNCHW(g, batch: n, channels: f.channels, plane: f.size * f.size)
            case .pool(let p):
                pooled(p, g)
                var dx = pool.take(p.channels * n * p.size * p.size)
                x.withUnsafeBufferPointer { xp in g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { dxp in
                    MaxPool2x2.backward(input: xp.baseAddress!, gradOutput: gp.baseAddress!, gradInput: dxp.baseAddress!,
                                        planes: p.channels * n, height: p.size, width: p.size)
                } } }
                pool.give(g)
                g = dx
            case .conv(let c):
                conv(li, c, x, &g)
            }
        }
        return g
    }

    /// The gradient buffer of parameter `i` (its previous one when the size fits, so no new memory is touched).
    private func takeGradient(_ i: Int) -> [Float] {
        var b: [Float] = []
        swap(&b, &gradients[i])
        if b.count == parameters[i].value.count { return b }
        pool.give(b)
        return pool.take(parameters[i].value.count)
    }

    /// The kernel that computes conv layer `c`.
    func kernel(for c: Layer.Conv) -> ConvolutionKernel {
        convolutionKernel ?? .preferred(inChannels: c.inChannels, outChannels: c.outChannels, size: c.size)
    }

    func takeColumn() -> [Float] {
        var col: [Float] = []
        swap(&col, &column)
        return col
    }
}

/// One step of the network in execution order.
enum Layer {
    /// 3×3 conv (stride 1, padding 1) + bias + ReLU; input [inChannels, N, size, size] CNHW.
    case conv(Conv)
    /// 2×2 max-pool ending block `block`; input [channels, N, size, size].
    case pool(Pool)
    /// [C, N, size, size] → [N, C·size·size] in C, H, W feature order.
    case flatten(Flatten)
    /// Dense layer [N, inFeatures] → [N, outFeatures], ReLU when hidden.
    case dense(Dense)
    /// Inverted dropout during training, identity otherwise.
    case dropout(DropoutSpec)

    struct Conv { var name: String; var block: Int; var inChannels: Int; var outChannels: Int; var size: Int; var weight: Int; var bias: Int }
    struct Pool { var block: Int; var channels: Int; var size: Int }
    struct Flatten { var channels: Int; var size: Int }
    struct Dense { var name: String; var inFeatures: Int; var outFeatures: Int; var relu: Bool; var weight: Int; var bias: Int }
    struct DropoutSpec { var rate: Float }
}
