/// One learnable tensor of a network, named by its dotted key (`block3.conv2.weight`, `head.fc1.bias`).
public struct Parameter: Sendable, Equatable {
    /// Dotted key: the one name used by snapshots, freezing, optimiser state and safetensors files.
    public let key: String
    /// Conv weights [O, C, 3, 3] (OIHW), dense weights [O, I], biases [O].
    public let shape: [Int]
    /// The conv block (1…5) or the head.
    public let block: Block
    /// The values, row-major in `shape`.
    public internal(set) var value: [Float]

    /// The values as a tensor.
    public var tensor: Tensor { Tensor(shape: shape, data: value) }
}

/// How many gradient computations each layer performed since the last `resetCounters()`.
///
/// Freezing is checked with these: a frozen layer never appears, and the lowest trainable layer has
/// a weight-gradient count but no input-gradient count.
public struct WorkCounters: Sendable, Equatable {
    /// Weight (and bias) gradient computations per layer name (`block2.conv1`, `head.fc3`).
    public var weightGradients: [String: Int] = [:]
    /// Input-gradient computations per layer name.
    public var inputGradients: [String: Int] = [:]
}

/// Key names of a weights file: Palimpsest's dotted keys or torchvision's `vgg16` state-dict keys.
public enum WeightNaming: String, Sendable, Codable {
    /// `block1.conv1.weight` … `head.fc3.bias`.
    case dotted
    /// `features.0.weight` … `classifier.6.bias` (conv weights OIHW, linear weights [out, in]).
    case torchvision
}
