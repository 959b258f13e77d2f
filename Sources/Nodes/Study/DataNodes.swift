import Faces
import Foundation
import Graph

/// Loader options shared by the data nodes: how the tree is split (deterministic; part of the key).
enum SplitParams {
    static let specs: [ParamSpec] = [
        .number("validation_fraction", default: 0.1, range: 0...0.9, doc: "AffectNet layout: share of the training list held out for validation (early stopping)."),
        .int("held_out", default: 4, range: 1...1000, doc: "UNBC layout: participants held out for testing (when test_participants is empty)."),
        ParamSpec("test_participants", .list(.string), default: .list([]), doc: "UNBC layout: the participants to test on (empty: held_out chosen by split_seed)."),
        .int("frames", default: 1000, range: 2...10_000_000, doc: "UNBC layout: balanced pain/no-pain training frames drawn from the other participants."),
        .int("validation_frames", default: 100, range: 1...10_000_000, doc: "UNBC layout: frames of those set aside for validation."),
        .int("split_seed", default: 7, range: 0...Double(UInt32.max), doc: "Seed of the splits (not of training)."),
    ]

    /// The checked split params, decoded once.
    struct Values: Decodable {
        /// AffectNet layout.
        var validationFraction: Double
        /// UNBC layout; on `unbc` one of the first two is null (`test_participants` names them or `held_out` draws them).
        var heldOut: Int?, testParticipants: [String]?, frames: Int, validationFrames: Int
        var splitSeed: Int
    }

    static func unbc(_ s: Values) -> UNBCSplitOptions {
        var o = UNBCSplitOptions()
        let listed = s.testParticipants ?? []
        o.testParticipants = listed.isEmpty ? nil : listed
        o.heldOut = s.heldOut ?? o.heldOut
        o.frames = s.frames
        o.validationFrames = s.validationFrames
        o.seed = UInt64(s.splitSeed)
        return o
    }

    /// Validates the tree by loading it once and writes `dataset.json`.
    static func describe(_ format: DatasetFormat, root: String, rootURL: URL, _ context: NodeContext) throws {
        let s = try context.params.decode(Values.self)
        let artifact = try DatasetArtifact.describe(format: format, root: root, rootURL: rootURL,
                                                    validationFraction: format == .affectnet ? s.validationFraction : nil,
                                                    unbc: format == .unbc ? unbc(s) : nil, splitSeed: UInt64(s.splitSeed))
        try artifact.write(to: context.output())
        for (split, counts) in artifact.counts.sorted(by: { $0.key < $1.key }) {
            context.log("\(split): \(counts.reduce(0, +)) images, per class \(zip(artifact.classNames, counts).map { "\($0) \($1)" }.joined(separator: ", "))")
            context.metric("\(split)_images", Double(counts.reduce(0, +)))
        }
    }
}

/// `synth_faces`: generates a SynthFACS dataset in one of the real layouts into the cache.
public struct SynthFacesNode: NodeKind {
    public static let kind = "synth_faces"
    public static let version = 2
    public static let summary = "Generate SynthFACS faces with known action units in the AffectNet, UNBC or CK+ layout."
    public static let params: [ParamSpec] = [
        .string("like", allowed: DatasetFormat.allCases.map(\.rawValue), doc: "The layout (and study role): affectnet (8 emotions), unbc (pain sequences), ckplus (AU-coded peaks)."),
        .int("size", default: 64, range: 16...1024, doc: "Image width and height, pixels."),
        .int("channels", default: 3, allowed: [1, 3], doc: "1 (grey) or 3 (RGB)."),
        .int("seed", default: 7, range: 0...Double(UInt32.max), doc: "Generator seed: same params, same bytes."),
        .int("images", default: 12_000, range: 8...10_000_000, doc: "affectnet: training images."),
        .int("test_per_class", default: 100, range: 1...100_000, doc: "affectnet: test images per class (the official validation list)."),
        .int("identities", default: 600, range: 1...1_000_000, doc: "affectnet: distinct faces."),
        .number("label_noise", default: 0.05, range: 0...1, doc: "affectnet: share of training labels replaced by a random class."),
        .bool("balanced", default: false, doc: "affectnet: equal class frequencies in the training list instead of AffectNet's imbalance."),
        .int("participants", default: 25, range: 2...10_000, doc: "unbc: participants."),
        .int("sequences", default: 6, range: 1...1000, doc: "unbc: sequences per participant."),
        .int("sequence_frames", default: 40, range: 2...10_000, doc: "unbc: frames per sequence."),
        ParamSpec("distractors", .list(.string), default: .list([.string("talking"), .string("smiles")]),
                  doc: "unbc: actions drawn independently of pain, which pain models learn to ignore: talking (AU25/26), smiles (AU12); [] for none.",
                  check: { value in
                      do { _ = try SynthFacesNode.distractors(value) } catch let FacesError.invalidParameter(_, expected, found) {
                          return "expected \(expected), found \(found)"
                      } catch { return "\(error)" }
                      return nil
                  }),
        .int("subjects", default: 120, range: 2...100_000, doc: "ckplus: subjects (2–7 posed sequences each)."),
    ] + SplitParams.specs
    public static let inputs: [PortSpec] = []
    public static let outputs: [OutputSpec] = [OutputSpec("dataset", doc: "The tree (tree/) and dataset.json.")]
    public static let usesSeed = false

