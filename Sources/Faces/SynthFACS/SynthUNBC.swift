import Foundation
import Randomness

/// Parameters of a synthetic UNBC-McMaster-like pain dataset.
public struct SynthUNBCOptions: Equatable, Sendable {
    /// Participants (UNBC has 25).
    public var participants = 25
    public var sequencesPerParticipant = 6
    public var framesPerSequence = 40
    public var size = 64
    public var seed: UInt64 = 7
    /// Probability that a sequence holds pain episodes (1–2 each).
    public var painfulSequenceRate = 0.75
    /// The actions drawn independently of pain (default: talking and smiles; empty: none).
    public var distractors: Set<PainDistractor> = [.talking, .smiles]
    /// Probability that a sequence holds talking (AU25/26) and, separately, a smile (AU12), when drawn.
    public var talkingRate = 0.4
    public var smileRate = 0.3
    public var channels = 3
    /// Per-sequence nuisance; frames of a sequence drift smoothly around it.
    public var nuisance = NuisanceRanges(rotation: 6, shift: 0.03, scale: 0.05, brightness: 0.08, contrast: 0.1, noise: 0.02)
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Deflate the PNGs (about 20% smaller files, about half the speed); default: stored uncompressed.
    public var compressPNG = false

    public init() {}

    func validate() throws {
        try SynthOptionsCheck.size(size)
        try SynthOptionsCheck.positive("participants", participants)
        try SynthOptionsCheck.positive("sequences", sequencesPerParticipant)
        guard framesPerSequence >= 10 else {
            throw FacesError.invalidParameter(name: "frames", expected: "at least 10 frames per sequence", found: "\(framesPerSequence)")
        }
        try SynthOptionsCheck.channels(channels)
        try SynthOptionsCheck.probability("painful_sequence_rate", painfulSequenceRate)
        try SynthOptionsCheck.probability("talking_rate", talkingRate)
        try SynthOptionsCheck.probability("smile_rate", smileRate)
    }
}

extension SynthFACS {
    /// The AUs pain episodes drive, each with a per-participant weight (AU43: a per-participant threshold):
    /// PSPI's AUs. Pain data hold no other AUs but the enabled distractors' (never AU5 or AU14).
    public static let painUnits: [ActionUnit] = [.au4, .au6, .au7, .au9, .au10, .au43]

    /// UNBC-style subject folder name for participant `index` (0-based).
    static func unbcSubject(_ index: Int) -> String { String(format: "%03d-sf%03d", index + 1, index + 1) }

