import Core
import Faces
import Foundation
import Graph

/// The VGG16 architecture params of `train_base` (defaults from the experiment's top-level `model:` block).
enum ModelParams {
    static let spec = ParamSpec("model", .record([
        .int("input", default: 64, range: 32...1024, doc: "Input width and height, pixels (a multiple of 32)."),
        .int("channels", default: 3, allowed: [1, 3], doc: "Input channels."),
        .number("width", default: 0.25, range: 0.01...1, doc: "Width multiplier of the conv channels (1 = VGG16's 64…512)."),
        ParamSpec("head", .list(.int), default: .list([.int(512), .int(512)]), doc: "Hidden dense widths (VGG16: [4096, 4096])."),
        .number("dropout", default: 0.5, range: 0...0.95, doc: "Dropout rate after each hidden dense layer."),
    ]), shared: "model", doc: "The VGG16 architecture (defaults from the top-level model: block).")

    /// The checked `model` record.
    struct Values: Decodable { var input: Int; var channels: Int; var width: Double; var head: [Int]; var dropout: Float }

    static func configuration(_ m: Values, classCount: Int) throws -> VGG16Configuration {
        let configuration = VGG16Configuration(inputSize: m.input, inputChannels: m.channels, widthMultiplier: m.width,
                                               headWidths: m.head, classCount: classCount, dropout: m.dropout)
        try configuration.validate()
        return configuration
    }
}

/// `train_base`: VGG16 trained on 8 emotions, the study's first step.
public struct TrainBaseNode: NodeKind {
    public static let kind = "train_base"
    public static let version = 1
    /// The `init` value that centres and scales every layer on training images after a he_uniform draw.
    static let dataDependent = "data_dependent"
    public static let summary = "Train VGG16 on an emotion dataset (focal loss γ=5, class-balanced β=0.99998, flips; SGD lr 0.01)."
    public static let params: [ParamSpec] = [
        ModelParams.spec,
        .path("weights", optional: true, doc: "ImageNet weights for the conv blocks (safetensors, torchvision or dotted names); none = random init."),
        .string("init", default: "he_uniform", allowed: WeightInit.allCases.map(\.rawValue) + [dataDependent],
                doc: "Random initialisation without weights: he_uniform, glorot_uniform (Keras' default), or data_dependent (he_uniform, then every layer rescaled and centred on 256 training images, Krähenbühl et al. 2016: leaves the from-scratch plateau at once)."),
        .string("normalization", default: InputScaling.unit.rawValue, allowed: InputScaling.allCases.map(\.rawValue),
                doc: "Input scaling: unit (pixels in [0, 1]) or imagenet (per-channel mean/std, for ImageNet weights)."),
    ] + TrainingParams.specs(epochs: 8, gamma: 5, classBalance: 0.99998, augmentation: .flip)
    public static let inputs: [PortSpec] = [PortSpec("data", doc: "An emotion dataset (synth_faces like affectnet, or affectnet).")]
    public static let outputs: [OutputSpec] = [
        OutputSpec("model", doc: "weights.safetensors + model.json"),
        OutputSpec("history", doc: "history.json: per-epoch loss and accuracy, train and validation"),
    ]

    /// The `normalization` param.
    enum InputScaling: String, Decodable, CaseIterable {
        case unit, imagenet
    }

    /// The checked params (besides the training ones), decoded once.
    struct Params: Decodable {
        var model: ModelParams.Values
        var weights: String?
        var initialisation: String
        var normalization: InputScaling
        enum CodingKeys: String, CodingKey { case model, weights, initialisation = "init", normalization }
    }

