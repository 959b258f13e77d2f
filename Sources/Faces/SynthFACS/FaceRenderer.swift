import Foundation

/// A rendered synthetic face: interleaved 8-bit pixels and its 68 landmarks.
public struct RenderedFace: Sendable {
    /// Width and height in pixels.
    public let size: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// H×W×C interleaved samples.
    public let pixels: [UInt8]
    /// iBUG 68 points in continuous pixel coordinates (origin at the top-left corner of the top-left pixel).
    public let landmarks: [SIMD2<Float>]

    /// The pixels as a planar [0, 1] image.
    public var image: RasterImage { RasterImage(interleaved: pixels, width: size, height: size, channels: channels) }
}

/// Rasterises `FaceGeometry` with analytic anti-aliasing (coverage from distances, no supersampling).
public enum FaceRenderer {
    /// Renders one face.
    /// - Parameters:
    ///   - size: width and height in pixels (48…224 is the intended range; any size ≥ 16 works).
    ///   - channels: 3 for RGB, 1 for grey (BT.601 luma of the RGB rendering).
    public static func render(identity: FaceIdentity, aus: AUIntensities, nuisance: FaceNuisance,
                              size: Int, channels: Int = 3) -> RenderedFace {
        precondition(size >= 16, "size must be at least 16 pixels")
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        let geometry = FaceGeometry(identity: identity, aus: aus)
        let frame = Frame(size: size, nuisance: nuisance)
        var pixels = [UInt8](repeating: 0, count: size * size * channels)
        pixels.withUnsafeMutableBufferPointer { out in
            Raster(geometry: geometry, frame: frame, nuisance: nuisance).fill(out, size: size, channels: channels)
        }
        let landmarks = geometry.landmarks().map { frame.toPixel($0) }
        return RenderedFace(size: size, channels: channels, pixels: pixels, landmarks: landmarks)
    }
}

/// The similarity transform between face coordinates and pixels.
struct Frame {
    let scale: Float
    let cx: Float, cy: Float
    let cosA: Float, sinA: Float

    init(size: Int, nuisance: FaceNuisance) {
        scale = Float(size) * 0.43 * nuisance.scale
        cx = Float(size) * (0.5 + nuisance.shiftX)
        cy = Float(size) * (0.5 + nuisance.shiftY) + 0.03 * scale
        let angle = nuisance.rotation * .pi / 180
        cosA = cosf(angle)
        sinA = sinf(angle)
    }

    @inline(__always) func toFace(_ px: Float, _ py: Float) -> SIMD2<Float> {
        let x = (px - cx) / scale, y = (py - cy) / scale
        return [cosA * x + sinA * y, -sinA * x + cosA * y]
    }

    @inline(__always) func toPixel(_ p: SIMD2<Float>) -> SIMD2<Float> {
        [cx + scale * (cosA * p.x - sinA * p.y), cy + scale * (sinA * p.x + cosA * p.y)]
    }
}

/// The per-pixel shading of one face.
private struct Raster {
    let g: FaceGeometry
    let frame: Frame
    let nuisance: FaceNuisance
    /// Pixels per face unit.
    let s: Float
    let strokeBoxes: [SIMD4<Float>]
    let blobBoxes: [SIMD4<Float>]

    init(geometry: FaceGeometry, frame: Frame, nuisance: FaceNuisance) {
        g = geometry
        self.frame = frame
        self.nuisance = nuisance
        s = frame.scale
        let pad = 1.5 / frame.scale
        strokeBoxes = geometry.strokes.map {
            let r = $0.halfWidth + pad
            return SIMD4(min($0.a.x, $0.b.x) - r, min($0.a.y, $0.b.y) - r, max($0.a.x, $0.b.x) + r, max($0.a.y, $0.b.y) + r)
        }
        blobBoxes = geometry.blobs.map {
            SIMD4($0.centre.x - 2.5 * $0.radii.x, $0.centre.y - 2.5 * $0.radii.y, $0.centre.x + 2.5 * $0.radii.x, $0.centre.y + 2.5 * $0.radii.y)
        }
    }

    @inline(__always) func cover(_ signedDistance: Float) -> Float { min(max(0.5 - signedDistance * s, 0), 1) }

    @inline(__always) func inside(_ box: SIMD4<Float>, _ p: SIMD2<Float>) -> Bool {
        p.x >= box.x && p.y >= box.y && p.x <= box.z && p.y <= box.w
    }