    /// Writes a UNBC-McMaster-layout dataset under `root`: `Images/<subject>/<sequence>/<frame>.png`,
    /// `Frame_Labels/PSPI/…/<frame>_facs.txt` (PSPI), `Frame_Labels/FACS/…/<frame>_facs.txt` (AU, intensity rows)
    /// and `ground_truth.csv`.
    ///
    /// Pain episodes drive AU4, AU6/AU7, AU9/AU10 and AU43 with per-participant weights; the `distractors`
    /// (talking: AU25/26, smiles: AU12) occur independently of pain. AU5 and AU14 never occur. Every sequence
    /// draws its distractors' timing whether or not they are enabled, so switching one off changes only its AUs.
    public static func writeUNBC(_ o: SynthUNBCOptions, to root: URL) throws -> SynthSummary {
        try o.validate()
        let start = Date()
        let identities = (0..<o.participants).map { FaceIdentity.random(seed: o.seed ^ 0x0B5C, index: $0) }
        var jobs = [RenderJob]()
        var labels = [(subject: String, sequence: String, frame: String, pspi: Float)]()
        for p in 0..<o.participants {
            var pr = SplitMix64(deriving: o.seed, 0x9A1, UInt64(p))
            // Weights of AU4, AU6, AU7, AU9, AU10 (`painUnits` before AU43), then AU43's closing threshold.
            let weights = [pr.uniformF(0.5, 1.1), pr.uniformF(0.2, 1.1), pr.uniformF(0.2, 1.1), pr.uniformF(0.1, 0.9), pr.uniformF(0.1, 0.9)]
            let closing = pr.uniformF(2.5, 4.5)
            let subject = unbcSubject(p)
            for q in 0..<o.sequencesPerParticipant {
                var sr = SplitMix64(deriving: o.seed, 0x5E0, UInt64(p), UInt64(q))
                let sequence = String(format: "sf%03dt%daaaff", p + 1, q + 1)
                let n = o.framesPerSequence
                var envelope = [Float](repeating: 0, count: n)
                if sr.chance(o.painfulSequenceRate) {
                    for _ in 0..<(1 + sr.below(2)) {
                        let length = 8 + sr.below(max(1, min(24, n) - 8))
                        let first = sr.below(max(1, n - length))
                        let peak = sr.uniformF(1.5, 5)
                        for t in first..<min(n, first + length) {
                            let phase = Float(t - first + 1) / Float(length + 1)
                            envelope[t] = max(envelope[t], peak * sinf(.pi * phase))
                        }
                    }
                }
                let talking = sr.chance(o.talkingRate) ? (sr.below(n / 2), n / 4 + sr.below(n / 4)) : nil
                let smile = sr.chance(o.smileRate) ? (sr.below(n / 2), 6 + sr.below(n / 3), Float(1 + sr.below(3))) : nil
                let base = FaceNuisance.random(&sr, ranges: o.nuisance)
                let phase = sr.uniformF(0, 6.3)
                for t in 0..<n {
                    var aus = AUIntensities()
                    let e = envelope[t]
                    func code(_ x: Float) -> Float { min(max(x.rounded(), 0), 5) }
                    for (unit, weight) in zip(painUnits.dropLast(), weights) { aus[unit] = code(e * weight) }
                    aus[.au43] = e > closing ? 1 : 0
                    if o.distractors.contains(.talking), let (first, length) = talking, t >= first, t < first + length {
                        aus[.au25] = 2
                        aus[.au26] = code(1.5 + 1.5 * sinf(Float(t) * 1.3))
                    }
                    if o.distractors.contains(.smiles), let (first, length, level) = smile, t >= first, t < first + length {
                        aus[.au12] = level
                    }
                    var nuisance = base
                    nuisance.rotation += 2 * sinf(Float(t) * 0.15 + phase)
                    nuisance.shiftX += 0.01 * sinf(Float(t) * 0.11 + 2 * phase)
                    nuisance.shiftY += 0.008 * cosf(Float(t) * 0.13 + phase)
                    nuisance.noiseSeed = SplitMix64.mix(base.noiseSeed &+ UInt64(t))
                    let frame = sequence + String(format: "%03d", t + 1)
                    jobs.append(RenderJob(path: "Images/\(subject)/\(sequence)/\(frame).png", identity: p, aus: aus, nuisance: nuisance))
                    labels.append((subject, sequence, frame, aus.pspi))
                }
            }
        }
        let writer = SynthWriter(root: root, identities: identities, size: o.size, channels: o.channels, threads: o.threads,
                                 compress: o.compressPNG)
        var folders = Set<String>()
        for l in labels where folders.insert("\(l.subject)/\(l.sequence)").inserted {
            try FileIO.makeDirectory(root.appendingPathComponent("Frame_Labels/PSPI/\(l.subject)/\(l.sequence)"))
            try FileIO.makeDirectory(root.appendingPathComponent("Frame_Labels/FACS/\(l.subject)/\(l.sequence)"))
        }
        _ = try writer.run(jobs) { [labels, jobs] index, _ in
            let l = labels[index]
            let folder = "\(l.subject)/\(l.sequence)"
            try FileIO.writeFast(Array((SynthText.scientific(Double(l.pspi)) + "\n").utf8),
                                 to: root.appendingPathComponent("Frame_Labels/PSPI/\(folder)/\(l.frame)_facs.txt"))
            let facs = jobs[index].aus.active.map { SynthText.scientific(Double($0.unit.rawValue)) + SynthText.scientific(Double($0.intensity)) + "\n" }
            try FileIO.writeFast(Array(facs.joined().utf8),
                                 to: root.appendingPathComponent("Frame_Labels/FACS/\(folder)/\(l.frame)_facs.txt"))
            return ""
        }

        var truth = [SynthText.groundTruthHeader]
        var perClass = [Int: Int]()
        for (index, job) in jobs.enumerated() {
            let l = labels[index]
            let pain = l.pspi > 0 ? 1 : 0
            truth.append(SynthText.groundTruthRow(image: job.path, participant: l.subject, emotion: "", label: String(pain), aus: job.aus))
            perClass[pain, default: 0] += 1
        }
        try FileIO.write(truth.joined(separator: "\n") + "\n", to: root.appendingPathComponent("ground_truth.csv"))
        return SynthSummary(images: jobs.count, seconds: Date().timeIntervalSince(start), perClass: perClass)
    }
}