    /// The checked generator params, decoded once (the split params: `SplitParams.Values`).
    struct Params: Decodable {
        /// Every layout's: which one, the image format and the generator seed.
        var like: DatasetFormat, size: Int, channels: Int, seed: Int
        /// `affectnet`'s.
        var images: Int, testPerClass: Int, identities: Int, labelNoise: Double, balanced: Bool
        /// `unbc`'s.
        var participants: Int, sequences: Int, sequenceFrames: Int, distractors: [String]
        /// `ckplus`'s.
        var subjects: Int
    }

    public static func run(_ context: NodeContext) throws {
        let p = try context.params.decode(Params.self)
        let like = p.like
        let tree = context.output().appendingPathComponent("tree")
        let size = p.size, channels = p.channels, seed = UInt64(p.seed)
        let summary: SynthSummary
        switch like {
        case .affectnet:
            var o = SynthAffectNetOptions()
            o.size = size; o.channels = channels; o.seed = seed
            o.images = p.images; o.testPerClass = p.testPerClass
            o.identities = p.identities; o.labelNoise = p.labelNoise
            if p.balanced { o.classWeights = [Double](repeating: 1, count: Emotion.allCases.count) }
            summary = try SynthFACS.writeAffectNet(o, to: tree)
        case .unbc:
            var o = SynthUNBCOptions()
            o.size = size; o.channels = channels; o.seed = seed
            o.participants = p.participants; o.sequencesPerParticipant = p.sequences
            o.framesPerSequence = p.sequenceFrames
            o.distractors = try PainDistractor.parse(p.distractors)
            summary = try SynthFACS.writeUNBC(o, to: tree)
        case .ckplus:
            var o = SynthCKPlusOptions()
            o.size = size; o.channels = channels; o.seed = seed
            o.subjects = p.subjects
            summary = try SynthFACS.writeCKPlus(o, to: tree)
        }
        context.log(String(format: "generated %d images in %.1f s", summary.images, summary.seconds))
        try SplitParams.describe(like, root: "tree", rootURL: tree, context)
    }

    /// The `distractors` param's names as distractors (throws on an unknown or repeated name).
    static func distractors(_ value: ParamValue?) throws -> Set<PainDistractor> {
        try PainDistractor.parse((value?.listValue ?? []).compactMap(\.stringValue))
    }
}

/// The real datasets: each reads the user's copy in its own layout; the files' fingerprint is part of the key.
struct RealDataNode {
    static func params(_ dataset: String) -> [ParamSpec] {
        [.path("root", doc: "Root of your copy of \(dataset), in its own layout (see docs/data.md).")] + SplitParams.specs
    }

    /// The checked `root` param, decoded once (the split params: `SplitParams.Values`).
    struct Params: Decodable { var root: String }

