import Foundation
import Testing
@testable import Faces

struct ImageCodecTests {
    @Test(arguments: [1, 3])
    func pngRoundTripIsExactAt8Bits(channels: Int) throws {
        let image = patternImage(width: 13, height: 7, channels: channels)
        let decoded = try PNGCodec.decode(try PNGCodec.encode(image), path: "mem.png")
        #expect(decoded == image)
        let fast = try PNGCodec.decode(try PNGCodec.encode(image, fast: true), path: "mem.png")
        #expect(fast == image)
    }

    @Test(arguments: [1, 3])
    func pngRoundTripKeeps16BitPrecision(channels: Int) throws {
        var image = RasterImage(width: 9, height: 5, channels: channels)
        for i in image.pixels.indices { image.pixels[i] = Float((i * 7919) % 65536) / 65535 }
        let bytes = try PNGCodec.encode(image, bitDepth: 16)
        #expect(bytes[24] == 16, "IHDR bit depth")
        let decoded = try PNGCodec.decode(bytes, path: "mem.png")
        #expect(decoded == image)
    }

    @Test func rgbaAndGreyAlphaDropAlpha() throws {
        let rgba: [UInt8] = [10, 20, 30, 255, 40, 50, 60, 128]
        let png = try rgba.withUnsafeBytes { try PNGCodec.encode(interleaved: $0, width: 2, height: 1, channels: 4) }
        let decoded = try PNGCodec.decode(png, path: "rgba.png")
        #expect(decoded.channels == 3)
        #expect(decoded.interleavedBytes() == [10, 20, 30, 40, 50, 60])
        let greyAlpha: [UInt8] = [77, 255, 99, 0]
        let png2 = try greyAlpha.withUnsafeBytes { try PNGCodec.encode(interleaved: $0, width: 2, height: 1, channels: 2) }
        #expect(try PNGCodec.decode(png2, path: "ga.png").interleavedBytes() == [77, 99])
    }

    @Test func jpegRoundTripIsClose() throws {
        // A smooth image: JPEG at quality 100 with 4:4:4 chroma reproduces it within a few levels.
        var image = RasterImage(width: 32, height: 24, channels: 3)
        for c in 0..<3 { for y in 0..<24 { for x in 0..<32 { image[c, y, x] = Float(x + y + 10 * c) / 100 } } }
        let decoded = try JPEGCodec.decode(try JPEGCodec.encode(image, quality: 100), path: "mem.jpg")
        #expect(decoded.width == 32 && decoded.height == 24 && decoded.channels == 3)
        let worst = zip(decoded.pixels, image.pixels).map { abs($0 - $1) }.max()!
        #expect(worst <= 4 / 255)
        let grey = image.grey()
        let greyDecoded = try ImageFile.decode(try JPEGCodec.encode(grey, quality: 100), path: "grey.jpg")
        #expect(greyDecoded.channels == 1)
        #expect(zip(greyDecoded.pixels, grey.pixels).map { abs($0 - $1) }.max()! <= 3 / 255)
    }

    @Test func fileReaderSniffsContentAndNamesBadFiles() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let image = patternImage(width: 8, height: 8, channels: 3)
        let png = try PNGCodec.encode(image)
        let jpeg = try JPEGCodec.encode(image)
        // A JPEG stored under a .png name is still read (by signature).
        try Data(jpeg).write(to: dir.path("actually-jpeg.png"))
        #expect(try ImageFile.read(dir.path("actually-jpeg.png")).width == 8)

        try Data(png.prefix(png.count / 2)).write(to: dir.path("truncated.png"))
        try Data(jpeg.prefix(jpeg.count / 2)).write(to: dir.path("truncated.jpg"))
        try Data("hello, not an image".utf8).write(to: dir.path("text.png"))
        try Data().write(to: dir.path("empty.jpg"))
        for name in ["truncated.png", "truncated.jpg", "text.png", "empty.jpg"] {
            let path = dir.path(name).path
            #expect { try ImageFile.read(dir.path(name)) } throws: { error in
                guard case let FacesError.badImage(p, _) = error else { return false }
                return p == path && "\(error)".contains(name)
            }
        }
        #expect { try ImageFile.read(dir.path("missing.png")) } throws: { error in
            guard case let FacesError.unreadableFile(p, reason) = error else { return false }
            return p.hasSuffix("missing.png") && reason == "no such file"
        }
    }
}

struct PNGStoredEncoderTests {
    @Test func checksumsMatchPublishedValues() {
        #expect(PNGStoredEncoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGStoredEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        // Long inputs exercise the modulo reduction: 100 000 bytes of 0xFF.
        var a: UInt64 = 1, b: UInt64 = 0
        for _ in 0..<100_000 { a = (a + 255) % 65521; b = (b + a) % 65521 }
        #expect(PNGStoredEncoder.adler32([UInt8](repeating: 255, count: 100_000)) == UInt32(b << 16 | a))
    }

    @Test(arguments: [(1, 7, 5), (3, 13, 7), (3, 200, 120)])
    func libpngReadsStoredPNGsExactly(channels: Int, width: Int, height: Int) throws {
        // 200×120 RGB needs two stored deflate blocks.
        let image = patternImage(width: width, height: height, channels: channels)
        let bytes = image.interleavedBytes()
        let png = bytes.withUnsafeBytes { PNGStoredEncoder.encode($0, width: width, height: height, channels: channels) }
        #expect(try PNGCodec.decode(png, path: "stored.png") == image)
    }
}
