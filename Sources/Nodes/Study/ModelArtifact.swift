import Core
import Faces
import Foundation
import Graph

/// What a model was trained to tell apart.
public enum ModelTask: String, Codable, Sendable {
    /// The 8 emotions of an AffectNet-layout dataset (`train_base`, `retrain_head`).
    case emotions
    /// Pain vs no pain of a UNBC-layout dataset (`finetune`).
    case pain
}

/// The `model` output of the training nodes: `weights.safetensors` (dotted names, with the architecture and frozen
/// blocks in its metadata) and `model.json` (architecture, classes, task, input preprocessing) — docs/artifacts.md §2.
public struct ModelArtifact {
    /// What `model.json` holds.
    public struct Description: Codable, Sendable, Equatable {
        public struct Configuration: Codable, Sendable, Equatable {
            public var inputSize: Int
            public var inputChannels: Int
            public var widthMultiplier: Double
            public var headWidths: [Int]
            public var classCount: Int
            public var dropout: Float
            enum CodingKeys: String, CodingKey {
                case inputSize = "input_size", inputChannels = "input_channels", widthMultiplier = "width_multiplier"
                case headWidths = "head_widths", classCount = "class_count", dropout
            }
        }

        public struct Preprocessing: Codable, Sendable, Equatable {
            public var size: Int
            public var channels: Int
            public var mean: [Float]
            public var std: [Float]
        }

        public var architecture: String
        public var configuration: Configuration
        /// `FreezeDepth.blocks`, checked when read.
        public var frozenBlocks: Int
        public var classNames: [String]
        public var task: ModelTask
        public var preprocessing: Preprocessing

        enum CodingKeys: String, CodingKey {
            case architecture, configuration, frozenBlocks = "frozen_blocks", classNames = "class_names", task, preprocessing
        }
    }

    public let model: VGG16
    public var classNames: [String]
    public var task: ModelTask
    public var normalization: Normalization

    public static let weightsFile = "weights.safetensors"
    public static let descriptionFile = "model.json"

    public init(model: VGG16, classNames: [String], task: ModelTask, normalization: Normalization) {
        self.model = model
        self.classNames = classNames
        self.task = task
        self.normalization = normalization
    }

    /// The decode → crop → resize → normalise pipeline the model was trained with.
    public var pipeline: ImagePipeline {
        ImagePipeline(size: model.configuration.inputSize, channels: model.configuration.inputChannels, normalization: normalization)
    }

    /// Reads an upstream model output; errors name the file and the upstream instance.
    public static func load(from directory: URL, instance: String) throws -> ModelArtifact {
        let url = directory.appendingPathComponent(descriptionFile)
        let d = try ArtifactJSON.decode(Description.self, from: url,
                                        expected: "not a model description (input \(instance) should be a train_base, freeze, finetune or retrain_head output)")
        let model = try VGG16.load(from: directory.appendingPathComponent(weightsFile))
        guard d.classNames.count == model.configuration.classCount, d.preprocessing.size == model.configuration.inputSize,
              d.preprocessing.channels == model.configuration.inputChannels, !d.preprocessing.mean.isEmpty,
              d.preprocessing.mean.count == d.preprocessing.std.count, d.preprocessing.std.allSatisfy({ $0 > 0 }) else {
            throw NodeFailure("\(url.path): \(d.classNames.count) classes and \(d.preprocessing.size) px × \(d.preprocessing.channels) input "
                + "do not fit the weights' \(model.configuration.classCount) classes and \(model.configuration.inputSize) px × \(model.configuration.inputChannels)")
        }
        model.freezeDepth = try FreezeDepth(d.frozenBlocks, field: "frozen_blocks", file: url.path)
        return ModelArtifact(model: model, classNames: d.classNames, task: d.task,
                             normalization: Normalization(mean: d.preprocessing.mean, std: d.preprocessing.std))
    }

    /// Writes `weights.safetensors` and `model.json` into `directory`.
    public func write(to directory: URL) throws {
        try model.saveWeights(to: directory.appendingPathComponent(Self.weightsFile))
        let c = model.configuration
        let d = Description(architecture: "vgg16",
                            configuration: .init(inputSize: c.inputSize, inputChannels: c.inputChannels, widthMultiplier: c.widthMultiplier,
                                                 headWidths: c.resolvedHeadWidths, classCount: c.classCount, dropout: c.dropout),
                            frozenBlocks: model.frozenBlocks, classNames: classNames, task: task,
                            preprocessing: .init(size: c.inputSize, channels: c.inputChannels, mean: normalization.mean, std: normalization.std))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(d).write(to: directory.appendingPathComponent(Self.descriptionFile))
    }
}
