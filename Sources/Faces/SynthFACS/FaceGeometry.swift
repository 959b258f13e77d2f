import Foundation

/// The shapes of one face after its action units are applied, in face coordinates (see `FaceIdentity`).
///
/// Each AU moves or adds shapes only within its own facial region; `FaceRenderer` rasterises these shapes and
/// `landmarks()` reads the 68 iBUG points off them.
struct FaceGeometry {
    /// A darkening line segment (wrinkle, crease, fold).
    struct Stroke {
        var a: SIMD2<Float>, b: SIMD2<Float>
        var halfWidth: Float
        var darkness: Float
    }

    /// A soft elliptical tint (cheek colour, highlights, dimples).
    struct Blob {
        var centre: SIMD2<Float>
        var radii: SIMD2<Float>
        var colour: SIMD3<Float>
        var strength: Float
    }

    struct Eye {
        var centre: SIMD2<Float>
        var halfWidth: Float
        var upper: Float
        var lower: Float
        /// 0 open … 1 closed (AU43).
        var closure: Float
        var irisRadius: Float
        /// Lid crease height above the axis (fixed by identity).
        var crease: Float
    }

    struct Brow {
        /// -1 for the brow on the image's left, +1 on the right.
        var side: Float
        var innerX: Float, outerX: Float
        var innerY: Float, outerY: Float
        var arch: Float
        var thickness: Float
    }

    struct Mouth {
        var centreY: Float
        /// Index 0: the image's left corner (subject's right), 1: the image's right corner.
        var cornerX: SIMD2<Float>
        var cornerY: SIMD2<Float>
        var upperThickness: Float
        var lowerThickness: Float
        /// Opening at the centre between the inner lips.
        var gap: Float
        var upperRaise: Float
        var lowerRaise: Float
    }

    var identity: FaceIdentity
    var jawDrop: Float
    var eyes: [Eye] = []
    var brows: [Brow] = []
    var mouth: Mouth
    var nostrilY: Float
    var nostrilHalfSpread: Float
    var strokes: [Stroke] = []
    var blobs: [Blob] = []