    static func run(_ format: DatasetFormat, _ context: NodeContext) throws {
        let root = context.params.resolve(try context.params.decode(Params.self).root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw NodeFailure("root \(root.path) is not a directory")
        }
        try SplitParams.describe(format, root: root.path, rootURL: root, context)
    }
}

/// `affectnet`: the AffectNet tree (training and validation CSV lists + images); 8 emotions.
public struct AffectNetNode: NodeKind {
    public static let kind = "affectnet"
    public static let version = 1
    public static let summary = "Your AffectNet copy: 8 emotions; the official validation list is the test split."
    public static let params = RealDataNode.params("AffectNet")
    public static let inputs: [PortSpec] = []
    public static let outputs: [OutputSpec] = [OutputSpec("dataset", doc: "dataset.json pointing at root.")]
    public static let usesSeed = false
    public static func run(_ context: NodeContext) throws { try RealDataNode.run(.affectnet, context) }
}

/// `unbc`: the UNBC-McMaster Shoulder Pain tree (Images/, Frame_Labels/PSPI); pain = PSPI > 0.
///
/// The test participants are a choice the experiment must state: `test_participants` names them (the study: the
/// 4 participants whose images may be published), or `held_out: N` asks for N drawn with `split_seed`. With
/// neither, the experiment does not validate.
public struct UNBCNode: NodeKind {
    public static let kind = "unbc"
    public static let version = 1
    public static let summary = "Your UNBC-McMaster copy: pain (PSPI > 0) vs no pain, named participants held out for testing."
    public static let params: [ParamSpec] = RealDataNode.params("UNBC-McMaster").map { testSet[$0.name] ?? $0 }
    /// The test-set params, without defaults: one of them must be set.
    static let testSet: [String: ParamSpec] = Dictionary(uniqueKeysWithValues: [
        ParamSpec("test_participants", .list(.string), optional: true,
                  doc: "The participants whose frames form the test set: their folder names under root/Images. The study's are the 4 whose images may be published (the archive's documentation names them). Required unless held_out is set.",
                  check: { value in
                      let names = (value.listValue ?? []).compactMap(\.stringValue)
                      if names.isEmpty { return "expected at least one participant folder name" }
                      if Set(names).count != names.count { return "a participant is listed twice" }
                      return nil
                  }),
        ParamSpec("held_out", .int, optional: true, range: 1...1000,
                  doc: "Instead of test_participants: draw this many test participants at random with split_seed (not the study's set)."),
    ].map { ($0.name, $0) })
    public static let inputs: [PortSpec] = []
    public static let outputs: [OutputSpec] = [OutputSpec("dataset", doc: "dataset.json pointing at root.")]
    public static let usesSeed = false

    public static func validate(_ params: [String: ParamValue]) -> [String] {
        let named = params["test_participants"].map { $0 != .null } ?? false
        let drawn = params["held_out"].map { $0 != .null } ?? false
        if named && drawn { return ["set test_participants or held_out, not both"] }
        if !named && !drawn {
            return ["test_participants is required: list the participants whose frames form the test set, by their folder "
                + "names under root/Images (the study's test set is the 4 participants whose images may be published; the "
                + "archive's documentation names them), e.g. --set pain_data.test_participants=[P1,P2,P3,P4]; or set "
                + "held_out: N to draw N participants at random with split_seed"]
        }
        return []
    }

    public static func run(_ context: NodeContext) throws { try RealDataNode.run(.unbc, context) }
}

/// `ckplus`: the CK+ tree (cohn-kanade-images/, FACS/, Emotion/, Landmarks/); AU codes for probes.
public struct CKPlusNode: NodeKind {
    public static let kind = "ckplus"
    public static let version = 1
    public static let summary = "Your CK+ copy: posed sequences with FACS codes (for concept probes) and emotions."
    public static let params = RealDataNode.params("CK+")
    public static let inputs: [PortSpec] = []
    public static let outputs: [OutputSpec] = [OutputSpec("dataset", doc: "dataset.json pointing at root.")]
    public static let usesSeed = false
    public static func run(_ context: NodeContext) throws { try RealDataNode.run(.ckplus, context) }
}
