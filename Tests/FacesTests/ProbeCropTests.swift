import Foundation
import Testing
@testable import Faces

/// The study's AU5 crop (`above_mouth`), checked from the pixels of the model input: a 200×150 face drawn from
/// its own landmarks (green eye discs, a red mouth, grey elsewhere) goes through the CK+ loader and the pipeline.
struct ProbeCropTests {
    static let width = 200, height = 150
    /// The background grey, exact in an 8-bit PNG.
    static let grey: Float = 128 / 255
    static let eyeCentres: [SIMD2<Float>] = [[70, 50], [130, 50]]
    static let eyeRadius: Float = 8
    static let mouthCentre = SIMD2<Float>(100, 115), mouthRadii = SIMD2<Float>(25, 10)

    /// 68 iBUG points: eyes on their discs' rims, the mouth on its ellipse, the rest where a face has them.
    static func landmarks() -> [SIMD2<Float>] {
        var p = [SIMD2<Float>](repeating: .zero, count: 68)
        for i in 0...16 { p[i] = [40 + 7.5 * Float(i), 60 + 80 * sin(Float.pi * Float(i) / 16)] }
        for i in 0...4 { p[17 + i] = [55 + 7.5 * Float(i), 35]; p[22 + i] = [115 + 7.5 * Float(i), 35] }
        for i in 0...3 { p[27 + i] = [100, 45 + 10 * Float(i)] }
        for i in 0...4 { p[31 + i] = [88 + 6 * Float(i), 85] }
        for (e, centre) in eyeCentres.enumerated() {
            for k in 0..<6 {
                let angle = Float.pi * (1 - Float(k) / 3)
                p[36 + 6 * e + k] = centre + eyeRadius * SIMD2(cos(angle), -sin(angle))
            }
        }
        for k in 0..<12 {
            let angle = Float.pi * (1 - Float(k) / 6)
            p[48 + k] = mouthCentre + mouthRadii * SIMD2(cos(angle), -sin(angle))
        }
        for k in 0..<8 {
            let angle = Float.pi * (1 - Float(k) / 4)
            p[60 + k] = mouthCentre + mouthRadii * 0.6 * SIMD2(cos(angle), -sin(angle))
        }
        return p
    }

    /// The face: a pixel is an eye when its centre lies within `eyeRadius` of an eye centre, mouth inside the ellipse.
    static func face() -> (image: RasterImage, eyePixels: [Int]) {
        var image = RasterImage(width: width, height: height, channels: 3, fill: grey)
        var eyePixels = [0, 0]
        for y in 0..<height {
            for x in 0..<width {
                let c = SIMD2(Float(x) + 0.5, Float(y) + 0.5)
                let m = (c - mouthCentre) / mouthRadii
                var colour: SIMD3<Float>?
                for (e, centre) in eyeCentres.enumerated() where Self.length(c - centre) <= eyeRadius {
                    colour = [0, 1, 0]
                    eyePixels[e] += 1
                }
                if m.x * m.x + m.y * m.y <= 1 { colour = [1, 0, 0] }
                if let colour { for ch in 0..<3 { image[ch, y, x] = colour[ch] } }
            }
        }
        return (image, eyePixels)
    }

    static func length(_ v: SIMD2<Float>) -> Float { (v * v).sum().squareRoot() }

    /// A one-sequence CK+ tree holding the face as its peak frame, coded AU5.
    static func tree(_ dir: TemporaryDirectory) throws {
        func rows(_ values: [[Float]]) -> String { values.map { $0.map { String(format: "%15.7e", Double($0)) }.joined() + "\n" }.joined() }
        try dir.write(face().image, to: "cohn-kanade-images/S001/001/S001_001_00000001.png")
        try dir.write(rows(landmarks().map { [$0.x, $0.y] }), to: "Landmarks/S001/001/S001_001_00000001_landmarks.txt")
        try dir.write(rows([[5, 3]]), to: "FACS/S001/001/S001_001_00000001_facs.txt")
    }

    /// Mass, centroid and per-axis variance of an eye in `image`: each pixel weighs (G − grey) / (1 − grey), its
    /// share of eye green over the grey background, counted within `reach` pixels of `centre`.
    static func eyeMoments(_ image: RasterImage, around centre: SIMD2<Float>, reach: Float) -> (mass: Double, centroid: SIMD2<Double>, variance: SIMD2<Double>) {
        var mass = 0.0, sum = SIMD2<Double>(), squares = SIMD2<Double>()
        for y in 0..<image.height {
            for x in 0..<image.width {
                let c = SIMD2(Double(x) + 0.5, Double(y) + 0.5)
                guard Self.length(SIMD2<Float>(Float(c.x), Float(c.y)) - centre) <= reach else { continue }
                let w = Double(max(0, (image[1, y, x] - grey) / (1 - grey)))
                mass += w
                sum += w * c
                squares += w * c * c
            }
        }
        let centroid = sum / mass
        return (mass, centroid, squares / mass - centroid * centroid)
    }

