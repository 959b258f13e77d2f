/// What the trainer needs of an optimiser: one update from the model's last gradients, and state that a
/// snapshot stores so that a resumed run continues bit-identically.
public protocol Optimizer: Sendable {
    /// Updates every trainable parameter of `model` that has a gradient from its last backward pass.
    mutating func step(_ model: VGG16)
    /// Per-parameter buffers by name (empty until the first step).
    var buffers: [String: [Float]] { get set }
    /// Updates taken so far.
    var steps: Int { get set }
}

/// Which optimiser a trainer builds (`TrainingOptions.optimizer`).
public enum OptimizerMethod: String, Sendable, Codable, CaseIterable {
    /// `SGD` with `TrainingOptions.momentum`.
    case sgd
    /// `Adam` with Keras' defaults β₁ 0.9, β₂ 0.999, ε 1e-7.
    case adam
}
