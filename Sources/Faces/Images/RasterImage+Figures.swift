/// Heatmaps, overlays and image grids for saliency figures.
extension RasterImage {
    /// A relevance map as an RGB image through the "hot" colour map (0 black → red → yellow → 1 white).
    /// - Parameter values: H×W row-major values, clamped to [0, 1].
    public static func heatmap(_ values: [Float], width: Int, height: Int) -> RasterImage {
        precondition(values.count == width * height, "values must be H×W")
        let plane = width * height
        var pixels = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            let v = min(max(values[i], 0), 1) * 3
            pixels[i] = min(v, 1)
            pixels[plane + i] = min(max(v - 1, 0), 1)
            pixels[2 * plane + i] = min(max(v - 2, 0), 1)
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// This image (as RGB) blended with `top` (resized to this size): `(1 − alpha)·self + alpha·top`.
    public func overlaid(with top: RasterImage, alpha: Float) -> RasterImage {
        precondition((0...1).contains(alpha), "alpha must be in [0, 1]")
        let base = rgb()
        let layer = top.rgb().resized(width: width, height: height)
        var out = base
        for i in out.pixels.indices { out.pixels[i] = (1 - alpha) * base.pixels[i] + alpha * layer.pixels[i] }
        return out
    }

    /// Images laid out row by row in `columns` columns on a `background` canvas, `padding` pixels apart; each cell
    /// is as large as the largest image, smaller images sit at the cell's top left. Grey images become RGB.
    public static func grid(_ images: [RasterImage], columns: Int, padding: Int = 2, background: Float = 1) -> RasterImage {
        precondition(!images.isEmpty && columns > 0 && padding >= 0, "need images, columns > 0, padding ≥ 0")
        let cellWidth = images.map(\.width).max()!, cellHeight = images.map(\.height).max()!
        let rows = (images.count + columns - 1) / columns
        let width = columns * cellWidth + (columns + 1) * padding
        let height = rows * cellHeight + (rows + 1) * padding
        var canvas = RasterImage(width: width, height: height, channels: 3, fill: background)
        for (k, image) in images.enumerated() {
            let source = image.rgb()
            let x0 = padding + (k % columns) * (cellWidth + padding)
            let y0 = padding + (k / columns) * (cellHeight + padding)
            for c in 0..<3 {
                for y in 0..<source.height {
                    for x in 0..<source.width { canvas[c, y0 + y, x0 + x] = source[c, y, x] }
                }
            }
        }
        return canvas
    }
}
