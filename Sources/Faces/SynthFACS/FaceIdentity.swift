import Randomness

/// One synthetic person: face shape, skin tone, feature sizes and positions, mild asymmetry.
///
/// Face coordinates: x to the image's right, y down, origin near the face centre; the face is about 1.5 units
/// wide and 2 units tall. All lengths below are in these units.
public struct FaceIdentity: Equatable, Sendable {
    public var faceHalfWidth: Float
    public var faceHalfHeight: Float
    /// How much the jaw narrows towards the chin (0 = elliptical).
    public var jawTaper: Float
    public var skin: SIMD3<Float>
    public var hair: SIMD3<Float>
    public var hairline: Float
    public var eyeY: Float
    /// Half the distance between the eye centres.
    public var eyeSpacing: Float
    public var eyeHalfWidth: Float
    /// Upper-lid height above the eye's axis at rest.
    public var eyeOpening: Float
    public var irisRadius: Float
    public var iris: SIMD3<Float>
    /// Brow height above the eye's axis.
    public var browGap: Float
    public var browThickness: Float
    public var browArch: Float
    public var brow: SIMD3<Float>
    public var noseY: Float
    public var noseHalfWidth: Float
    public var mouthY: Float
    public var mouthHalfWidth: Float
    public var upperLip: Float
    public var lowerLip: Float
    public var lip: SIMD3<Float>
    public var cheekTint: Float
    /// Vertical offset of the subject's left eye and brow against the right (asymmetry).
    public var asymmetry: Float

    /// A random identity; the same (seed, index) always gives the same person.
    public static func random(seed: UInt64, index: Int) -> FaceIdentity {
        var r = SplitMix64(deriving: seed, 0x1D, UInt64(index))
        let tone = r.uniformF(0, 1)
        let light = SIMD3<Float>(0.96, 0.80, 0.70), dark = SIMD3<Float>(0.42, 0.28, 0.20)
        var skin = light + (dark - light) * tone
        skin += SIMD3(r.uniformF(-0.03, 0.03), r.uniformF(-0.03, 0.02), r.uniformF(-0.03, 0.02))
        let hairShade = r.uniformF(0.05, 0.55)
        let hair = SIMD3<Float>(hairShade, hairShade * r.uniformF(0.6, 0.85), hairShade * r.uniformF(0.4, 0.7))
        let irisShade = r.uniformF(0.15, 0.55)
        let iris = SIMD3<Float>(irisShade * r.uniformF(0.5, 1.0), irisShade * r.uniformF(0.6, 1.0), irisShade * r.uniformF(0.4, 1.2))
        let eyeOpening = r.uniformF(0.058, 0.07)
        return FaceIdentity(
            faceHalfWidth: r.uniformF(0.70, 0.80), faceHalfHeight: r.uniformF(0.92, 1.02), jawTaper: r.uniformF(0.05, 0.35),
            skin: skin, hair: hair, hairline: r.uniformF(-0.72, -0.56),
            eyeY: r.uniformF(-0.19, -0.11), eyeSpacing: r.uniformF(0.30, 0.34), eyeHalfWidth: r.uniformF(0.15, 0.17),
            eyeOpening: eyeOpening, irisRadius: eyeOpening * r.uniformF(1.15, 1.3), iris: iris,
            browGap: r.uniformF(0.13, 0.17), browThickness: r.uniformF(0.045, 0.06), browArch: r.uniformF(0.01, 0.04),
            brow: hair * 0.8, noseY: r.uniformF(0.22, 0.29), noseHalfWidth: r.uniformF(0.1, 0.13),
            mouthY: r.uniformF(0.50, 0.57), mouthHalfWidth: r.uniformF(0.22, 0.27),
            upperLip: r.uniformF(0.04, 0.055), lowerLip: r.uniformF(0.05, 0.07),
            lip: SIMD3(r.uniformF(0.62, 0.78), r.uniformF(0.28, 0.38), r.uniformF(0.30, 0.40)) * (1 - 0.4 * tone),
            cheekTint: r.uniformF(0.05, 0.15), asymmetry: r.uniformF(-0.012, 0.012))
    }
}

/// Per-image nuisance: pose, framing, photometry, noise and background.
public struct FaceNuisance: Equatable, Sendable {
    /// In-plane rotation, degrees (positive turns the face clockwise on screen).
    public var rotation: Float = 0
    /// Face centre offset as a fraction of the image size.
    public var shiftX: Float = 0
    public var shiftY: Float = 0
    /// Face scale factor (1 = the face spans about 60% of the width).
    public var scale: Float = 1
    /// Added to every sample after contrast (in [0, 1] units).
    public var brightness: Float = 0
    /// Contrast factor around mid-grey.
    public var contrast: Float = 1
    /// Standard deviation of per-sample noise (in [0, 1] units).
    public var noise: Float = 0
    /// Background colour and its linear gradient (per image size).
    public var background = SIMD3<Float>(0.5, 0.5, 0.5)
    public var backgroundGradient = SIMD2<Float>(0, 0)
    /// Seed of the pixel noise.
    public var noiseSeed: UInt64 = 0

    public init() {}

    /// A nuisance drawn uniformly within `ranges`.
    static func random(_ r: inout SplitMix64, ranges: NuisanceRanges) -> FaceNuisance {
        var n = FaceNuisance()
        n.rotation = r.uniformF(-ranges.rotation, ranges.rotation)
        n.shiftX = r.uniformF(-ranges.shift, ranges.shift)
        n.shiftY = r.uniformF(-ranges.shift, ranges.shift)
        n.scale = 1 + r.uniformF(-ranges.scale, ranges.scale)
        n.brightness = r.uniformF(-ranges.brightness, ranges.brightness)
        n.contrast = 1 + r.uniformF(-ranges.contrast, ranges.contrast)
        n.noise = r.uniformF(0, ranges.noise)
        let grey = r.uniformF(0.15, 0.9)
        n.background = SIMD3(grey + r.uniformF(-0.12, 0.12), grey + r.uniformF(-0.12, 0.12), grey + r.uniformF(-0.12, 0.12))
        n.backgroundGradient = SIMD2(r.uniformF(-0.3, 0.3), r.uniformF(-0.3, 0.3))
        n.noiseSeed = r.next()
        return n
    }
}

/// Ranges of the per-image nuisance (each drawn uniformly in ±range).
public struct NuisanceRanges: Equatable, Sendable, Codable {
    /// Degrees.
    public var rotation: Float = 8
    /// Fraction of the image size.
    public var shift: Float = 0.04
    /// Relative scale change.
    public var scale: Float = 0.08
    public var brightness: Float = 0.1
    /// Relative contrast change.
    public var contrast: Float = 0.15
    /// Maximum noise standard deviation.
    public var noise: Float = 0.025

    public init() {}

    public init(rotation: Float, shift: Float, scale: Float, brightness: Float, contrast: Float, noise: Float) {
        self.rotation = rotation
        self.shift = shift
        self.scale = scale
        self.brightness = brightness
        self.contrast = contrast
        self.noise = noise
    }

    /// No pose, framing, photometric or noise nuisance (the background colour still varies).
    public static let none = NuisanceRanges(rotation: 0, shift: 0, scale: 0, brightness: 0, contrast: 0, noise: 0)
}