    func fill(_ out: UnsafeMutableBufferPointer<UInt8>, size: Int, channels: Int) {
        var noiseState = UInt32(truncatingIfNeeded: nuisance.noiseSeed | 1)
        let noiseAmplitude = nuisance.noise * 2.449
        let inverseSize = 1 / Float(size)
        for py in 0..<size {
            for px in 0..<size {
                let p = frame.toFace(Float(px) + 0.5, Float(py) + 0.5)
                var colour = nuisance.background
                    + nuisance.backgroundGradient.x * (Float(px) * inverseSize - 0.5)
                    + nuisance.backgroundGradient.y * (Float(py) * inverseSize - 0.5)
                colour = shade(p, over: colour)
                colour = (colour - 0.5) * nuisance.contrast + 0.5 + nuisance.brightness
                var rgb = SIMD3<Float>()
                for c in 0..<3 {
                    noiseState ^= noiseState << 13
                    noiseState ^= noiseState >> 17
                    noiseState ^= noiseState << 5
                    let a = Float(noiseState & 0xFFFF) * (1 / 65536)
                    let b = Float(noiseState >> 16) * (1 / 65536)
                    rgb[c] = colour[c] + (a + b - 1) * noiseAmplitude
                }
                let index = (py &* size &+ px) &* channels
                if channels == 3 {
                    for c in 0..<3 { out[index &+ c] = UInt8(min(max(rgb[c], 0), 1) * 255 + 0.5) }
                } else {
                    let luma = 0.299 * rgb.x + 0.587 * rgb.y + 0.114 * rgb.z
                    out[index] = UInt8(min(max(luma, 0), 1) * 255 + 0.5)
                }
            }
        }
    }

    /// The colour at face point p over the background colour.
    @inline(__always) func shade(_ p: SIMD2<Float>, over background: SIMD3<Float>) -> SIMD3<Float> {
        let id = g.identity
        var colour = background
        // Hair mass behind the head, above the eyes.
        if p.y < id.eyeY + 0.1 {
            let hx = p.x / (id.faceHalfWidth * 1.1), hy = (p.y + 0.06) / (id.faceHalfHeight * 1.04)
            let d = ((hx * hx + hy * hy).squareRoot() - 1) * id.faceHalfWidth
            let cov = cover(d) * min(max((id.eyeY + 0.1 - p.y) * s * 0.3, 0), 1)
            if cov > 0 { colour += (id.hair - colour) * cov }
        }
        let skinCover = cover(g.headDistance(p))
        guard skinCover > 0 else { return colour }
        let nx = p.x / id.faceHalfWidth, ny = p.y / id.faceHalfHeight
        var skin = id.skin * (1 - 0.22 * (nx * nx + ny * ny) + 0.05 * ny)
        let hairline = id.hairline + 0.3 * nx * nx
        if p.y < hairline + 2 / s {
            skin += (id.hair - skin) * min(max((hairline - p.y) * s + 0.5, 0), 1)
        }
        for i in g.blobs.indices where inside(blobBoxes[i], p) {
            let b = g.blobs[i]
            let dx = (p.x - b.centre.x) / b.radii.x, dy = (p.y - b.centre.y) / b.radii.y
            let w = b.strength * expf(-(dx * dx + dy * dy))
            skin += (b.colour * skin.max() - skin) * w
        }
        for i in g.strokes.indices where inside(strokeBoxes[i], p) {
            let st = g.strokes[i]
            let ab = st.b - st.a, ap = p - st.a
            let t = min(max((ap.x * ab.x + ap.y * ab.y) / max(ab.x * ab.x + ab.y * ab.y, 1e-12), 0), 1)
            let q = ap - ab * t
            let d = (q.x * q.x + q.y * q.y).squareRoot() - st.halfWidth
            skin *= 1 - st.darkness * cover(d)
        }
        skin = nostrils(p, skin)
        for brow in g.brows { skin = self.brow(brow, p, skin) }
        for eye in g.eyes { skin = self.eye(eye, p, skin) }
        skin = mouth(p, skin)
        return colour + (skin - colour) * skinCover
    }

    @inline(__always) func nostrils(_ p: SIMD2<Float>, _ skin: SIMD3<Float>) -> SIMD3<Float> {
        let dy = (p.y - g.nostrilY) / 0.017
        guard abs(dy) < 2 else { return skin }
        var out = skin
        for side: Float in [-1, 1] {
            let dx = (p.x - side * g.nostrilHalfSpread) / 0.033
            let d = ((dx * dx + dy * dy).squareRoot() - 1) * 0.017
            out *= 1 - 0.65 * cover(d)
        }
        return out
    }

