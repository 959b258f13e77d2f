/// 2×2 max-pool, stride 2, floor mode (an odd last row/column is dropped), on independent planes.
///
/// Shapes: x [P, H, W] with P = C·N planes (layout-agnostic), y [P, H/2, W/2]. Ties go to the first
/// maximum in row-major window order, as in PyTorch.
enum MaxPool2x2 {
    /// y ← the maximum of each 2×2 window of x.
    static func forward(input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                        planes: Int, height h: Int, width w: Int) {
        let ho = h / 2, wo = w / 2
        Parallel.forEach(planes) { p in
            let src = x + p * h * w, dst = y + p * ho * wo
            for oy in 0..<ho {
                let r0 = src + 2 * oy * w, r1 = r0 + w, d = dst + oy * wo
                for ox in 0..<wo {
                    d[ox] = max(max(r0[2 * ox], r0[2 * ox + 1]), max(r1[2 * ox], r1[2 * ox + 1]))
                }
            }
        }
    }

    /// dx ← dy routed to each window's winner (zero elsewhere, including a dropped odd row/column).
    static func backward(input x: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
                         gradInput dx: UnsafeMutablePointer<Float>, planes: Int, height h: Int, width w: Int) {
        let ho = h / 2, wo = w / 2
        Parallel.forEach(planes) { p in
            let src = x + p * h * w, g = dy + p * ho * wo, d = dx + p * h * w
            d.update(repeating: 0, count: h * w)
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let i0 = 2 * oy * w + 2 * ox
                    var best = i0
                    if src[i0 + 1] > src[best] { best = i0 + 1 }
                    if src[i0 + w] > src[best] { best = i0 + w }
                    if src[i0 + w + 1] > src[best] { best = i0 + w + 1 }
                    d[best] = g[oy * wo + ox]
                }
            }
        }
    }

    // MARK: Naive twin

    /// Serial twin of `forward`, scanning each window in row-major order.
    static func naiveForward(_ x: [Float], planes: Int, height h: Int, width w: Int) -> [Float] {
        let ho = h / 2, wo = w / 2
        var y = [Float](repeating: 0, count: planes * ho * wo)
        for p in 0..<planes {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var m = -Float.infinity
                    for dy in 0..<2 { for dx in 0..<2 { m = max(m, x[(p * h + 2 * oy + dy) * w + 2 * ox + dx]) } }
                    y[(p * ho + oy) * wo + ox] = m
                }
            }
        }
        return y
    }

    /// Serial twin of `backward`.
    static func naiveBackward(_ x: [Float], gradOutput dy: [Float], planes: Int, height h: Int, width w: Int) -> [Float] {
        let ho = h / 2, wo = w / 2
        var dx = [Float](repeating: 0, count: x.count)
        for p in 0..<planes {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var best = -1
                    for dy in 0..<2 {
                        for dxx in 0..<2 {
                            let i = (p * h + 2 * oy + dy) * w + 2 * ox + dxx
                            if best < 0 || x[i] > x[best] { best = i }
                        }
                    }
                    dx[best] += dy[(p * ho + oy) * wo + ox]
                }
            }
        }
        return dx
    }
}
