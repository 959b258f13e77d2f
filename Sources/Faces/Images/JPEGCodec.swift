import CTurboJPEG
import Foundation

/// JPEG decoding and encoding through TurboJPEG (8-bit grey or RGB).
public enum JPEGCodec {
    /// Decodes JPEG bytes to a grey (for greyscale JPEGs) or RGB image in [0, 1].
    /// Truncated or corrupt data (including libjpeg warnings such as a premature end) is an error.
    /// - Parameter path: names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> RasterImage {
        guard let handle = tjInitDecompress() else { throw FacesError.badImage(path: path, reason: "TurboJPEG init failed") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colourspace)
        }
        guard header == 0, width > 0, height > 0 else { throw FacesError.badImage(path: path, reason: errorText(handle)) }
        let grey = subsampling == Int32(TJSAMP_GRAY.rawValue)
        let channels = grey ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let status = bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(src.count), dst.baseAddress, width, 0, height,
                              grey ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), 0)
            }
        }
        guard status == 0 else { throw FacesError.badImage(path: path, reason: errorText(handle)) }
        return RasterImage(interleaved: pixels, width: Int(width), height: Int(height), channels: channels)
    }

    /// Encodes an image as a baseline JPEG at `quality` (1…100); grey images are written as greyscale JPEGs,
    /// RGB ones with 4:4:4 chroma (no subsampling).
    public static func encode(_ image: RasterImage, quality: Int = 95) throws -> [UInt8] {
        precondition((1...100).contains(quality), "quality must be 1…100")
        guard let handle = tjInitCompress() else { throw FacesError.writeFailed(path: "JPEG encoder", reason: "TurboJPEG init failed") }
        defer { tjDestroy(handle) }
        let bytes = image.interleavedBytes()
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let grey = image.channels == 1
        let status = bytes.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height),
                        grey ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), &output, &size,
                        grey ? Int32(TJSAMP_GRAY.rawValue) : Int32(TJSAMP_444.rawValue), Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else { throw FacesError.writeFailed(path: "JPEG encoder", reason: errorText(handle)) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "TurboJPEG error" }
        return String(cString: text)
    }
}
