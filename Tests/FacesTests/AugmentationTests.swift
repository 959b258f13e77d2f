import Testing
@testable import Faces
import Randomness

struct AugmentationTests {
    func ramp(_ h: Int, _ w: Int) -> RasterImage {
        var image = RasterImage(width: w, height: h, channels: 1)
        for y in 0..<h { for x in 0..<w { image[0, y, x] = Float(y * 10 + x) } }
        return image
    }

    @Test func rowShiftSamplesShiftedRowsWithNearestFill() {
        let image = ramp(5, 4)
        let out = Augmentation.apply(.init(tx: 2), to: image)
        // Output row r samples input row r + 2, clamped to the last row.
        for y in 0..<5 { for x in 0..<4 { #expect(out[0, y, x] == image[0, min(y + 2, 4), x]) } }
        let left = Augmentation.apply(.init(ty: -1), to: image)
        for y in 0..<5 { for x in 0..<4 { #expect(left[0, y, x] == image[0, y, max(x - 1, 0)]) } }
    }

    @Test func flipReversesColumns() {
        let image = ramp(3, 4)
        let out = Augmentation.apply(.init(flip: true), to: image)
        for y in 0..<3 { for x in 0..<4 { #expect(out[0, y, x] == image[0, y, 3 - x]) } }
    }

    @Test func zoomTwoAboutKerasCentre() {
        // Keras centres at h/2 + 0.5 = 2.5 for h = 4: input row = 2 (r − 2.5) + 2.5 → −2.5, −0.5, 1.5, 3.5, clamped.
        let image = ramp(4, 4)
        let out = Augmentation.apply(.init(zx: 2, zy: 1), to: image)
        let expectedRows: [Float] = [0, 0, 1.5, 3]
        for y in 0..<4 { for x in 0..<4 { #expect(abs(out[0, y, x] - (expectedRows[y] * 10 + Float(x))) < 1e-4) } }
    }

    @Test func rotationByNinetyDegrees() {
        // θ = 90°: input (row, col) = (−(c − 2) + 2, (r − 2) + 2) = (4 − c, r) about centre (2, 2) for 3×3; rows clamp to 2.
        let image = ramp(3, 3)
        let out = Augmentation.apply(.init(theta: 90), to: image)
        for r in 0..<3 { for c in 0..<3 { #expect(abs(out[0, r, c] - image[0, min(4 - c, 2), r]) < 1e-4) } }
    }

    @Test func shearMatrixMatchesKeras() {
        let t = Augmentation.Transform(shear: 30)
        let m = Augmentation.matrix(t, height: 4, width: 6)
        // [[1, −sin s], [0, cos s]] about (2.5, 3.5).
        let s = 0.5, c = 0.75.squareRoot()
        #expect(abs(m[0] - 1) < 1e-12 && abs(m[1] + s) < 1e-12 && abs(m[3]) < 1e-12 && abs(m[4] - c) < 1e-12)
        #expect(abs(m[2] - (2.5 - 1 * 2.5 + s * 3.5)) < 1e-12)
        #expect(abs(m[5] - (3.5 - c * 3.5)) < 1e-12)
    }

    @Test func randomTransformsStayInRangeAndAreSeeded() {
        let aug = Augmentation.painStudy
        let image = patternImage(width: 20, height: 10, channels: 3)
        var flips = 0
        for i in 0..<200 {
            var r = SplitMix64(deriving: 1, UInt64(i))
            let t = aug.randomTransform(width: 20, height: 10, &r)
            #expect(abs(t.theta) <= 25 && abs(t.tx) <= 1 && abs(t.ty) <= 2 && abs(t.shear) <= 0.1)
            #expect(t.zx >= 0.9 && t.zx <= 1.1 && t.zy >= 0.9 && t.zy <= 1.1)
            if t.flip { flips += 1 }
        }
        #expect(flips > 60 && flips < 140)
        #expect(aug.apply(to: image, seed: 3, epoch: 1, index: 5) == aug.apply(to: image, seed: 3, epoch: 1, index: 5))
        #expect(aug.apply(to: image, seed: 3, epoch: 1, index: 5) != aug.apply(to: image, seed: 3, epoch: 2, index: 5))
    }
}
