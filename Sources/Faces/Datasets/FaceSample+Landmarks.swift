extension FaceSample {
    /// The landmarks moved into the model input made from this sample: the crop (clipped to the image, as
    /// `RasterImage.cropped(to:)` does) shifts them, the resize to `width`×`height` scales them.
    /// - Parameters:
    ///   - sourceWidth, sourceHeight: the decoded image's size in pixels.
    ///   - width, height: the model input's size in pixels.
    /// - Returns: 68 points in input pixels (same convention as `landmarks`), or nil when the sample has none.
    public func inputLandmarks(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> [SIMD2<Float>]? {
        guard let landmarks else { return nil }
        var x0 = 0, y0 = 0, x1 = sourceWidth, y1 = sourceHeight
        if let crop {
            x0 = max(crop.x, 0)
            y0 = max(crop.y, 0)
            x1 = min(crop.x + crop.width, sourceWidth)
            y1 = min(crop.y + crop.height, sourceHeight)
        }
        guard x1 > x0, y1 > y0 else { return nil }
        let origin = SIMD2(Float(x0), Float(y0))
        let scale = SIMD2(Float(width) / Float(x1 - x0), Float(height) / Float(y1 - y0))
        return landmarks.map { ($0 - origin) * scale }
    }
}
