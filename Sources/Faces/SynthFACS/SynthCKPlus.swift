import Foundation
import Randomness

/// Parameters of a synthetic CK+-like posed-expression dataset.
public struct SynthCKPlusOptions: Equatable, Sendable {
    /// Subjects (CK+ has 123).
    public var subjects = 120
    /// Sequences per subject are drawn from this range (CK+ averages about 4.8).
    public var sequencesPerSubject = 2...7
    /// Frames per sequence, neutral first, peak last.
    public var framesPerSequence = 6...12
    public var size = 64
    public var seed: UInt64 = 7
    /// Fraction of sequences posing an emotion (with an `Emotion/` file); the rest pose AU combinations.
    public var emotionRate = 0.55
    /// CK+ is mostly greyscale.
    public var channels = 1
    /// Per-sequence nuisance (posed, lab conditions: small).
    public var nuisance = NuisanceRanges(rotation: 3, shift: 0.02, scale: 0.04, brightness: 0.05, contrast: 0.1, noise: 0.015)
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Deflate the PNGs (about 20% smaller files, about half the speed); default: stored uncompressed.
    public var compressPNG = false

    public init() {}

    func validate() throws {
        try SynthOptionsCheck.size(size)
        try SynthOptionsCheck.positive("subjects", subjects)
        guard sequencesPerSubject.lowerBound >= 1 else {
            throw FacesError.invalidParameter(name: "sequences", expected: "at least 1", found: "\(sequencesPerSubject)")
        }
        guard framesPerSequence.lowerBound >= 2 else {
            throw FacesError.invalidParameter(name: "frames", expected: "at least 2", found: "\(framesPerSequence)")
        }
        try SynthOptionsCheck.channels(channels)
        try SynthOptionsCheck.probability("emotion_rate", emotionRate)
    }
}

extension SynthFACS {
    /// AU combinations posed without an emotion label; AU5 and AU14 appear alone and in company, and are absent
    /// from most other combinations.
    static let posedCombinations: [[ActionUnit]] = [
        [.au1], [.au2], [.au1, .au2], [.au4], [.au5], [.au1, .au2, .au5], [.au5, .au26], [.au4, .au5], [.au6], [.au7],
        [.au4, .au7], [.au9], [.au10], [.au9, .au10], [.au12], [.au6, .au12], [.au12, .au25], [.au14], [.au14, .au17],
        [.au12, .au14], [.au15], [.au15, .au17], [.au17], [.au20], [.au20, .au25], [.au23], [.au25], [.au26],
        [.au25, .au26], [.au43], [.au1, .au4],
    ]

    /// CK+ emotion frequencies (anger, contempt, disgust, fear, happy, sadness, surprise) as `Emotion` weights.
    static let ckPlusEmotionWeights: [Double] = [0, 69, 28, 83, 25, 59, 45, 18]

