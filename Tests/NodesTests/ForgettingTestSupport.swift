import Analysis
import Core
import Faces
import Foundation
import Testing
@testable import Graph
@testable import Nodes
import Randomness

/// A temporary project run in-process through the real graph runner, with the registry plus test-only kinds.
final class ForgettingProject: @unchecked Sendable {
    let dir: URL
    let kinds: [KindRef]
    var file: URL { dir.appendingPathComponent("exp.yaml") }
    var cache: URL { dir.appendingPathComponent("cache") }

    init(_ yaml: String, extraKinds: [KindRef] = []) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("forgetting-test-\(UUID().uuidString.prefix(10))")
        kinds = NodeRegistry.all + extraKinds
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try yaml.write(to: file, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func run(_ overrides: [String] = []) throws -> RunSummary {
        let e = try Experiment.load(file: file, kinds: kinds, overrides: overrides)
        return try Executor(experiment: e, store: try CacheStore(root: cache)).run(RunOptions(writeLockFile: false))
    }

    /// The output directory `output` of instance `id` in the cache.
    func outputDirectory(_ id: String, _ output: String, overrides: [String] = []) throws -> URL {
        let e = try Experiment.load(file: file, kinds: kinds, overrides: overrides)
        let store = try CacheStore(root: cache)
        guard let key = Planner.plan(e, store: store, lock: nil).first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        return store.entryDirectory(key).appendingPathComponent("outputs/\(output)")
    }

    /// The manifest's headline metrics of instance `id`.
    func metrics(_ id: String) throws -> [String: Double] {
        let e = try Experiment.load(file: file, kinds: kinds)
        let store = try CacheStore(root: cache)
        guard let key = Planner.plan(e, store: store, lock: nil).first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        let data = try Data(contentsOf: store.entryDirectory(key).appendingPathComponent("manifest.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["metrics"] as? [String: Double]) ?? [:]
    }
}

/// Fails the test with every instance's status and reason when a run did not succeed.
func expectSuccess(_ summary: RunSummary, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(!summary.failed, "\(summary.results.map { "\($0.id): \($0.status) \($0.reason ?? "")" })", sourceLocation: sourceLocation)
}

/// Test-only upstream: a randomly initialised tiny VGG16 written as a model output (docs/artifacts.md §2).
/// `favour`: when ≥ 0, that class's output bias is raised by 100 so the model always predicts it.
struct TestModelNode: NodeKind {
    static let kind = "test_model"
    static let version = 1
    static let summary = "test: a random tiny VGG16 model output"
    static let params: [ParamSpec] = [
        .int("init", default: 1, doc: "initialisation seed"),
        .int("size", default: 32, doc: "input size"),
        .int("channels", default: 3, doc: "input channels"),
        .int("favour", default: -1, doc: "class always predicted (-1: none)"),
        .number("width", default: 0.0625, doc: "width multiplier"),
        .int("head", default: 16, doc: "hidden dense width"),
        ParamSpec("class_names", .list(.string), default: .list(Emotion.names.map(ParamValue.string)), doc: "classes"),
    ]
    static let inputs: [PortSpec] = []
    static let outputs: [OutputSpec] = [OutputSpec("model", doc: "weights.safetensors, model.json")]
    static let usesSeed = false

    static let mean: [Float] = [0.5], std: [Float] = [0.25]

    static func run(_ context: NodeContext) throws {
        let names = (context.params["class_names"]?.listValue ?? []).compactMap(\.stringValue)
        let size = try context.params.int("size"), channels = try context.params.int("channels")
        let width = try context.params.double("width"), head = try context.params.int("head")
        let model = try VGG16(configuration: VGG16Configuration(inputSize: size, inputChannels: channels, widthMultiplier: width,
                                                                headWidths: [head], classCount: names.count, dropout: 0),
                              seed: UInt64(try context.params.int("init")))
        let favour = try context.params.int("favour")
        if favour >= 0 {
            let key = model.parameterKeys.last!
            var bias = model.parameter(key)!
            bias.data[favour] += 100
            try model.setParameter(key, bias)
        }
        try model.saveWeights(to: context.output().appendingPathComponent("weights.safetensors"))
        let json: [String: Any] = [
            "architecture": "vgg16",
            "configuration": ["input_size": size, "input_channels": channels, "width_multiplier": width, "head_widths": [head],
                              "class_count": names.count, "dropout": 0],
            "frozen_blocks": 0, "class_names": names, "task": "emotions",
            "preprocessing": ["size": size, "channels": channels, "mean": mean.map(Double.init), "std": std.map(Double.init)],
        ]
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            .write(to: context.output().appendingPathComponent("model.json"))
    }
}

/// Test-only upstream: a SynthFACS tree in the AffectNet or CK+ layout as a dataset output (docs/artifacts.md §1).
struct TestFacesNode: NodeKind {
    static let kind = "test_faces"
    static let version = 1
    static let summary = "test: a small SynthFACS dataset output"
    static let params: [ParamSpec] = [
        .string("like", default: "affectnet", allowed: ["affectnet", "ckplus"], doc: "layout"),
        .int("size", default: 48, doc: "image size"),
        .int("per_class", default: 4, doc: "AffectNet test images per class"),
        .int("subjects", default: 30, doc: "CK+ subjects"),
    ]
    static let inputs: [PortSpec] = []
    static let outputs: [OutputSpec] = [OutputSpec("dataset", doc: "dataset.json and tree/")]
    static let usesSeed = false

    static func run(_ context: NodeContext) throws {
        let like = try context.params.string("like")
        let tree = context.output().appendingPathComponent("tree")
        if like == "affectnet" {
            var o = SynthAffectNetOptions()
            o.images = 16
            o.testPerClass = try context.params.int("per_class")
            o.size = try context.params.int("size")
            o.identities = 20
            o.threads = 1
            _ = try SynthFACS.writeAffectNet(o, to: tree)
        } else {
            var o = SynthCKPlusOptions()
            o.subjects = try context.params.int("subjects")
            o.sequencesPerSubject = 2...3
            o.framesPerSequence = 2...2
            o.size = try context.params.int("size")
            o.threads = 1
            _ = try SynthFACS.writeCKPlus(o, to: tree)
        }
        let json: [String: Any] = ["format": like, "root": "tree", "options": [String: Any](), "class_names": Emotion.names,
                                   "split_seed": 7, "counts": [String: Any]()]
        try JSONSerialization.data(withJSONObject: json).write(to: context.output().appendingPathComponent("dataset.json"))
    }
}

/// Test-only upstream: a CK+-layout tree of plain images whose AU5 code is either visible (positives bright,
/// negatives dark: linearly separable in any features) or unrelated to the pixels (random codes).
struct ProbeFacesNode: NodeKind {
    static let kind = "probe_faces"
    static let version = 1
    static let summary = "test: CK+ layout with a separable or a random AU5"
    static let params: [ParamSpec] = [
        .string("mode", allowed: ["separable", "random"], doc: "how AU5 relates to the pixels"),
        .int("subjects", default: 40, doc: "one sequence each"),
    ]
    static let inputs: [PortSpec] = []
    static let outputs: [OutputSpec] = [OutputSpec("dataset", doc: "dataset.json and tree/")]
    static let usesSeed = false

    static func run(_ context: NodeContext) throws {
        let separable = try context.params.string("mode") == "separable"
        let tree = context.output().appendingPathComponent("tree")
        var rng = SplitMix64(seed: 99)
        for s in 0..<(try context.params.int("subjects")) {
            let subject = String(format: "S%03d", s + 1), stem = "\(subject)_001_00000001"
            let positive = separable ? s % 2 == 0 : Bool.random(using: &rng)
            let level: Float = separable ? (positive ? 0.75 : 0.25) : 0.5
            let pixels = (0..<(32 * 32)).map { _ in min(max(level + Float.random(in: -0.2...0.2, using: &rng), 0), 1) }
            let image = RasterImage(width: 32, height: 32, channels: 1, pixels: pixels)
            let folder = tree.appendingPathComponent("cohn-kanade-images/\(subject)/001")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try PNGCodec.write(image, to: folder.appendingPathComponent("\(stem).png"))
            let facs = tree.appendingPathComponent("FACS/\(subject)/001")
            try FileManager.default.createDirectory(at: facs, withIntermediateDirectories: true)
            let codes = positive ? [5.0, 1.0] : [1.0]
            try Data(codes.map { String(format: "%15.7e%15.7e\n", $0, 0.0) }.joined().utf8)
                .write(to: facs.appendingPathComponent("\(stem)_facs.txt"))
        }
        let json: [String: Any] = ["format": "ckplus", "root": "tree", "options": [String: Any](), "class_names": Emotion.names,
                                   "split_seed": 7, "counts": [String: Any]()]
        try JSONSerialization.data(withJSONObject: json).write(to: context.output().appendingPathComponent("dataset.json"))
    }
}
