import Foundation

/// One CK+ sequence with its peak (last) frame's codes.
public struct CKPlusSequence: Equatable, Sendable {
    public var subject: String
    public var sequence: String
    /// All frames in order (neutral first).
    public var frames: [URL]
    /// FACS codes of the peak frame: AU number → intensity (CK+ uses 0 for "present, intensity not coded").
    public var facs: [Int: Double]
    /// CK+ emotion code (0 neutral, 1 anger, 2 contempt, 3 disgust, 4 fear, 5 happy, 6 sadness, 7 surprise), if coded.
    public var emotion: Int?
    /// 68 landmarks of the peak frame in pixels, if the Landmarks file exists.
    public var landmarks: [SIMD2<Float>]?

    /// The last frame.
    public var peak: URL { frames[frames.count - 1] }
}

/// Reads the CK+ layout: `cohn-kanade-images/S###/###/*.png`, `FACS/…_facs.txt`, `Emotion/…_emotion.txt`,
/// `Landmarks/…_landmarks.txt`.
public struct CKPlusLoader: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// Every sequence with its peak-frame labels; a sequence without a FACS file for its last frame is a problem.
    public func sequences() throws -> [CKPlusSequence] {
        var problems = TreeProblems()
        let images = root.appendingPathComponent("cohn-kanade-images")
        guard let subjects = LabelFile.list(images, directories: true) else {
            problems.add(images.path, "missing cohn-kanade-images directory")
            try problems.check(dataset: "CK+", root: root)
            return []
        }
        if LabelFile.list(root.appendingPathComponent("FACS"), directories: true) == nil {
            problems.add(root.appendingPathComponent("FACS").path, "missing FACS directory")
        }
        try problems.check(dataset: "CK+", root: root)
        var result = [CKPlusSequence]()
        for subject in subjects where !problems.isFull {
            for sequence in LabelFile.list(images.appendingPathComponent(subject), directories: true) ?? [] {
                let folder = "\(subject)/\(sequence)"
                let names = (LabelFile.list(images.appendingPathComponent(folder), directories: false) ?? []).filter(LabelFile.isImage)
                guard let last = names.last else { continue }
                let stem = LabelFile.stem(last)
                let facsURL = root.appendingPathComponent("FACS/\(folder)/\(stem)_facs.txt")
                var facs = [Int: Double]()
                do {
                    for row in try LabelFile.numbers(facsURL) {
                        guard row.count == 2, row[0] >= 1, row[0] == row[0].rounded() else {
                            problems.add(facsURL.path, "expected rows of 'AU intensity'")
                            break
                        }
                        facs[Int(row[0])] = row[1]
                    }
                } catch let problem as LabelFile.Problem {
                    problems.add(facsURL.path, problem.message)
                    continue
                }
                var emotion: Int?
                let emotionURL = root.appendingPathComponent("Emotion/\(folder)/\(stem)_emotion.txt")
                if FileManager.default.fileExists(atPath: emotionURL.path) {
                    do {
                        let rows = try LabelFile.numbers(emotionURL)
                        if rows.count == 1, rows[0].count == 1, let code = Int(exactly: rows[0][0]), (0...7).contains(code) {
                            emotion = code
                        } else {
                            problems.add(emotionURL.path, "expected one emotion code 0…7")
                        }
                    } catch let problem as LabelFile.Problem {
                        problems.add(emotionURL.path, problem.message)
                    }
                }
                var landmarks: [SIMD2<Float>]?
                let landmarkURL = root.appendingPathComponent("Landmarks/\(folder)/\(stem)_landmarks.txt")
                if FileManager.default.fileExists(atPath: landmarkURL.path) {
                    do {
                        let rows = try LabelFile.numbers(landmarkURL)
                        if rows.count == 68, rows.allSatisfy({ $0.count == 2 }) {
                            landmarks = rows.map { SIMD2(Float($0[0]), Float($0[1])) }
                        } else {
                            problems.add(landmarkURL.path, "expected 68 rows of 'x y', found \(rows.count) rows")
                        }
                    } catch let problem as LabelFile.Problem {
                        problems.add(landmarkURL.path, problem.message)
                    }
                }
                result.append(CKPlusSequence(subject: subject, sequence: sequence,
                                             frames: names.map { images.appendingPathComponent("\(folder)/\($0)") },
                                             facs: facs, emotion: emotion, landmarks: landmarks))
            }
        }
        if result.isEmpty && problems.list.isEmpty { problems.add(images.path, "no sequences found") }
        try problems.check(dataset: "CK+", root: root)
        return result
    }

    /// Peak frames labelled 1 when `unit` is coded (any intensity), else 0; optionally cropped to a landmark region
    /// (e.g. `.upperFace`). Classes: ["AU<n> absent", "AU<n> present"].
    public func load(actionUnit unit: Int, region: FaceRegion? = nil) throws -> FaceDataset {
        let all = try sequences()
        var problems = TreeProblems()
        var samples = [FaceSample]()
        for s in all {
            var crop: CropBox?
            if let region {
                guard let landmarks = s.landmarks else {
                    problems.add(root.appendingPathComponent("Landmarks/\(s.subject)/\(s.sequence)").path,
                                 "landmarks of the peak frame are needed for a region crop")
                    continue
                }
                crop = region.cropBox(landmarks)
            }
            samples.append(FaceSample(image: s.peak, crop: crop, label: s.facs[unit] != nil ? 1 : 0, group: s.subject,
                                      key: "cohn-kanade-images/\(s.subject)/\(s.sequence)/\(s.peak.lastPathComponent)",
                                      landmarks: s.landmarks))
        }
        try problems.check(dataset: "CK+", root: root)
        return FaceDataset(name: "ckplus/AU\(unit)", classNames: ["AU\(unit) absent", "AU\(unit) present"], samples: samples)
    }

    /// Peak frames of sequences with an emotion code, labelled in AffectNet's order (0 Neutral … 7 Contempt).
    public func loadEmotions() throws -> FaceDataset {
        let samples = try sequences().compactMap { s -> FaceSample? in
            guard let code = s.emotion, let emotion = Emotion(ckPlusCode: code) else { return nil }
            return FaceSample(image: s.peak, crop: nil, label: emotion.rawValue, group: s.subject,
                              key: "cohn-kanade-images/\(s.subject)/\(s.sequence)/\(s.peak.lastPathComponent)",
                              landmarks: s.landmarks)
        }
        return FaceDataset(name: "ckplus/emotions", classNames: Emotion.names, samples: samples)
    }
}