    /// Writes a CK+-layout dataset under `root`: `cohn-kanade-images/S###/###/S###_###_########.png`,
    /// `FACS/…_facs.txt` (peak frame AU codes), `Emotion/…_emotion.txt` (emotion sequences only),
    /// `Landmarks/…_landmarks.txt` (every frame) and `ground_truth.csv`.
    public static func writeCKPlus(_ o: SynthCKPlusOptions, to root: URL) throws -> SynthSummary {
        try o.validate()
        let start = Date()
        let identities = (0..<o.subjects).map { FaceIdentity.random(seed: o.seed ^ 0xC4, index: $0) }
        var jobs = [RenderJob]()
        var meta = [(stem: String, folder: String, peak: Bool, emotion: Emotion?, subject: String)]()
        for s in 0..<o.subjects {
            var sr = SplitMix64(deriving: o.seed, 0xC1, UInt64(s))
            let subject = String(format: "S%03d", s + 5)
            let count = o.sequencesPerSubject.lowerBound + sr.below(o.sequencesPerSubject.count)
            for q in 0..<count {
                var qr = SplitMix64(deriving: o.seed, 0xC2, UInt64(s), UInt64(q))
                let sequence = String(format: "%03d", q + 1)
                var peak = AUIntensities()
                var emotion: Emotion?
                if qr.chance(o.emotionRate) {
                    let e = Emotion(rawValue: qr.weighted(ckPlusEmotionWeights))!
                    emotion = e
                    peak = sampleExpression(e, &qr, optionalRate: 0.5, offPrototypeRate: 0.15)
                } else {
                    for unit in posedCombinations[qr.below(posedCombinations.count)] { peak[unit] = Float(2 + qr.below(4)) }
                    if peak[.au14] > 0 && qr.chance(0.3) { peak[.au14, qr.chance(0.5) ? .left : .right] = 0 }
                }
                let frames = o.framesPerSequence.lowerBound + qr.below(o.framesPerSequence.count)
                let base = FaceNuisance.random(&qr, ranges: o.nuisance)
                for t in 0..<frames {
                    let progress = Float(t) / Float(frames - 1)
                    let aus = t == frames - 1 ? peak : peak.scaled(by: progress * progress * (3 - 2 * progress))
                    var nuisance = base
                    nuisance.noiseSeed = SplitMix64.mix(base.noiseSeed &+ UInt64(t))
                    let stem = "\(subject)_\(sequence)_\(String(format: "%08d", t + 1))"
                    let folder = "\(subject)/\(sequence)"
                    jobs.append(RenderJob(path: "cohn-kanade-images/\(folder)/\(stem).png", identity: s, aus: aus, nuisance: nuisance))
                    meta.append((stem, folder, t == frames - 1, emotion, subject))
                }
            }
        }
        let writer = SynthWriter(root: root, identities: identities, size: o.size, channels: o.channels, threads: o.threads,
                                 compress: o.compressPNG)
        var folders = Set<String>()
        for m in meta where folders.insert(m.folder).inserted {
            for top in ["FACS", "Emotion", "Landmarks"] { try FileIO.makeDirectory(root.appendingPathComponent("\(top)/\(m.folder)")) }
        }
        _ = try writer.run(jobs) { [meta, jobs] index, face in
            let m = meta[index]
            let points = face.landmarks.map { SynthText.scientific(Double($0.x)) + SynthText.scientific(Double($0.y)) + "\n" }
            try FileIO.writeFast(Array(points.joined().utf8), to: root.appendingPathComponent("Landmarks/\(m.folder)/\(m.stem)_landmarks.txt"))
            guard m.peak else { return "" }
            let facs = jobs[index].aus.active.map { SynthText.scientific(Double($0.unit.rawValue)) + SynthText.scientific(Double($0.intensity)) + "\n" }
            try FileIO.writeFast(Array(facs.joined().utf8), to: root.appendingPathComponent("FACS/\(m.folder)/\(m.stem)_facs.txt"))
            if let emotion = m.emotion {
                try FileIO.writeFast(Array((SynthText.scientific(Double(emotion.ckPlusCode)) + "\n").utf8),
                                     to: root.appendingPathComponent("Emotion/\(m.folder)/\(m.stem)_emotion.txt"))
            }
            return ""
        }

        var truth = [SynthText.groundTruthHeader]
        var perClass = [Int: Int]()
        for (index, job) in jobs.enumerated() {
            let m = meta[index]
            if m.peak, let emotion = m.emotion { perClass[emotion.ckPlusCode, default: 0] += 1 }
            truth.append(SynthText.groundTruthRow(image: job.path, participant: m.subject,
                                                  emotion: m.peak ? (m.emotion.map { String($0.rawValue) } ?? "") : "",
                                                  label: "", aus: job.aus))
        }
        try FileIO.write(truth.joined(separator: "\n") + "\n", to: root.appendingPathComponent("ground_truth.csv"))
        return SynthSummary(images: jobs.count, seconds: Date().timeIntervalSince(start), perClass: perClass)
    }
}
