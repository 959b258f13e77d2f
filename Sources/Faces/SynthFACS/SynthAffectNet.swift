import Foundation
import Randomness

/// Parameters of a synthetic AffectNet-like dataset.
public struct SynthAffectNetOptions: Equatable, Sendable {
    /// Rows of `training.csv` (the training list).
    public var images = 12_000
    /// Rows per class of `validation.csv` (the official validation list, used as the test set; AffectNet has 500).
    public var testPerClass = 100
    /// Image width and height, pixels.
    public var size = 64
    public var seed: UInt64 = 7
    /// Distinct synthetic people.
    public var identities = 600
    /// Probability that a training row's written label is replaced by another class (the truth stays in the
    /// ground-truth table).
    public var labelNoise = 0.05
    /// Relative class frequencies of the training list (AffectNet's imbalance by default; all equal = balanced).
    public var classWeights = Emotion.affectNetTrainingCounts
    /// Probability of each optional prototype AU.
    public var optionalRate = 0.5
    /// Probability of one extra off-prototype AU at intensity 1–2.
    public var offPrototypeRate = 0.3
    /// Fraction of training rows labelled 8–10 (None, Uncertain, Non-Face), which loaders must exclude.
    public var excludedRate = 0.01
    /// 3 (RGB) or 1 (grey).
    public var channels = 3
    public var nuisance = NuisanceRanges()
    /// Worker threads (default: all cores).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Deflate the PNGs (about 20% smaller files, about half the speed); default: stored uncompressed.
    public var compressPNG = false

    public init() {}

    func validate() throws {
        try SynthOptionsCheck.size(size)
        try SynthOptionsCheck.positive("images", images)
        try SynthOptionsCheck.positive("test_per_class", testPerClass)
        try SynthOptionsCheck.positive("identities", identities)
        try SynthOptionsCheck.channels(channels)
        try SynthOptionsCheck.probability("label_noise", labelNoise)
        try SynthOptionsCheck.probability("excluded_rate", excludedRate)
        try SynthOptionsCheck.probability("optional_rate", optionalRate)
        try SynthOptionsCheck.probability("off_prototype_rate", offPrototypeRate)
        guard classWeights.count == 8, classWeights.allSatisfy({ $0 >= 0 }), classWeights.contains(where: { $0 > 0 }) else {
            throw FacesError.invalidParameter(name: "class_weights", expected: "8 non-negative weights, one positive",
                                              found: "\(classWeights)")
        }
    }
}

/// Counts of what a SynthFACS run wrote.
public struct SynthSummary: Equatable, Sendable {
    /// Images written.
    public var images: Int
    /// Wall-clock seconds for rendering and writing.
    public var seconds: Double
    /// Images per class label (AffectNet: written training labels 0–10; UNBC: [no pain, pain]; CK+: emotion codes 0–7).
    public var perClass: [Int: Int]
}

extension SynthFACS {
    /// Writes an AffectNet-layout dataset under `root`: `Manually_Annotated_Images/…/*.png`,
    /// `Manually_Annotated_file_lists/training.csv` and `validation.csv`, and `ground_truth.csv`.
    public static func writeAffectNet(_ o: SynthAffectNetOptions, to root: URL) throws -> SynthSummary {
        try o.validate()
        let start = Date()
        let identities = (0..<o.identities).map { FaceIdentity.random(seed: o.seed, index: $0) }
        var jobs = [RenderJob]()
        var rows = [(list: Int, label: Int, truth: Emotion?, valence: Double, arousal: Double)]()
        var r = SplitMix64(deriving: o.seed, 0xAFFEC7)
        var plan = [(list: Int, emotion: Emotion?, label: Int)]()
        for _ in 0..<o.images {
            if r.chance(o.excludedRate) {
                plan.append((0, nil, 8 + r.below(3)))
                continue
            }
            let emotion = Emotion(rawValue: r.weighted(o.classWeights))!
            var label = emotion.rawValue
            if r.chance(o.labelNoise) { label = (label + 1 + r.below(7)) % 8 }
            plan.append((0, emotion, label))
        }
        for emotion in Emotion.allCases {
            for _ in 0..<o.testPerClass { plan.append((1, emotion, emotion.rawValue)) }
        }
        for (index, item) in plan.enumerated() {
            var ir = SplitMix64(deriving: o.seed, 0xFACE, UInt64(index))
            let aus: AUIntensities
            if let emotion = item.emotion {
                aus = SynthFACS.sampleExpression(emotion, &ir, optionalRate: o.optionalRate, offPrototypeRate: o.offPrototypeRate)
            } else {
                aus = SynthFACS.sampleRandomAUs(&ir)
            }
            let nuisance = FaceNuisance.random(&ir, ranges: o.nuisance)
            let folder = String(format: "%03d", index / 1000)
            jobs.append(RenderJob(path: "Manually_Annotated_Images/\(folder)/\(String(format: "%06d", index)).png",
                                  identity: ir.below(o.identities), aus: aus, nuisance: nuisance))
            let (v, a) = item.emotion?.valenceArousal ?? (0, 0)
            rows.append((item.list, item.label, item.emotion,
                         min(max(v + 0.15 * ir.normal(), -1), 1), min(max(a + 0.15 * ir.normal(), -1), 1)))
        }
        let writer = SynthWriter(root: root, identities: identities, size: o.size, channels: o.channels, threads: o.threads,
                                 compress: o.compressPNG)
        let listRows = try writer.run(jobs) { [rows, jobs] index, face in
            let row = rows[index]
            let relative = jobs[index].path.dropFirst("Manually_Annotated_Images/".count)
            let points = face.landmarks.map { SynthText.twoDecimals($0.x) + ";" + SynthText.twoDecimals($0.y) }.joined(separator: ";")
            return "\(relative),0,0,\(o.size),\(o.size),\(points),\(row.label),"
                + SynthText.twoDecimals(Float(row.valence)) + "," + SynthText.twoDecimals(Float(row.arousal))
        }

        let header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal"
        var lists = [[header], [header]]
        var truth = [SynthText.groundTruthHeader]
        var perClass = [Int: Int]()
        for (index, job) in jobs.enumerated() {
            let row = rows[index]
            lists[row.list].append(listRows[index])
            truth.append(SynthText.groundTruthRow(image: job.path, participant: String(job.identity),
                                                  emotion: row.truth.map { String($0.rawValue) } ?? "",
                                                  label: String(row.label), aus: job.aus))
            perClass[row.label, default: 0] += 1
        }
        let listDirectory = root.appendingPathComponent("Manually_Annotated_file_lists")
        try FileIO.makeDirectory(listDirectory)
        try FileIO.write(lists[0].joined(separator: "\n") + "\n", to: listDirectory.appendingPathComponent("training.csv"))
        try FileIO.write(lists[1].joined(separator: "\n") + "\n", to: listDirectory.appendingPathComponent("validation.csv"))
        try FileIO.write(truth.joined(separator: "\n") + "\n", to: root.appendingPathComponent("ground_truth.csv"))
        return SynthSummary(images: jobs.count, seconds: Date().timeIntervalSince(start), perClass: perClass)
    }
}