    init(identity id: FaceIdentity, aus: AUIntensities) {
        identity = id
        func k(_ unit: ActionUnit) -> Float { min(max(aus[unit], 0), 5) / 5 }
        func k(_ unit: ActionUnit, _ side: FaceSide) -> Float { min(max(aus[unit, side], 0), 5) / 5 }
        let au1 = k(.au1), au2 = k(.au2), au4 = k(.au4), au5 = k(.au5), au6 = k(.au6), au7 = k(.au7)
        let au9 = k(.au9), au10 = k(.au10), au15 = k(.au15), au17 = k(.au17), au20 = k(.au20), au23 = k(.au23)
        let au25 = k(.au25), au26 = k(.au26)
        // Any coded AU43 (≥ 1) closes the eyes; fractional values on the way to a peak close them partly.
        let closure: Float = aus[.au43] > 0 ? min(1, 0.8 + 0.2 * aus[.au43]) : 0
        jawDrop = 0.09 * au26

        // Eyes (AU5 raises the upper lid above the iris; AU7 tightens; AU6 pushes the lower lid up; AU43 closes).
        for side: Float in [-1, 1] {
            let asym = side > 0 ? id.asymmetry : 0
            let centre = SIMD2<Float>(side * id.eyeSpacing, id.eyeY + asym)
            let upper = id.eyeOpening * (1 + 1.5 * au5) * (1 - 0.35 * au7)
            let lower = id.eyeOpening * 0.75 * (1 - 0.6 * au7) * (1 - 0.35 * au6)
            eyes.append(Eye(centre: centre, halfWidth: id.eyeHalfWidth, upper: upper, lower: lower, closure: closure,
                            irisRadius: id.irisRadius, crease: id.eyeOpening * 2.1 + 0.012))
            // AU7 raises and straightens the lower lid into a bulge with a furrow beneath (FACS: "lower lid bulge").
            if au7 > 0 {
                blobs.append(Blob(centre: centre + [0, lower + 0.02], radii: [0.1, 0.022], colour: [1, 1, 1], strength: 0.3 * au7))
                strokes.append(Stroke(a: centre + [-0.8 * id.eyeHalfWidth, lower + 0.045], b: centre + [0.8 * id.eyeHalfWidth, lower + 0.045],
                                      halfWidth: 0.013, darkness: 0.4 * au7))
            }
        }

        // Brows (AU1 inner raise, AU2 outer raise, AU4 lower and knit).
        for side: Float in [-1, 1] {
            let asym = side > 0 ? id.asymmetry : 0
            let base = id.eyeY + asym - id.browGap
            brows.append(Brow(side: side, innerX: 0.09 - 0.035 * au4, outerX: id.eyeSpacing + id.eyeHalfWidth + 0.03,
                              innerY: base - 0.075 * au1 + 0.07 * au4, outerY: base + 0.01 - 0.1 * au2 + 0.03 * au4,
                              arch: id.browArch, thickness: id.browThickness * (1 + 0.15 * au4)))
        }
        let browBase = id.eyeY - id.browGap
        if au4 > 0 {
            for side: Float in [-1, 1] {
                strokes.append(Stroke(a: [side * 0.035, browBase + 0.04], b: [side * 0.028, browBase + 0.13],
                                      halfWidth: 0.011, darkness: 0.45 * au4))
            }
        }
        if au1 > 0 {
            for row: Float in [0, 1] {
                let y = browBase - 0.14 - 0.07 * row
                strokes.append(Stroke(a: [-0.14, y + 0.01], b: [0.14, y + 0.01], halfWidth: 0.009, darkness: 0.3 * au1))
            }
        }
        if au2 > 0 {
            for side: Float in [-1, 1] {
                let y = browBase - 0.12
                strokes.append(Stroke(a: [side * 0.24, y + 0.02], b: [side * 0.44, y + 0.05], halfWidth: 0.013, darkness: 0.4 * au2))
            }
        }

        // Cheeks (AU6 lifts and swells them, adds crow's feet and the infraorbital furrow).
        for side: Float in [-1, 1] {
            let centre = SIMD2<Float>(side * (id.eyeSpacing + 0.07), id.eyeY + 0.27 - 0.07 * au6)
            blobs.append(Blob(centre: centre, radii: [0.13, 0.09], colour: [0.9, 0.35, 0.35],
                              strength: id.cheekTint + 0.12 * au6))
            if au6 > 0 {
                blobs.append(Blob(centre: centre + [0, -0.02], radii: [0.11, 0.06], colour: [1, 1, 1], strength: 0.18 * au6))
                let corner = SIMD2<Float>(side * (id.eyeSpacing + id.eyeHalfWidth + 0.025), id.eyeY)
                for angle: Float in [-0.45, 0, 0.45] {
                    let dir = SIMD2<Float>(side * cosf(angle), sinf(angle))
                    strokes.append(Stroke(a: corner, b: corner + dir * 0.09, halfWidth: 0.009, darkness: 0.45 * au6))
                }
                let y = id.eyeY + id.eyeOpening + 0.05
                strokes.append(Stroke(a: [side * (id.eyeSpacing - 0.09), y], b: [side * (id.eyeSpacing + 0.08), y + 0.015],
                                      halfWidth: 0.009, darkness: 0.35 * au6))
            }
        }

        // Nose (AU9 wrinkles the bridge and lifts the nostrils).
        nostrilY = id.noseY - 0.03 * au9
        nostrilHalfSpread = id.noseHalfWidth * (0.55 + 0.12 * au9)
        blobs.append(Blob(centre: [0, id.noseY - 0.05 - 0.02 * au9], radii: [0.06, 0.05], colour: [1, 1, 1], strength: 0.12))
        for side: Float in [-1, 1] {
            strokes.append(Stroke(a: [side * 0.055, id.eyeY + 0.06], b: [side * 0.07, id.noseY - 0.08], halfWidth: 0.012, darkness: 0.08))
            strokes.append(Stroke(a: [side * (id.noseHalfWidth + 0.015 * au9), nostrilY - 0.06],
                                  b: [side * (id.noseHalfWidth + 0.01), nostrilY + 0.015], halfWidth: 0.01, darkness: 0.25))
        }
        if au9 > 0 {
            for row in 0..<3 {
                let y = id.eyeY + 0.08 + Float(row) * 0.045
                strokes.append(Stroke(a: [-0.065, y], b: [0.065, y - 0.01], halfWidth: 0.009, darkness: 0.45 * au9))
            }
        }

        // Mouth (12 pulls corners up and out, 14 tightens and dimples, 15 depresses, 20 stretches, 23 thins,
        // 10 raises the upper lip, 17 pushes the lower lip up, 25/26 part the lips, 26 drops the jaw).
        var cornerX = SIMD2<Float>(repeating: id.mouthHalfWidth)
        var cornerY = SIMD2<Float>(repeating: id.mouthY)
        for (i, side) in [FaceSide.right, FaceSide.left].enumerated() {
            let au12 = k(.au12, side), au14 = k(.au14, side)
            cornerX[i] *= 1 + 0.18 * au12 + 0.35 * au20 - 0.2 * au23 - 0.12 * au14
            cornerY[i] += -0.075 * au12 + 0.09 * au15 + 0.015 * au20 + 0.01 * au14
            let sign: Float = i == 0 ? -1 : 1
            let corner = SIMD2<Float>(sign * cornerX[i], cornerY[i])
            if au14 > 0 {
                // FACS: the corners tighten and sink inward; a bulge forms at the corner and a dimple (a crescent
                // crease with a shadowed pit) lateral to it.
                let c = corner + [sign * 0.055, 0]
                blobs.append(Blob(centre: corner + [sign * 0.02, 0], radii: [0.025, 0.04], colour: [1, 1, 1], strength: 0.3 * au14))
                blobs.append(Blob(centre: c + [sign * 0.01, 0], radii: [0.03, 0.055], colour: [0.3, 0.2, 0.15], strength: 0.4 * au14))
                strokes.append(Stroke(a: c + [sign * -0.008, -0.06], b: c + [sign * 0.012, 0.0], halfWidth: 0.02, darkness: 0.55 * au14))
                strokes.append(Stroke(a: c + [sign * 0.012, 0.0], b: c + [sign * -0.008, 0.055], halfWidth: 0.02, darkness: 0.55 * au14))
            }
            if au15 > 0 {
                // The depressed corners draw a shadow line down and out from each corner.
                strokes.append(Stroke(a: corner + [sign * 0.015, 0.015], b: corner + [sign * 0.045, 0.11], halfWidth: 0.016, darkness: 0.4 * au15))
            }
            if au20 > 0 {
                // Skin beyond the stretched corners creases sideways.
                strokes.append(Stroke(a: corner + [sign * 0.02, 0], b: corner + [sign * 0.09, 0.02], halfWidth: 0.014, darkness: 0.35 * au20))
            }
            let fold = 0.1 + 0.35 * au10 + 0.3 * au12 + 0.15 * au14
            let top = SIMD2<Float>(sign * (id.noseHalfWidth + 0.035), id.noseY - 0.01 - 0.02 * au10)
            let bottom = SIMD2<Float>(sign * (cornerX[i] + 0.035), cornerY[i] + 0.02)
            let mid = (top + bottom) * 0.5 + SIMD2<Float>(sign * 0.03, 0)
            strokes.append(Stroke(a: top, b: mid, halfWidth: 0.01, darkness: fold))
            strokes.append(Stroke(a: mid, b: bottom, halfWidth: 0.01, darkness: fold))
        }
        let gap = max(0.1 * au25, 0.03 * au25 + 0.14 * au26)
        mouth = Mouth(centreY: id.mouthY + 0.01 * au15 - 0.015 * au17, cornerX: cornerX, cornerY: cornerY,
                      upperThickness: id.upperLip * (1 - 0.8 * au23) * (1 - 0.3 * au20),
                      lowerThickness: id.lowerLip * (1 - 0.8 * au23) * (1 - 0.3 * au20) * (1 + 0.2 * au17),
                      gap: gap, upperRaise: 0.03 * au10, lowerRaise: 0.06 * au17)
        if au23 > 0 {
            // Tightened lips press and roll in; the skin bulges (highlights) above the upper and below the lower lip.
            for dy: Float in [-0.07, 0.08] {
                blobs.append(Blob(centre: [0, id.mouthY + dy], radii: [0.14, 0.035], colour: [1, 1, 1], strength: 0.45 * au23))
            }
        }

        // Chin (AU17 raises the chin boss and deepens the mentolabial furrow).
        let chinY = id.mouthY + id.lowerLip + 0.13 + jawDrop * 0.8
        strokes.append(Stroke(a: [-0.07 - 0.02 * au17, chinY - 0.05 - 0.03 * au17], b: [0.07 + 0.02 * au17, chinY - 0.05 - 0.03 * au17],
                              halfWidth: 0.011 + 0.01 * au17, darkness: 0.1 + 0.55 * au17))
        if au17 > 0 {
            blobs.append(Blob(centre: [0, chinY + 0.05 - 0.03 * au17], radii: [0.11, 0.07], colour: [1, 1, 1], strength: 0.35 * au17))
            for dx: Float in [-0.045, 0.045] {
                blobs.append(Blob(centre: [dx, chinY + 0.05], radii: [0.025, 0.025], colour: [0.25, 0.15, 0.1], strength: 0.5 * au17))
            }
        }
    }