    public static func run(_ context: NodeContext) throws {
        let p = try context.params.decode(Params.self)
        let t = try TrainingParams(context.params)
        let data = try context.input("data")
        let (dataset, root) = try DatasetArtifact.load(from: data.directory, instance: data.instance)
        let splits = try dataset.splits(root: root)
        let model = try VGG16(configuration: try ModelParams.configuration(p.model, classCount: splits.train.classNames.count), seed: context.seed)
        let initialisation = p.initialisation
        try model.initialise(WeightInit(rawValue: initialisation) ?? .heUniform, seed: context.seed)
        if let weights = p.weights {
            guard initialisation != dataDependent else {
                throw NodeFailure("params.init: data_dependent rescales every layer on the data, which would change the loaded "
                    + "weights; use he_uniform (the head's draw) with params.weights")
            }
            let url = context.params.resolve(weights)
            try model.loadConvWeights(from: url)
            context.log("conv blocks initialised from \(url.path)")
        }
        let normalization = p.normalization == .imagenet
            ? Normalization(mean: [0.485, 0.456, 0.406].prefix(model.configuration.inputChannels).map { $0 },
                            std: [0.229, 0.224, 0.225].prefix(model.configuration.inputChannels).map { $0 })
            : Normalization.unit
        let artifact = ModelArtifact(model: model, classNames: splits.train.classNames, task: .emotions, normalization: normalization)
        try StudyTraining.train(artifact, splits: splits, params: t, context: context) { train in
            guard initialisation == dataDependent else { return }
            let sample = try train.batch(indices: Array(0..<min(256, train.count)), seed: 0)
            try model.initialiseFromData(sample.input)
            context.log("data-dependent initialisation on \(sample.labels.count) training images")
        }
    }
}

/// What the training kinds share: a new head on an upstream model, decoding the splits, training a whole
/// (partly frozen) model and writing its outputs.
enum StudyTraining {
    /// The `model` input with a fresh head for the classes of the `data` input's dataset, and that dataset's splits
    /// (`finetune`, `retrain_head`).
    static func withNewHead(_ context: NodeContext) throws -> (ModelArtifact, FaceSplits) {
        let input = try context.input("model"), data = try context.input("data")
        var artifact = try ModelArtifact.load(from: input.directory, instance: input.instance)
        let (dataset, root) = try DatasetArtifact.load(from: data.directory, instance: data.instance)
        let splits = try dataset.splits(root: root)
        try artifact.model.replaceHead(classCount: splits.train.classNames.count, seed: context.seed)
        artifact.classNames = splits.train.classNames
        artifact.task = dataset.format == .unbc ? .pain : .emotions
        return (artifact, splits)
    }

    /// The training split (with `augmentation`) and the validation split decoded into memory; an empty validation
    /// split is an error (early stopping and the history need it).
    static func decode(_ splits: FaceSplits, pipeline: ImagePipeline, augmentation: Augmentation?,
                       context: NodeContext) throws -> (train: ImageSet, validation: ImageSet) {
        let started = Date()
        let train = try ImageSet(splits.train.samples, pipeline: pipeline, augmentation: augmentation)
        let validation = try ImageSet(splits.validation.samples, pipeline: pipeline)
        context.log(String(format: "decoded %d training and %d validation images in %.1f s", train.count, validation.count,
                           Date().timeIntervalSince(started)))
        guard validation.count > 0 else { throw NodeFailure("the dataset's validation split is empty (raise validation_fraction or validation_frames)") }
        return (train, validation)
    }

    /// `prepare` sees the decoded training source before the first step (e.g. for a data-dependent initialisation).
    static func train(_ artifact: ModelArtifact, splits: FaceSplits, params t: TrainingParams, context: NodeContext,
                      prepare: (Core.BatchSource) throws -> Void = { _ in }) throws {
        let (train, validation) = try decode(splits, pipeline: artifact.pipeline, augmentation: t.augmentationValue, context: context)
        try prepare(train)
        try TrainingRun.fit(artifact.model, train: train, validation: validation, params: t,
                            loss: try t.loss(counts: splits.train.classCounts), context: context, historyDirectory: context.output("history"))
        try artifact.write(to: context.output("model"))
    }
}