    @inline(__always) func brow(_ b: FaceGeometry.Brow, _ p: SIMD2<Float>, _ skin: SIMD3<Float>) -> SIMD3<Float> {
        let ax = b.side * p.x
        guard ax > b.innerX - 0.04, ax < b.outerX + 0.04 else { return skin }
        let length = b.outerX - b.innerX
        let t = (ax - b.innerX) / length
        let tc = min(max(t, 0), 1)
        let centre = b.innerY + (b.outerY - b.innerY) * tc - b.arch * 4 * tc * (1 - tc)
        let half = b.thickness * (0.5 - 0.18 * tc)
        guard abs(p.y - centre) < half + 0.05 else { return skin }
        let d = max(abs(p.y - centre) - half, max(-t, t - 1) * length)
        let cov = cover(d) * 0.9
        return skin + (g.identity.brow - skin) * cov
    }

    @inline(__always) func eye(_ e: FaceGeometry.Eye, _ p: SIMD2<Float>, _ skin: SIMD3<Float>) -> SIMD3<Float> {
        let ex = p.x - e.centre.x, ey = p.y - e.centre.y
        guard abs(ex) < e.halfWidth * 1.15 + 2 / s, ey > -(e.crease + 0.04), ey < e.lower + 0.04 else { return skin }
        var out = skin
        // Lid crease (fixed by identity: AU5 changes the opening, not the fold).
        let tc = ex / (e.halfWidth * 1.1)
        let qc = max(1 - tc * tc, 0)
        if qc > 0 { out *= 1 - 0.25 * qc * cover(abs(ey + e.crease * qc.squareRoot()) - 0.006) }
        let lid = g.lids(e, ex)
        guard lid.q > 0 else { return out }
        let opening = min(cover(lid.upper - ey), cover(ey - lid.lower))
        if opening > 0 {
            let t = ex / e.halfWidth
            var inner = SIMD3<Float>(0.93, 0.91, 0.89) * (1 - 0.18 * t * t)
            let ic = SIMD2<Float>(ex, ey - 0.15 * g.identity.eyeOpening)
            let r = (ic.x * ic.x + ic.y * ic.y).squareRoot()
            let irisCover = cover(r - e.irisRadius)
            if irisCover > 0 {
                var iris = g.identity.iris * (0.8 + 0.4 * r / e.irisRadius)
                iris *= 1 - 0.9 * cover(r - 0.45 * e.irisRadius)
                inner += (iris - inner) * irisCover
            }
            out += (inner - out) * opening
        }
        // Lash line along the upper lid (the closed lid line under AU43); a faint lower lid margin.
        let lash = cover(abs(ey - lid.upper) - 0.009 * (0.4 + 0.6 * lid.q))
        out *= 1 - 0.75 * lash
        out *= 1 - 0.2 * cover(abs(ey - lid.lower) - 0.004) * (1 - e.closure)
        return out
    }

    @inline(__always) func mouth(_ p: SIMD2<Float>, _ skin: SIMD3<Float>) -> SIMD3<Float> {
        let m = g.mouth
        guard p.x > -m.cornerX[0] - 0.02, p.x < m.cornerX[1] + 0.02 else { return skin }
        let top = min(m.cornerY[0], m.cornerY[1], m.centreY) - m.upperThickness - m.upperRaise - 0.03
        let bottom = max(m.cornerY[0], m.cornerY[1], m.centreY) + m.gap + m.lowerThickness + 0.03
        guard p.y > top, p.y < bottom else { return skin }
        let l = g.lips(p.x)
        let corner = p.x < 0 ? m.cornerX[0] : m.cornerX[1]
        let cap = cover((l.t - 1) * corner)
        let lipCover = min(cover(l.outerUpper - p.y), cover(p.y - l.outerLower)) * cap
        var out = skin
        if lipCover > 0 {
            let lip = g.identity.lip * (p.y < (l.innerUpper + l.innerLower) * 0.5 ? 0.88 : 1.0)
            out += (lip - out) * lipCover
        }
        let line: Float = 0.006
        let innerCover = min(cover(l.innerUpper - line - p.y), cover(p.y - l.innerLower - line)) * cap
        if innerCover > 0 {
            var inside = SIMD3<Float>(0.22, 0.07, 0.07)
            if m.gap > 0.01 {
                let teeth = min(m.gap * 0.5, 0.035)
                let teethCover = min(cover(l.innerUpper - p.y), cover(p.y - l.innerUpper - teeth))
                inside += (SIMD3<Float>(0.9, 0.88, 0.82) - inside) * teethCover
            }
            out += (inside - out) * innerCover
        }
        return out
    }
}
