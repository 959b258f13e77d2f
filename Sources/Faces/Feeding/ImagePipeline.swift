import Foundation

/// How a sample becomes a model input: decode, crop, convert channels, resize, (augment), normalise.
public struct ImagePipeline: Equatable, Sendable {
    /// Model input width and height, pixels.
    public var width: Int
    public var height: Int
    /// 1 or 3.
    public var channels: Int
    public var normalization: Normalization

    public init(size: Int, channels: Int = 3, normalization: Normalization = .unit) {
        self.init(width: size, height: size, channels: channels, normalization: normalization)
    }

    public init(width: Int, height: Int, channels: Int, normalization: Normalization) {
        precondition(width > 0 && height > 0, "size must be positive")
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        self.width = width
        self.height = height
        self.channels = channels
        self.normalization = normalization
    }

    /// Floats per image (C×H×W).
    public var imageLength: Int { channels * height * width }

    /// The decoded, cropped, channel-converted and resized image in [0, 1] (before augmentation and normalisation).
    public func load(_ sample: FaceSample) throws -> RasterImage {
        var image = try ImageFile.read(sample.image)
        if let crop = sample.crop { image = try image.cropped(to: crop, path: sample.image.path) }
        return image.converted(toChannels: channels).resized(width: width, height: height)
    }
}
