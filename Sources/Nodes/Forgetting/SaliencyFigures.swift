import Faces
import Foundation

/// The figures of `diff_saliency` and `concept_candidates`: heatmaps, overlays, per-class grids, AU areas.
enum SaliencyFigures {
    /// Figures are drawn at least this many pixels wide per image (small model inputs are enlarged).
    static let minimumCell = 128

    /// A difference map through a blue–white–red colour map: 0 blue, 0.5 white (no difference), 1 red.
    /// - Parameter values: H×W row-major values, clamped to [0, 1].
    static func diverging(_ values: ArraySlice<Float>, width: Int, height: Int) -> RasterImage {
        precondition(values.count == width * height, "values must be H×W")
        let plane = width * height
        var pixels = [Float](repeating: 0, count: 3 * plane)
        for (i, raw) in values.enumerated() {
            let v = min(max(raw, 0), 1)
            let toward = abs(v - 0.5) * 2
            // White fades to red above 0.5 and to blue below.
            pixels[i] = v >= 0.5 ? 1 : 1 - toward
            pixels[plane + i] = 1 - toward
            pixels[2 * plane + i] = v <= 0.5 ? 1 : 1 - toward
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// A relevance map in [0, 1] through the "hot" colour map.
    static func heat(_ values: ArraySlice<Float>, width: Int, height: Int) -> RasterImage {
        RasterImage.heatmap(Array(values), width: width, height: height)
    }

    /// The image enlarged by an integer factor to at least `minimumCell` pixels wide.
    static func enlarged(_ image: RasterImage) -> RasterImage {
        let factor = max(1, (minimumCell + image.width - 1) / image.width)
        return image.resized(width: image.width * factor, height: image.height * factor)
    }

    /// A grid with one column per image and the rows input | A | B | A−B (relevance overlaid on the face).
    /// - Parameters:
    ///   - inputs: the model inputs in [0, 1].
    ///   - a, b, diff: per image the H×W maps.
    ///   - centredDifference: `diff` has 0.5 = no difference (blue–white–red); else it is drawn "hot".
    static func grid(inputs: [RasterImage], a: [ArraySlice<Float>], b: [ArraySlice<Float>], diff: [ArraySlice<Float>],
                     centredDifference: Bool = true) -> RasterImage {
        precondition(!inputs.isEmpty && [a.count, b.count, diff.count].allSatisfy { $0 == inputs.count }, "one map of each kind per image")
        let w = inputs[0].width, h = inputs[0].height
        var cells = inputs.map(enlarged)
        for maps in [a, b] {
            cells += zip(inputs, maps).map { enlarged($0.overlaid(with: heat($1, width: w, height: h), alpha: 0.7)) }
        }
        cells += zip(inputs, diff).map {
            let colours = centredDifference ? diverging($1, width: w, height: h) : heat($1, width: w, height: h)
            return enlarged($0.overlaid(with: colours, alpha: 0.7))
        }
        return RasterImage.grid(cells, columns: inputs.count, padding: 4)
    }

    /// A distinct colour per AU area (RGB in [0, 1]), in `ActionUnitRegion.allCases` order; the docs list them.
    static let regionColours: [SIMD3<Float>] = [
        [0.90, 0.10, 0.10], [0.10, 0.45, 0.95], [0.95, 0.55, 0.05], [0.10, 0.70, 0.20],
        [0.60, 0.20, 0.80], [0.95, 0.90, 0.10], [0.05, 0.80, 0.80], [0.90, 0.20, 0.70],
    ]

    /// The face with each AU area tinted in its colour (half transparent).
    static func regions(_ image: RasterImage, landmarks: [SIMD2<Float>]) -> RasterImage {
        var out = image.rgb()
        let plane = out.width * out.height
        for (r, region) in ActionUnitRegion.allCases.enumerated() {
            let colour = regionColours[r]
            for (i, inside) in region.mask(landmarks, width: out.width, height: out.height).enumerated() where inside {
                for c in 0..<3 { out.pixels[c * plane + i] = 0.5 * out.pixels[c * plane + i] + 0.5 * colour[c] }
            }
        }
        return enlarged(out)
    }
}