    @Test func aboveMouthCropRemovesTheMouthAndKeepsTheEyesUndistorted() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.tree(dir)
        let sample = try #require(try CKPlusLoader(root: dir.url).load(actionUnit: 5, crop: .studyAboveMouth).samples.first)
        // By hand: inter-ocular distance 60, upper lip at y = 105, cut 0.1 · 60 above it: rows 0..<99 stay; the
        // largest square is 99 px, centred on the eyes' midpoint x = 100.
        #expect(sample.crop == CropBox(x: 51, y: 0, width: 99, height: 99))
        let size = 66  // 99 → 66: a factor of 2/3 on both axes
        let input = try ImagePipeline(size: size, channels: 3).load(sample)
        let scale = 2.0 / 3.0

        // The mouth is gone: no pixel holds any red above the grey background, and every mouth landmark maps below
        // the input.
        #expect(input.pixels[0..<(size * size)].allSatisfy { $0 <= Self.grey + 1e-5 })
        let mapped = try #require(sample.inputLandmarks(sourceWidth: Self.width, sourceHeight: Self.height, width: size, height: size))
        #expect(mapped[48...67].allSatisfy { $0.y >= Float(size) })

        // The eyes are intact (all their green is there: area resampling keeps mass × scale²), where the landmarks
        // put them, and round: equal spread along x and y, as in the source.
        let (source, eyePixels) = Self.face()
        for e in 0..<2 {
            let centre = mapped[(36 + 6 * e)...(41 + 6 * e)].reduce(SIMD2<Float>(), +) / 6
            let got = Self.eyeMoments(input, around: centre, reach: 8)
            let original = Self.eyeMoments(source, around: Self.eyeCentres[e], reach: 12)
            #expect(abs(original.mass - Double(eyePixels[e])) < 1e-9)
            #expect(abs(got.mass - Double(eyePixels[e]) * scale * scale) < 1e-3 * got.mass, "eye \(e): \(got.mass)")
            #expect(Self.length(SIMD2<Float>(got.centroid) - centre) < 0.02, "eye \(e) at \(got.centroid), landmarks \(centre)")
            #expect(abs(original.variance.x - original.variance.y) < 1e-9)
            #expect(abs(got.variance.x / got.variance.y - 1) < 0.005, "eye \(e) spread \(got.variance)")
        }

        // The landmark box the probe used before (upper_face) stretches the same eyes: the check above would see it.
        let upper = try #require(try CKPlusLoader(root: dir.url).load(actionUnit: 5, crop: .region(.upperFace)).samples.first)
        let stretched = try ImagePipeline(size: size, channels: 3).load(upper)
        let upperMapped = try #require(upper.inputLandmarks(sourceWidth: Self.width, sourceHeight: Self.height, width: size, height: size))
        let left = Self.eyeMoments(stretched, around: upperMapped[36...41].reduce(SIMD2<Float>(), +) / 6, reach: 10)
        #expect(left.variance.x / left.variance.y < 0.75, "upper_face squeezes the eye horizontally: \(left.variance)")
    }

    @Test func aboveMouthBoxIsTheLargestSquareAboveTheCut() throws {
        let points = Self.landmarks()
        // The face 100 px lower in a 160 px wide image: the part above the mouth (199 rows) is taller than wide, so
        // its top rows go and the width is kept whole.
        let lower = points.map { $0 + SIMD2(0, 100) }
        #expect(try ProbeCrop.studyAboveMouth.box(lower, width: 160, height: 300) == CropBox(x: 0, y: 39, width: 160, height: 160))
        // A face near the right edge: the square is shifted left to stay inside the image.
        #expect(try ProbeCrop.studyAboveMouth.box(points, width: 140, height: 150) == CropBox(x: 41, y: 0, width: 99, height: 99))
        // A margin of 1 inter-ocular distance cuts through the eyes: a readable problem, no crop.
        #expect(throws: ProbeCropProblem.self) { try ProbeCrop.aboveMouth(margin: 1).box(points, width: 200, height: 150) }
        // Region crops are the regions' own boxes.
        #expect(try ProbeCrop.named["upper_face"]!.box(points, width: 200, height: 150) == FaceRegion.upperFace.cropBox(points))
        #expect(Set(ProbeCrop.named.keys) == Set(FaceRegion.named.keys).union(["above_mouth"]))
    }

    @Test func aboveMouthCropsEverySynthFACSPeakFrameSquareBelowTheEyesAboveTheMouth() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthCKPlusOptions()
        o.subjects = 6
        o.size = 64
        _ = try SynthFACS.writeCKPlus(o, to: dir.url)
        let set = try CKPlusLoader(root: dir.url).load(actionUnit: 5, crop: .studyAboveMouth)
        #expect(!set.samples.isEmpty)
        for sample in set.samples {
            let crop = try #require(sample.crop)
            let points = try #require(sample.landmarks)
            #expect(crop.width == crop.height && crop.x >= 0 && crop.y >= 0 && crop.x + crop.width <= 64 && crop.y + crop.height <= 64)
            #expect(points[48...67].allSatisfy { $0.y >= Float(crop.y + crop.height) }, "\(sample.key): mouth below the crop")
            #expect(points[36...47].allSatisfy { $0.x >= Float(crop.x) && $0.x <= Float(crop.x + crop.width) && $0.y >= Float(crop.y) }, "\(sample.key): eyes inside")
        }
    }
}
