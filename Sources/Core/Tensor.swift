/// A dense float32 tensor in row-major order.
///
/// Shape legend used throughout Core: `N` batch, `C` channels, `H` height, `W` width, `K` classes.
/// Public tensors are NCHW (PyTorch's order); the network keeps its conv activations channel-major (CNHW)
/// internally, see `docs/core.md`.
public struct Tensor: Sendable, Equatable {
    /// Extent of each axis, outermost first.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, last axis fastest.
    public var data: [Float]

    /// Wraps `data`; its count must equal the product of `shape`.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "Tensor: \(data.count) values for shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of values.
    public var count: Int { data.count }
}