    /// Half-width of the head outline at height y (narrower towards the chin).
    @inline(__always) func headHalfWidth(at y: Float) -> Float {
        let w = identity.faceHalfWidth
        guard y > 0 else { return w }
        let h = identity.faceHalfHeight + jawDrop
        let t = min(y / h, 1)
        return w * (1 - identity.jawTaper * t * t)
    }

    /// Signed distance-like measure to the head outline (negative inside), in face units.
    @inline(__always) func headDistance(_ p: SIMD2<Float>) -> Float {
        let a = headHalfWidth(at: p.y)
        let b = p.y > 0 ? identity.faceHalfHeight + jawDrop : identity.faceHalfHeight
        let r = ((p.x / a) * (p.x / a) + (p.y / b) * (p.y / b)).squareRoot()
        return (r - 1) * min(a, b)
    }

    /// Upper and lower lid heights of `eye` at horizontal offset `ex` from its centre (y down, so upper < lower).
    @inline(__always) func lids(_ eye: Eye, _ ex: Float) -> (upper: Float, lower: Float, q: Float) {
        let t = ex / eye.halfWidth
        let q = max(1 - t * t, 0)
        let closedLine = 0.35 * identity.eyeOpening * 0.75 * q
        let upper = -eye.upper * q * (1 - eye.closure) + closedLine * eye.closure
        let lower = eye.lower * q * (1 - eye.closure) + closedLine * eye.closure
        return (upper, lower, q)
    }

