import Foundation
import Testing
@testable import Faces

struct FaceSampleLandmarksTests {
    /// 68 distinct points on a 20 × 16 image.
    static let points: [SIMD2<Float>] = (0..<68).map { i in
        let x = Float(i % 17) + 0.5
        let y = Float(i / 17) * 3 + 1.25
        return SIMD2(x, y)
    }

    @Test func cropAndResizeMoveLandmarksLikeThePixels() throws {
        let sample = FaceSample(image: URL(fileURLWithPath: "/x.png"), crop: CropBox(x: 2, y: 4, width: 10, height: 8),
                                label: 0, group: "", key: "x.png", landmarks: Self.points)
        let moved = try #require(sample.inputLandmarks(sourceWidth: 20, sourceHeight: 16, width: 40, height: 16))
        // By hand: x' = (x − 2) · 40/10, y' = (y − 4) · 16/8.
        #expect(moved[0] == SIMD2<Float>(-6, -5.5))
        let expected20: SIMD2<Float> = [(3.5 - 2) * 4, (4.25 - 4) * 2]
        #expect(moved[20] == expected20)
        // A crop reaching past the image is clipped first, as `cropped(to:)` does: columns 15..<20, rows 0..<16.
        var clipped = sample
        clipped.crop = CropBox(x: 15, y: -3, width: 10, height: 30)
        let c = try #require(clipped.inputLandmarks(sourceWidth: 20, sourceHeight: 16, width: 10, height: 32))
        let x33: Float = (16.5 - 15) * 2, y33: Float = (1 * 3 + 1.25) * 2
        #expect(c[33] == SIMD2<Float>(x33, y33))
        clipped.landmarks = nil
        #expect(clipped.inputLandmarks(sourceWidth: 20, sourceHeight: 16, width: 10, height: 32) == nil)
    }

    @Test func landmarkPixelsFollowTheResizedImage() throws {
        // A dark dot drawn at a landmark must be found at the moved landmark after crop and resize.
        var image = RasterImage(width: 64, height: 48, channels: 1, fill: 1)
        let point = SIMD2<Float>(40.5, 30.5)
        for y in 28...32 { for x in 38...42 { image[0, y, x] = 0 } }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try dir.write(image, to: "dot.png")
        var points = Self.points
        points[0] = point
        let sample = FaceSample(image: dir.path("dot.png"), crop: CropBox(x: 16, y: 8, width: 40, height: 40),
                                label: 0, group: "", key: "dot.png", landmarks: points)
        let pipeline = ImagePipeline(size: 20, channels: 1)
        let input = try pipeline.load(sample)
        let moved = try #require(sample.inputLandmarks(sourceWidth: 64, sourceHeight: 48, width: 20, height: 20))[0]
        // The darkness-weighted centroid of pixel centres: within 0.1 px of the dot's centre (a half-covered
        // edge pixel pulls it by 0.05); a half-pixel slip in the mapping would be 0.25 off.
        var mass: Float = 0, centroid = SIMD2<Float>()
        for y in 0..<20 {
            for x in 0..<20 {
                let w = 1 - input[0, y, x]
                mass += w
                centroid += w * SIMD2(Float(x) + 0.5, Float(y) + 0.5)
            }
        }
        centroid /= mass
        #expect(abs(centroid.x - moved.x) < 0.1 && abs(centroid.y - moved.y) < 0.1, "dot at \(centroid), landmark at \(moved)")
    }

    @Test func loadersKeepLandmarks() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal"
        let field = Self.points.map { "\($0.x);\($0.y)" }.joined(separator: ";")
        try dir.write(patternImage(width: 20, height: 16, channels: 3), to: "Manually_Annotated_Images/a.png")
        try dir.write(patternImage(width: 20, height: 16, channels: 3), to: "Manually_Annotated_Images/b.png")
        try dir.write("\(header)\na.png,0,0,20,16,\(field),1,0,0\n", to: "Manually_Annotated_file_lists/training.csv")
        try dir.write("\(header)\nb.png,0,0,20,16,,2,0,0\n", to: "Manually_Annotated_file_lists/validation.csv")
        let splits = try AffectNetLoader(root: dir.url).load(validationFraction: 0)
        #expect(splits.train.samples[0].landmarks == Self.points)
        #expect(splits.test.samples[0].landmarks == nil)

        let face = FaceRenderer.render(identity: FaceIdentity.random(seed: 3, index: 1), aus: AUIntensities(),
                                       nuisance: FaceNuisance(), size: 48, channels: 1)
        let ck = dir.path("ck")
        let stem = "S001_001_00000001"
        try TemporaryDirectory.write(face.image, to: ck.appendingPathComponent("cohn-kanade-images/S001/001/\(stem).png"))
        let rows = face.landmarks.map { String(format: "%15.7e%15.7e\n", Double($0.x), Double($0.y)) }.joined()
        try TemporaryDirectory.write(rows, to: ck.appendingPathComponent("Landmarks/S001/001/\(stem)_landmarks.txt"))
        try TemporaryDirectory.write(String(format: "%15.7e%15.7e\n", 5.0, 2.0), to: ck.appendingPathComponent("FACS/S001/001/\(stem)_facs.txt"))
        try TemporaryDirectory.write(String(format: "%15.7e\n", 7.0), to: ck.appendingPathComponent("Emotion/S001/001/\(stem)_emotion.txt"))
        let loader = CKPlusLoader(root: ck)
        for sample in [try loader.load(actionUnit: 5, region: .upperFace).samples[0], try loader.loadEmotions().samples[0]] {
            let kept = try #require(sample.landmarks)
            #expect(zip(kept, face.landmarks).allSatisfy { abs($0.x - $1.x) < 1e-4 && abs($0.y - $1.y) < 1e-4 })
        }
    }
}

extension TemporaryDirectory {
    /// Writes text or a PNG at an absolute URL, creating parent folders.
    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static func write(_ image: RasterImage, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNGCodec.write(image, to: url)
    }
}