/// The SynthFACS generator: synthetic faces with known action units, written in the real datasets' layouts.
public enum SynthFACS {
    /// AUs of one expression: the first two core AUs always, later core AUs dropping out with probability 0.15,
    /// optional AUs with `optionalRate`, intensities around a per-image strength, maybe one weak off-prototype AU.
    /// Contempt is unilateral (one random side).
    static func sampleExpression(_ emotion: Emotion, _ r: inout SplitMix64, optionalRate: Double,
                                 offPrototypeRate: Double) -> AUIntensities {
        var aus = AUIntensities()
        let strength = r.uniform(1.5, 5)
        func intensity() -> Float { Float(min(max((strength + r.uniform(-1, 1)).rounded(), 1), 5)) }
        let (core, optional) = emotion.prototype
        for (i, unit) in core.enumerated() {
            // The first two core AUs define the expression; later ones may drop out.
            if i >= 2 && r.chance(0.15) { continue }
            aus[unit] = intensity()
        }
        for unit in optional where r.chance(optionalRate) { aus[unit] = intensity() }
        if emotion == .contempt {
            let still: FaceSide = r.chance(0.5) ? .left : .right
            aus[.au12, still] = 0
            aus[.au14, still] = 0
        }
        if r.chance(offPrototypeRate) {
            let candidates = ActionUnit.allCases.filter { aus[$0] == 0 && $0 != .au43 }
            aus[candidates[r.below(candidates.count)]] = Float(1 + r.below(2))
        }
        return aus
    }

    /// A random mixture of 1–3 AUs (rows labelled None/Uncertain/Non-Face).
    static func sampleRandomAUs(_ r: inout SplitMix64) -> AUIntensities {
        var aus = AUIntensities()
        for _ in 0..<(1 + r.below(3)) {
            let unit = ActionUnit.allCases[r.below(ActionUnit.allCases.count)]
            aus[unit] = Float(1 + r.below(5))
        }
        return aus
    }
}

/// Shared parameter checks of the SynthFACS options.
enum SynthOptionsCheck {
    static func size(_ size: Int) throws {
        guard (16...1024).contains(size) else {
            throw FacesError.invalidParameter(name: "size", expected: "16…1024 pixels (48…224 intended)", found: "\(size)")
        }
    }
    static func positive(_ name: String, _ value: Int) throws {
        guard value > 0 else { throw FacesError.invalidParameter(name: name, expected: "a positive integer", found: "\(value)") }
    }
    static func channels(_ value: Int) throws {
        guard value == 1 || value == 3 else { throw FacesError.invalidParameter(name: "channels", expected: "1 or 3", found: "\(value)") }
    }
    static func probability(_ name: String, _ value: Double) throws {
        guard (0...1).contains(value) else { throw FacesError.invalidParameter(name: name, expected: "a probability in [0, 1]", found: "\(value)") }
    }
}
