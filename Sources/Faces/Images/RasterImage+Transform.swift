/// Cropping, resizing, colour conversion and normalisation.
extension RasterImage {
    /// The part of the image inside `box`, clipped to the image; throws when they do not overlap.
    /// - Parameter path: names the source file in the error.
    public func cropped(to box: CropBox, path: String = "image") throws -> RasterImage {
        let x0 = max(box.x, 0), y0 = max(box.y, 0)
        let x1 = min(box.x + box.width, width), y1 = min(box.y + box.height, height)
        guard x1 > x0, y1 > y0 else { throw FacesError.badCrop(path: path, box: box, width: width, height: height) }
        let w = x1 - x0, h = y1 - y0
        var out = [Float](repeating: 0, count: channels * w * h)
        for c in 0..<channels {
            for y in 0..<h {
                let src = (c * height + y0 + y) * width + x0
                let dst = (c * h + y) * w
                out[dst..<dst + w] = pixels[src..<src + w]
            }
        }
        return RasterImage(width: w, height: h, channels: channels, pixels: out)
    }

    /// The image resampled to `width`×`height`; per axis, area averaging when shrinking and bilinear
    /// interpolation (pixel centres at +0.5) when enlarging, like OpenCV's INTER_AREA / INTER_LINEAR.
    public func resized(width newWidth: Int, height newHeight: Int) -> RasterImage {
        precondition(newWidth > 0 && newHeight > 0, "target size must be positive")
        if newWidth == width && newHeight == height { return self }
        let xTaps = ResampleTaps(source: width, target: newWidth)
        let yTaps = ResampleTaps(source: height, target: newHeight)
        var horizontal = [Float](repeating: 0, count: channels * height * newWidth)
        pixels.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { dst in
                for row in 0..<(channels * height) {
                    let s = row &* width, d = row &* newWidth
                    for x in 0..<newWidth {
                        var acc: Float = 0
                        for t in xTaps.range(x) { acc += src[s &+ xTaps.index[t]] * xTaps.weight[t] }
                        dst[d &+ x] = acc
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: channels * newHeight * newWidth)
        horizontal.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for y in 0..<newHeight {
                        let d = (c &* newHeight &+ y) &* newWidth
                        for t in yTaps.range(y) {
                            let s = (c &* height &+ yTaps.index[t]) &* newWidth
                            let w = yTaps.weight[t]
                            for x in 0..<newWidth { dst[d &+ x] += src[s &+ x] * w }
                        }
                    }
                }
            }
        }
        return RasterImage(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// Grey (ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B); grey images are returned unchanged.
    public func grey() -> RasterImage {
        if channels == 1 { return self }
        let plane = width * height
        var out = [Float](repeating: 0, count: plane)
        for i in 0..<plane {
            out[i] = 0.299 * pixels[i] + 0.587 * pixels[plane + i] + 0.114 * pixels[2 * plane + i]
        }
        return RasterImage(width: width, height: height, channels: 1, pixels: out)
    }

    /// RGB (grey replicated into three planes); RGB images are returned unchanged.
    public func rgb() -> RasterImage {
        if channels == 3 { return self }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels + pixels + pixels)
    }

    /// The image with `channels` channels (1 or 3).
    public func converted(toChannels target: Int) -> RasterImage {
        precondition(target == 1 || target == 3, "channels must be 1 or 3")
        return target == 1 ? grey() : rgb()
    }

    /// Planar C×H×W samples after per-channel normalisation (the model's input layout).
    public func normalized(_ normalization: Normalization) -> [Float] {
        var out = pixels
        let plane = width * height
        for c in 0..<channels {
            let (mean, std) = normalization.parameters(channel: c, of: channels)
            let inv = 1 / std
            for i in (c * plane)..<((c + 1) * plane) { out[i] = (out[i] - mean) * inv }
        }
        return out
    }
}

/// Per-output-position source indices and weights for one axis of a separable resize.
struct ResampleTaps {
    /// Source index of each tap.
    var index: [Int] = []
    /// Weight of each tap (the taps of one output position sum to 1).
    var weight: [Float] = []
    /// Start of each output position's taps in `index`/`weight`, plus a final end marker.
    var start: [Int] = [0]

    init(source: Int, target: Int) {
        if target < source {
            // Area: output pixel i covers source interval [i·s, (i+1)·s), weights are the overlaps / s.
            let scale = Double(source) / Double(target)
            for i in 0..<target {
                let lo = Double(i) * scale, hi = Double(i + 1) * scale
                var j = Int(lo.rounded(.down))
                while Double(j) < hi - 1e-9 && j < source {
                    let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                    if overlap > 1e-9 {
                        index.append(j)
                        weight.append(Float(overlap / scale))
                    }
                    j += 1
                }
                start.append(index.count)
            }
        } else {
            // Bilinear with half-pixel centres, clamped at the borders.
            let scale = Double(source) / Double(target)
            for i in 0..<target {
                let s = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(source - 1))
                let j = Int(s.rounded(.down))
                let t = s - Double(j)
                index.append(j)
                weight.append(Float(1 - t))
                if t > 0 && j + 1 < source {
                    index.append(j + 1)
                    weight.append(Float(t))
                }
                start.append(index.count)
            }
        }
    }

    @inline(__always) func range(_ i: Int) -> Range<Int> { start[i]..<start[i + 1] }
}