    /// The lip contours at horizontal position x: outer upper, inner upper, inner lower, outer lower, and t = |x|/corner.
    @inline(__always) func lips(_ x: Float) -> (outerUpper: Float, innerUpper: Float, innerLower: Float, outerLower: Float, t: Float) {
        let i = x < 0 ? 0 : 1
        let t = abs(x) / mouth.cornerX[i]
        let q = max(1 - t * t, 0)
        let sq = q.squareRoot()
        let line = mouth.cornerY[i] + (mouth.centreY - mouth.cornerY[i]) * q
        let innerUpper = line - mouth.gap * 0.3 * q - mouth.upperRaise * 0.4 * q
        let innerLower = line + mouth.gap * 0.7 * q - mouth.lowerRaise * 0.5 * q
        let bow = 0.012 * expf(-(t / 0.15) * (t / 0.15))
        let outerUpper = innerUpper - mouth.upperThickness * sq - mouth.upperRaise * 0.6 * q + bow * sq
        let outerLower = innerLower + mouth.lowerThickness * sq
        return (outerUpper, innerUpper, innerLower, outerLower, t)
    }

    /// The 68 iBUG landmarks in face coordinates (0–16 jaw from the image's left, 17–26 brows, 27–35 nose,
    /// 36–47 eyes, 48–67 lips).
    func landmarks() -> [SIMD2<Float>] {
        var p = [SIMD2<Float>]()
        p.reserveCapacity(68)
        let top = identity.eyeY + 0.05
        let bottom = identity.faceHalfHeight + jawDrop
        for i in 0...16 {
            let a = Float.pi * Float(i) / 16
            let y = top + sinf(a) * (bottom - top)
            let onOutline = y > 0 ? (1 - min(y * y / (bottom * bottom), 1)).squareRoot() : 1
            let sign: Float = i < 8 ? -1 : (i > 8 ? 1 : 0)
            p.append([sign * headHalfWidth(at: y) * onOutline, y])
        }
        for brow in brows {
            let ts: [Float] = brow.side < 0 ? [1, 0.75, 0.5, 0.25, 0] : [0, 0.25, 0.5, 0.75, 1]
            for t in ts {
                let x = brow.side * (brow.innerX + (brow.outerX - brow.innerX) * t)
                let y = brow.innerY + (brow.outerY - brow.innerY) * t - brow.arch * 4 * t * (1 - t)
                p.append([x, y])
            }
        }
        for i in 0..<4 {
            p.append([0, identity.eyeY + (identity.noseY - 0.03 - identity.eyeY) * Float(i) / 3])
        }
        for i in 0..<5 {
            let t = Float(i - 2) / 2
            p.append([t * nostrilHalfSpread * 1.6, nostrilY + 0.02 * (1 - abs(t))])
        }
        for eye in eyes {
            // Both eyes list corner, two upper points, corner, two lower points from the image's left.
            let w = eye.halfWidth
            let xs: [Float] = [-w, -w / 3, w / 3, w, w / 3, -w / 3]
            for (j, ex) in xs.enumerated() {
                let l = lids(eye, ex)
                let y = j == 0 || j == 3 ? 0 : (j < 3 ? l.upper : l.lower)
                p.append([eye.centre.x + ex, eye.centre.y + y])
            }
        }
        let cx = mouth.cornerX
        let third: Float = 1.0 / 3
        let outer: [Float] = [-1, -2 * third, -third, 0, third, 2 * third, 1, 2 * third, third, 0, -third, -2 * third]
        for i in 0..<12 {
            let t = outer[i]
            let x = t * (t < 0 ? cx[0] : cx[1])
            let l = lips(x)
            let y = i == 0 ? mouth.cornerY[0] : i == 6 ? mouth.cornerY[1] : (i < 6 ? l.outerUpper : l.outerLower)
            p.append([x, y])
        }
        let inner: [Float] = [-1, -0.5, 0, 0.5, 1, 0.5, 0, -0.5]
        for i in 0..<8 {
            let t = inner[i]
            let x = t * 0.92 * (t < 0 ? cx[0] : cx[1])
            let l = lips(x)
            let y = i == 0 ? mouth.cornerY[0] : i == 4 ? mouth.cornerY[1] : (i < 4 ? l.innerUpper : l.innerLower)
            p.append([x, y])
        }
        return p
    }
}
