/// A decoded image: planar (C×H×W) `Float` samples in [0, 1], channels 1 (grey) or 3 (RGB).
///
/// Shape legend used throughout Faces: N images, C channels, H rows, W columns; buffers are row-major within
/// a plane, planes in channel order (NCHW for batches).
public struct RasterImage: Equatable, Sendable {
    /// Columns (W).
    public let width: Int
    /// Rows (H).
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// C×H×W samples in [0, 1]; `pixels[(c * height + y) * width + x]`.
    public var pixels: [Float]

    /// An image from planar samples; `pixels.count` must equal `channels * height * width`.
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "image must be non-empty")
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        precondition(pixels.count == width * height * channels, "pixel count must be C×H×W")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image filled with one value per channel.
    public init(width: Int, height: Int, channels: Int, fill: Float = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [Float](repeating: fill, count: width * height * channels))
    }

    /// An image from interleaved (H×W×C) 8-bit samples with 1, 3 or 4 (RGBA, alpha dropped) channels.
    public init(interleaved bytes: [UInt8], width: Int, height: Int, channels sourceChannels: Int) {
        precondition(bytes.count == width * height * sourceChannels, "byte count must be H×W×C")
        precondition([1, 2, 3, 4].contains(sourceChannels), "1, 2, 3 or 4 interleaved channels")
        let outChannels = sourceChannels >= 3 ? 3 : 1
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * outChannels)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<outChannels {
                    for i in 0..<plane { dst[c &* plane &+ i] = Float(src[i &* sourceChannels &+ c]) / 255 }
                }
            }
        }
        self.init(width: width, height: height, channels: outChannels, pixels: out)
    }

    /// Samples rounded to 8 bits, interleaved H×W×C (the layout PNG/JPEG encoders take).
    public func interleavedBytes() -> [UInt8] {
        let plane = width * height
        var out = [UInt8](repeating: 0, count: plane * channels)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for i in 0..<plane {
                        let v = min(max(src[c &* plane &+ i], 0), 1) * 255 + 0.5
                        dst[i &* channels &+ c] = UInt8(v)
                    }
                }
            }
        }
        return out
    }

    /// The sample at channel `c`, row `y`, column `x`.
    @inlinable public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }
}

/// A rectangle in pixel coordinates: columns x..<x+width, rows y..<y+height.
public struct CropBox: Equatable, Hashable, Sendable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Per-channel normalisation applied to [0, 1] samples: `(v - mean[c]) / std[c]`.
public struct Normalization: Equatable, Sendable, Codable {
    /// One mean per channel (or one for all).
    public var mean: [Float]
    /// One standard deviation per channel (or one for all), all > 0.
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(!mean.isEmpty && mean.count == std.count, "mean and std need the same non-zero length")
        precondition(std.allSatisfy { $0 > 0 }, "std must be positive")
        self.mean = mean
        self.std = std
    }

    /// Samples stay in [0, 1].
    public static let unit = Normalization(mean: [0], std: [1])
    /// Samples in [-1, 1].
    public static let symmetric = Normalization(mean: [0.5], std: [0.5])
    /// torchvision's ImageNet statistics (RGB).
    public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Mean and std for channel `c` of an image with `channels` channels.
    @inlinable func parameters(channel c: Int, of channels: Int) -> (mean: Float, std: Float) {
        if mean.count == 1 { return (mean[0], std[0]) }
        if channels == 1 { return (mean.reduce(0, +) / Float(mean.count), std.reduce(0, +) / Float(std.count)) }
        return (mean[c], std[c])
    }
}
