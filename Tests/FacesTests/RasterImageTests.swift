import Testing
@testable import Faces

struct RasterImageTests {
    @Test func cropKeepsTheBoxAndClipsToTheImage() throws {
        let image = patternImage(width: 6, height: 5, channels: 3)
        let crop = try image.cropped(to: CropBox(x: 2, y: 1, width: 3, height: 2))
        #expect(crop.width == 3 && crop.height == 2)
        for c in 0..<3 { for y in 0..<2 { for x in 0..<3 { #expect(crop[c, y, x] == image[c, y + 1, x + 2]) } } }
        let clipped = try image.cropped(to: CropBox(x: -2, y: 3, width: 4, height: 10))
        #expect(clipped.width == 2 && clipped.height == 2)
        #expect(clipped[1, 0, 0] == image[1, 3, 0])
        #expect(throws: FacesError.self) { try image.cropped(to: CropBox(x: 6, y: 0, width: 2, height: 2), path: "a.png") }
    }

    @Test func areaShrinkAveragesBlocks() {
        var image = RasterImage(width: 4, height: 4, channels: 1)
        for i in 0..<16 { image.pixels[i] = Float(i) }
        let small = image.resized(width: 2, height: 2)
        #expect(small.pixels == [2.5, 4.5, 10.5, 12.5])
        // 3 → 2 columns: output 0 covers [0, 1.5): (v0 + 0.5 v1) / 1.5.
        let row = RasterImage(width: 3, height: 1, channels: 1, pixels: [3, 6, 9])
        let two = row.resized(width: 2, height: 1)
        #expect(abs(two.pixels[0] - (3 + 0.5 * 6) / 1.5) < 1e-5)
        #expect(abs(two.pixels[1] - (0.5 * 6 + 9) / 1.5) < 1e-5)
    }

    @Test func bilinearEnlargeUsesHalfPixelCentres() {
        let row = RasterImage(width: 2, height: 1, channels: 1, pixels: [0, 1])
        // Output x maps to (x + 0.5) / 2 - 0.5 → -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
        #expect(row.resized(width: 4, height: 1).pixels == [0, 0.25, 0.75, 1])
        let column = RasterImage(width: 1, height: 2, channels: 1, pixels: [0, 1])
        #expect(column.resized(width: 1, height: 4).pixels == [0, 0.25, 0.75, 1])
    }

    @Test func greyRGBAndNormalisation() {
        let image = RasterImage(width: 1, height: 1, channels: 3, pixels: [1, 0.5, 0])
        #expect(abs(image.grey().pixels[0] - (0.299 + 0.587 * 0.5)) < 1e-6)
        let grey = RasterImage(width: 2, height: 1, channels: 1, pixels: [0.2, 0.4])
        #expect(grey.rgb().pixels == [0.2, 0.4, 0.2, 0.4, 0.2, 0.4])
        let n = image.normalized(Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 1]))
        #expect(n == [1, 0, -0.5])
        let g = grey.normalized(.imageNet)
        let mean: Float = (0.485 + 0.456 + 0.406) / 3, std: Float = (0.229 + 0.224 + 0.225) / 3
        #expect(abs(g[0] - (0.2 - mean) / std) < 1e-5)
    }
}
