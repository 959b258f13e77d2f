import Foundation
import Randomness

/// Random affine augmentation with the semantics of Keras' `ImageDataGenerator` (keras-preprocessing):
/// one warp per image, bilinear sampling, `fill_mode='nearest'`, horizontal flip after the warp.
///
/// Parameters mean what Keras' do: `rotationRange` in degrees, `widthShiftRange`/`heightShiftRange` as fractions
/// of the width/height, `shearRange` in **degrees** (Keras' `shear_range=0.1` is a 0.1° shear), `zoomRange` z
/// giving independent row and column zooms in [1−z, 1+z] (values > 1 shrink the content), flip with probability ½.
public struct Augmentation: Equatable, Sendable, Codable {
    public var rotationRange: Float
    public var widthShiftRange: Float
    public var heightShiftRange: Float
    public var shearRange: Float
    public var zoomRange: Float
    public var horizontalFlip: Bool

    public init(rotationRange: Float = 0, widthShiftRange: Float = 0, heightShiftRange: Float = 0, shearRange: Float = 0,
                zoomRange: Float = 0, horizontalFlip: Bool = false) {
        self.rotationRange = rotationRange
        self.widthShiftRange = widthShiftRange
        self.heightShiftRange = heightShiftRange
        self.shearRange = shearRange
        self.zoomRange = zoomRange
        self.horizontalFlip = horizontalFlip
    }

    /// Horizontal flips only (the emotion training of the study).
    public static let flipOnly = Augmentation(horizontalFlip: true)
    /// The pain fine-tuning of the study: rotation 25°, shifts 10%, shear 0.1 (degrees, as Keras reads it), zoom
    /// 10%, horizontal flip.
    public static let painStudy = Augmentation(rotationRange: 25, widthShiftRange: 0.1, heightShiftRange: 0.1,
                                               shearRange: 0.1, zoomRange: 0.1, horizontalFlip: true)

    /// Keras' `transform_parameters` of one image.
    public struct Transform: Equatable, Sendable {
        /// Rotation, degrees.
        public var theta: Float = 0
        /// Shift along rows (pixels; from the height shift range).
        public var tx: Float = 0
        /// Shift along columns (pixels; from the width shift range).
        public var ty: Float = 0
        /// Shear, degrees.
        public var shear: Float = 0
        /// Zoom of rows and of columns.
        public var zx: Float = 1
        public var zy: Float = 1
        public var flip = false

        public init(theta: Float = 0, tx: Float = 0, ty: Float = 0, shear: Float = 0, zx: Float = 1, zy: Float = 1, flip: Bool = false) {
            self.theta = theta
            self.tx = tx
            self.ty = ty
            self.shear = shear
            self.zx = zx
            self.zy = zy
            self.flip = flip
        }
    }

    /// Draws a transform for a `width`×`height` image, in Keras' order (theta, tx, ty, shear, zx, zy, flip).
    func randomTransform(width: Int, height: Int, _ r: inout SplitMix64) -> Transform {
        var t = Transform()
        t.theta = r.uniformF(-rotationRange, rotationRange)
        t.tx = r.uniformF(-heightShiftRange, heightShiftRange) * (heightShiftRange < 1 ? Float(height) : 1)
        t.ty = r.uniformF(-widthShiftRange, widthShiftRange) * (widthShiftRange < 1 ? Float(width) : 1)
        t.shear = r.uniformF(-shearRange, shearRange)
        t.zx = r.uniformF(1 - zoomRange, 1 + zoomRange)
        t.zy = r.uniformF(1 - zoomRange, 1 + zoomRange)
        t.flip = horizontalFlip && r.unit() < 0.5
        return t
    }

    /// The augmented image for sample `index` in `epoch`: the same (seed, epoch, index) always gives the same warp.
    public func apply(to image: RasterImage, seed: UInt64, epoch: Int, index: Int) -> RasterImage {
        var r = SplitMix64(deriving: seed, 0xA06, UInt64(epoch), UInt64(index))
        return Self.apply(randomTransform(width: image.width, height: image.height, &r), to: image)
    }

    /// Applies one transform exactly as Keras' `apply_affine_transform` + `flip_axis` do: the matrix
    /// R(θ)·T(tx, ty)·Shear(s)·Zoom(zx, zy) acts on (row, column) coordinates about the centre (h/2 + ½, w/2 + ½);
    /// output pixel o samples the input at M·o + offset, bilinearly, clamping coordinates to the image.
    public static func apply(_ t: Transform, to image: RasterImage) -> RasterImage {
        let h = image.height, w = image.width
        var out = image
        let isIdentity = t.theta == 0 && t.tx == 0 && t.ty == 0 && t.shear == 0 && t.zx == 1 && t.zy == 1
        if !isIdentity {
            let m = matrix(t, height: h, width: w)
            image.pixels.withUnsafeBufferPointer { src in
                out.pixels.withUnsafeMutableBufferPointer { dst in
                    let maxR = Double(h - 1), maxC = Double(w - 1)
                    for r in 0..<h {
                        for c in 0..<w {
                            let ir = min(max(m[0] * Double(r) + m[1] * Double(c) + m[2], 0), maxR)
                            let ic = min(max(m[3] * Double(r) + m[4] * Double(c) + m[5], 0), maxC)
                            let r0 = Int(ir), c0 = Int(ic)
                            let r1 = min(r0 + 1, h - 1), c1 = min(c0 + 1, w - 1)
                            let fr = Float(ir - Double(r0)), fc = Float(ic - Double(c0))
                            for ch in 0..<image.channels {
                                let base = ch * h * w
                                let top = src[base + r0 * w + c0] * (1 - fc) + src[base + r0 * w + c1] * fc
                                let bottom = src[base + r1 * w + c0] * (1 - fc) + src[base + r1 * w + c1] * fc
                                dst[base + r * w + c] = top * (1 - fr) + bottom * fr
                            }
                        }
                    }
                }
            }
        }
        if t.flip {
            for ch in 0..<image.channels {
                for r in 0..<h {
                    let row = (ch * h + r) * w
                    out.pixels[row..<row + w].reverse()
                }
            }
        }
        return out
    }

    /// The 2×3 map (row, column) of output → input, centred as Keras' `transform_matrix_offset_center`.
    static func matrix(_ t: Transform, height: Int, width: Int) -> [Double] {
        typealias M = [Double]  // row-major 3×3
        func mul(_ a: M, _ b: M) -> M {
            var c = M(repeating: 0, count: 9)
            for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j] } } }
            return c
        }
        let theta = Double(t.theta) * .pi / 180, shear = Double(t.shear) * .pi / 180
        var m: M = [cos(theta), -sin(theta), 0, sin(theta), cos(theta), 0, 0, 0, 1]
        m = mul(m, [1, 0, Double(t.tx), 0, 1, Double(t.ty), 0, 0, 1])
        m = mul(m, [1, -sin(shear), 0, 0, cos(shear), 0, 0, 0, 1])
        m = mul(m, [Double(t.zx), 0, 0, 0, Double(t.zy), 0, 0, 0, 1])
        let ox = Double(height) / 2 + 0.5, oy = Double(width) / 2 + 0.5
        m = mul(mul([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1])
        return [m[0], m[1], m[2], m[3], m[4], m[5]]
    }
}
