import Foundation

/// The shape of a VGG16: input size and channels, width multiplier, head widths, class count, dropout.
///
/// Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition", 2015
/// (configuration D, as in torchvision's `vgg16` and Keras' `VGG16`, without adaptive pooling).
public struct VGG16Configuration: Sendable, Equatable, Codable {
    /// Convolutions per block in VGG16.
    public static let convsPerBlock = [2, 2, 3, 3, 3]
    /// Full-width channels per block.
    public static let fullChannels = [64, 128, 256, 512, 512]
    /// Block names in order: `block1`…`block5`, then `head`.
    public static let blockNames = ["block1", "block2", "block3", "block4", "block5", "head"]

    /// Height and width of the square input in pixels (at least 32: five 2×2 pools, floor mode).
    public var inputSize: Int
    /// Input channels: 1 (grey) or 3 (RGB).
    public var inputChannels: Int
    /// Multiplier for every conv width (and the head widths when `headWidths` is nil); > 0.
    public var widthMultiplier: Double
    /// Hidden dense widths of the head; nil means 4096·`widthMultiplier` for both.
    public var headWidths: [Int]?
    /// Number of classes of the last dense layer.
    public var classCount: Int
    /// Dropout rate after each hidden dense layer during training (torchvision and Keras: 0.5).
    public var dropout: Float

    /// A configuration; the defaults are torchvision's VGG16 (224 px RGB, full width, 4096-4096 head, 1000 classes).
    public init(inputSize: Int = 224, inputChannels: Int = 3, widthMultiplier: Double = 1, headWidths: [Int]? = nil,
                classCount: Int = 1000, dropout: Float = 0.5) {
        self.inputSize = inputSize
        self.inputChannels = inputChannels
        self.widthMultiplier = widthMultiplier
        self.headWidths = headWidths
        self.classCount = classCount
        self.dropout = dropout
    }

    /// `count`·`widthMultiplier` rounded half up, at least 1.
    public func scaled(_ count: Int) -> Int {
        max(1, Int((Double(count) * widthMultiplier + 0.5).rounded(.down)))
    }

    /// Conv channels of each block, e.g. [16, 32, 64, 128, 128] at width 0.25.
    public var blockChannels: [Int] { Self.fullChannels.map(scaled) }

    /// Hidden dense widths actually used.
    public var resolvedHeadWidths: [Int] { headWidths ?? [scaled(4096), scaled(4096)] }

    /// Side of the last pool's output: the input side halved (floor) five times.
    public var finalSize: Int { (0..<5).reduce(inputSize) { s, _ in s / 2 } }

    /// Inputs of the first dense layer: C₅·H₅·W₅ flattened in C, H, W order.
    public var flattenFeatures: Int { blockChannels[4] * finalSize * finalSize }

    /// JSON with sorted keys, as stored in file metadata: the same bytes in every process (a dictionary's order
    /// is not), so equal weights give equal files and cache digests.
    func canonicalJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Throws when a field is out of range.
    public func validate() throws {
        if inputSize < 32 {
            throw CoreError.invalidConfiguration(field: "input", expected: "at least 32 pixels", found: "\(inputSize)")
        }
        if inputChannels != 1 && inputChannels != 3 {
            throw CoreError.invalidConfiguration(field: "channels", expected: "1 or 3", found: "\(inputChannels)")
        }
        if !(widthMultiplier > 0 && widthMultiplier.isFinite) {
            throw CoreError.invalidConfiguration(field: "width", expected: "a positive number", found: "\(widthMultiplier)")
        }
        if resolvedHeadWidths.contains(where: { $0 < 1 }) {
            throw CoreError.invalidConfiguration(field: "head", expected: "positive widths", found: "\(resolvedHeadWidths)")
        }
        if classCount < 1 {
            throw CoreError.invalidConfiguration(field: "classes", expected: "at least 1", found: "\(classCount)")
        }
        if !(dropout >= 0 && dropout < 1) {
            throw CoreError.invalidConfiguration(field: "dropout", expected: "in [0, 1)", found: "\(dropout)")
        }
    }

    /// Multiply–add FLOPs (2 per multiply–add) of one image's forward pass through convs and dense layers.
    public var forwardFLOPs: Double {
        var total = 0.0, size = inputSize, inC = inputChannels
        for (b, c) in blockChannels.enumerated() {
            for _ in 0..<Self.convsPerBlock[b] {
                total += 2 * Double(c * inC * 9 * size * size)
                inC = c
            }
            size /= 2
        }
        var inF = flattenFeatures
        for o in resolvedHeadWidths + [classCount] {
            total += 2 * Double(inF * o)
            inF = o
        }
        return total
    }
}
