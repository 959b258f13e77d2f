import Foundation
import Testing
@testable import Faces

struct CKPlusLoaderTests {
    /// Writes `rows` of numbers in CK+'s "%15.7e" style.
    func rows(_ values: [[Double]]) -> String {
        values.map { $0.map { String(format: "%15.7e", $0) }.joined() + "\n" }.joined()
    }

    /// Two subjects: S010/001 surprise (AU1, 2, 5, 26), S010/002 AU12+14 without emotion, S011/001 AU4.
    func makeTree(_ dir: TemporaryDirectory) throws -> [SIMD2<Float>] {
        let face = FaceRenderer.render(identity: FaceIdentity.random(seed: 1, index: 0), aus: AUIntensities(),
                                       nuisance: FaceNuisance(), size: 48, channels: 1)
        let codes: [(String, [Double], Int?)] = [("S010/001", [1, 2, 5, 26], 7), ("S010/002", [12, 14], nil), ("S011/001", [4], nil)]
        for (folder, aus, emotion) in codes {
            let stem = folder.replacingOccurrences(of: "/", with: "_")
            for f in 1...3 {
                let name = "\(stem)_\(String(format: "%08d", f))"
                try dir.write(face.image, to: "cohn-kanade-images/\(folder)/\(name).png")
                try dir.write(rows(face.landmarks.map { [Double($0.x), Double($0.y)] }), to: "Landmarks/\(folder)/\(name)_landmarks.txt")
            }
            let peak = "\(stem)_00000003"
            try dir.write(rows(aus.map { [$0, 3] }), to: "FACS/\(folder)/\(peak)_facs.txt")
            if let emotion { try dir.write(rows([[Double(emotion)]]), to: "Emotion/\(folder)/\(peak)_emotion.txt") }
        }
        return face.landmarks
    }

    @Test func peakFramesGetBinaryAULabelsAndRegionCrops() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let landmarks = try makeTree(dir)
        let loader = CKPlusLoader(root: dir.url)
        let sequences = try loader.sequences()
        #expect(sequences.count == 3)
        #expect(sequences[0].frames.count == 3 && sequences[0].peak.lastPathComponent == "S010_001_00000003.png")
        #expect(sequences[0].facs == [1: 3, 2: 3, 5: 3, 26: 3] && sequences[0].emotion == 7)

        let au5 = try loader.load(actionUnit: 5)
        #expect(au5.labels == [1, 0, 0] && au5.samples.allSatisfy { $0.crop == nil })
        #expect(try loader.load(actionUnit: 14).labels == [0, 1, 0])
        let upper = try loader.load(actionUnit: 5, region: .upperFace)
        #expect(upper.samples[0].crop == FaceRegion.upperFace.cropBox(landmarks))
        let crop = upper.samples[0].crop!
        // The upper-face crop ends above the mouth.
        #expect(Float(crop.y + crop.height) < landmarks[51].y)

        let emotions = try loader.loadEmotions()
        #expect(emotions.samples.count == 1 && emotions.labels == [Emotion.surprise.rawValue])
    }

    @Test func missingAndMalformedFilesAreNamed() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try makeTree(dir)
        let facs = dir.path("FACS/S010/002/S010_002_00000003_facs.txt")
        try FileManager.default.removeItem(at: facs)
        let landmarks = dir.path("Landmarks/S011/001/S011_001_00000003_landmarks.txt")
        try dir.write(rows([[1, 2], [3, 4]]), to: "Landmarks/S011/001/S011_001_00000003_landmarks.txt")
        #expect { try CKPlusLoader(root: dir.url).sequences() } throws: { error in
            guard case let FacesError.invalidTree(dataset, _, problems) = error else { return false }
            return dataset == "CK+" && problems == ["\(facs.path): missing or unreadable label file",
                                                    "\(landmarks.path): expected 68 rows of 'x y', found 2 rows"]
        }
    }
}
