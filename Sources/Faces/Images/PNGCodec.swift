import CPNG
import Foundation

/// PNG decoding and encoding through libpng's simplified `png_image_*` API (errors are return values, never
/// longjmp).
public enum PNGCodec {
    /// Decodes 8- or 16-bit grey, grey+alpha, RGB, RGBA or palette PNG bytes to an image in [0, 1].
    ///
    /// Alpha is dropped (16-bit images with alpha come back premultiplied, i.e. composited over black, as the
    /// simplified API delivers them). 16-bit samples keep their precision (divided by 65535).
    /// - Parameter path: names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> RasterImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else {
            let message = Self.message(of: image)
            png_image_free(&image)
            throw FacesError.badImage(path: path, reason: message)
        }
        let colour = image.format & PNG_FORMAT_FLAG_COLOR != 0
        let alpha = image.format & PNG_FORMAT_FLAG_ALPHA != 0
        let sixteen = image.format & PNG_FORMAT_FLAG_LINEAR != 0
        image.format = (colour ? PNG_FORMAT_FLAG_COLOR : 0) | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0)
            | (sixteen ? PNG_FORMAT_FLAG_LINEAR : 0)
        let width = Int(image.width), height = Int(image.height)
        let stored = (colour ? 3 : 1) + (alpha ? 1 : 0)
        let channels = colour ? 3 : 1
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * channels)
        if sixteen {
            var buffer = [UInt16](repeating: 0, count: plane * stored)
            let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw Self.failure(&image, path: path) }
            for c in 0..<channels {
                for i in 0..<plane { out[c * plane + i] = Float(buffer[i * stored + c]) / 65535 }
            }
        } else {
            var buffer = [UInt8](repeating: 0, count: plane * stored)
            let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw Self.failure(&image, path: path) }
            for c in 0..<channels {
                for i in 0..<plane { out[c * plane + i] = Float(buffer[i * stored + c]) / 255 }
            }
        }
        png_image_free(&image)
        return RasterImage(width: width, height: height, channels: channels, pixels: out)
    }

    /// Encodes an image as an 8- or 16-bit grey or RGB PNG.
    /// - Parameters:
    ///   - bitDepth: 8 or 16 (16-bit files are tagged linear, so they decode to the same values).
    ///   - fast: trade file size for speed (libpng's `PNG_IMAGE_FLAG_FAST`).
    public static func encode(_ image: RasterImage, bitDepth: Int = 8, fast: Bool = false) throws -> [UInt8] {
        precondition(bitDepth == 8 || bitDepth == 16, "bit depth must be 8 or 16")
        if bitDepth == 8 {
            let bytes = image.interleavedBytes()
            return try bytes.withUnsafeBufferPointer {
                try encode(interleaved: UnsafeRawBufferPointer($0), width: image.width, height: image.height,
                           channels: image.channels, sixteenBit: false, fast: fast)
            }
        }
        let plane = image.width * image.height
        var words = [UInt16](repeating: 0, count: plane * image.channels)
        for c in 0..<image.channels {
            for i in 0..<plane {
                words[i * image.channels + c] = UInt16(min(max(image.pixels[c * plane + i], 0), 1) * 65535 + 0.5)
            }
        }
        return try words.withUnsafeBytes {
            try encode(interleaved: $0, width: image.width, height: image.height, channels: image.channels,
                       sixteenBit: true, fast: fast)
        }
    }

    /// Encodes interleaved H×W×C samples (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA; 8-bit bytes or native
    /// 16-bit words) as PNG.
    public static func encode(interleaved samples: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int,
                              sixteenBit: Bool = false, fast: Bool = false) throws -> [UInt8] {
        precondition((1...4).contains(channels), "1 to 4 channels")
        precondition(samples.count == width * height * channels * (sixteenBit ? 2 : 1), "sample count must be H×W×C")
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = (channels >= 3 ? PNG_FORMAT_FLAG_COLOR : 0) | (channels % 2 == 0 ? PNG_FORMAT_FLAG_ALPHA : 0)
            | (sixteenBit ? PNG_FORMAT_FLAG_LINEAR : 0)
        image.flags = fast ? UInt32(PNG_IMAGE_FLAG_FAST) : 0
        let raw = samples.count
        var capacity = raw + raw / 8 + height * 8 + 1024
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: capacity)
            var size = capacity
            let ok = out.withUnsafeMutableBytes {
                png_image_write_to_memory(&image, $0.baseAddress, &size, 0, samples.baseAddress, 0, nil)
            }
            if ok != 0 {
                png_image_free(&image)
                out.removeLast(out.count - size)
                return out
            }
            if size <= capacity { break }
            capacity = size
            image.warning_or_error = 0
        }
        throw failure(&image, path: "PNG encoder")
    }

    /// Encodes `image` and writes it to `url` (8- or 16-bit).
    public static func write(_ image: RasterImage, to url: URL, bitDepth: Int = 8, fast: Bool = false) throws {
        let bytes = try encode(image, bitDepth: bitDepth, fast: fast)
        try FileIO.write(bytes, to: url)
    }

    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "libpng error" : text
        }
    }

    private static func failure(_ image: inout png_image, path: String) -> FacesError {
        let message = message(of: image)
        png_image_free(&image)
        return .badImage(path: path, reason: message)
    }
}
