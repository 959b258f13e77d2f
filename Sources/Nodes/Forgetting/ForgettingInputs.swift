import Core
import Faces
import Foundation
import Graph

/// The model of a model artifact (CONTRACTS §2) with its class names and input pipeline.
struct ForgettingModel {
    let model: VGG16
    let classNames: [String]
    /// Decode, crop, resize and normalise exactly as training did (no augmentation).
    let pipeline: ImagePipeline

    private struct ModelFile: Decodable {
        struct Preprocessing: Decodable {
            var size: Int
            var channels: Int
            var mean: [Float]
            var std: [Float]
        }
        var classNames: [String]
        var preprocessing: Preprocessing

        enum CodingKeys: String, CodingKey {
            case classNames = "class_names", preprocessing
        }
    }

    /// Reads `model.json` and `weights.safetensors` from an upstream model output.
    static func load(_ input: InputArtifact) throws -> ForgettingModel {
        let jsonURL = input.directory.appendingPathComponent("model.json")
        let file: ModelFile
        do {
            file = try JSONDecoder().decode(ModelFile.self, from: Data(contentsOf: jsonURL))
        } catch {
            throw NodeFailure("\(jsonURL.path): not a model description (input \(input.instance)): \(error)")
        }
        let model = try VGG16.load(from: input.directory.appendingPathComponent("weights.safetensors"))
        let p = file.preprocessing
        guard p.size == model.configuration.inputSize, p.channels == model.configuration.inputChannels,
              !p.mean.isEmpty, p.mean.count == p.std.count, p.std.allSatisfy({ $0 > 0 }) else {
            throw NodeFailure("\(jsonURL.path): preprocessing \(p.size) px × \(p.channels) channels, mean \(p.mean), std \(p.std) "
                + "does not fit the network's \(model.configuration.inputSize) px × \(model.configuration.inputChannels) input")
        }
        guard file.classNames.count == model.configuration.classCount else {
            throw NodeFailure("\(jsonURL.path): \(file.classNames.count) class names for a network with \(model.configuration.classCount) outputs")
        }
        return ForgettingModel(model: model, classNames: file.classNames,
                               pipeline: ImagePipeline(size: p.size, channels: p.channels,
                                                       normalization: Normalization(mean: p.mean, std: p.std)))
    }

    /// The network's input batch [N, C, S, S] for `samples`, and the unnormalised images in [0, 1].
    func batch(_ samples: ArraySlice<FaceSample>) throws -> (input: Tensor, images: [RasterImage]) {
        let images = try samples.map(pipeline.load)
        let data = images.flatMap { $0.normalized(pipeline.normalization) }
        return (Tensor(shape: [images.count, pipeline.channels, pipeline.height, pipeline.width], data: data), images)
    }

    /// The predicted class of each sample (arg-max of the logits; ties: the lower class), in batches.
    func predictions(_ samples: [FaceSample], batchSize: Int) throws -> [Int] {
        var out: [Int] = []
        for start in stride(from: 0, to: samples.count, by: batchSize) {
            let logits = try model.logits(batch(samples[start..<min(start + batchSize, samples.count)]).input)
            let k = logits.shape[1]
            for i in 0..<logits.shape[0] { out.append(EvaluateNode.argmax(logits.data[i * k..<(i + 1) * k])) }
        }
        return out
    }
}

/// The dataset of a dataset artifact (CONTRACTS §1).
struct ForgettingDataset {
    let format: String
    let root: URL
    let classNames: [String]
    let directory: URL

    private struct DatasetFile: Decodable {
        var format: String
        var root: String
        var classNames: [String]?

        enum CodingKeys: String, CodingKey {
            case format, root, classNames = "class_names"
        }
    }

    /// Reads `dataset.json` from an upstream dataset output.
    static func load(_ input: InputArtifact) throws -> ForgettingDataset {
        let url = input.directory.appendingPathComponent("dataset.json")
        let file: DatasetFile
        do {
            file = try JSONDecoder().decode(DatasetFile.self, from: Data(contentsOf: url))
        } catch {
            throw NodeFailure("\(url.path): not a dataset description (input \(input.instance)): \(error)")
        }
        let root = file.root.hasPrefix("/") ? URL(fileURLWithPath: file.root) : input.directory.appendingPathComponent(file.root)
        return ForgettingDataset(format: file.format, root: root, classNames: file.classNames ?? Emotion.names, directory: input.directory)
    }

    /// The AU-coded peak frames of a CK+-layout dataset.
    func ckplus() throws -> CKPlusLoader {
        guard format == "ckplus" else {
            throw NodeFailure("\(directory.appendingPathComponent("dataset.json").path): format is '\(format)', expected 'ckplus' "
                + "(an AU-coded dataset in the CK+ layout: real CK+ or synth_faces with like: ckplus)")
        }
        return CKPlusLoader(root: root)
    }

    /// The labelled images of the test split (AffectNet: its validation list; CK+: every emotion-coded peak frame).
    func testSet() throws -> FaceDataset {
        switch format {
        case "affectnet": return try AffectNetLoader(root: root).load(validationFraction: 0, checkImages: false).test
        case "ckplus": return try CKPlusLoader(root: root).loadEmotions()
        default:
            throw NodeFailure("\(directory.appendingPathComponent("dataset.json").path): format '\(format)' has no emotion test split "
                + "for saliency; expected 'affectnet' or 'ckplus'")
        }
    }
}
