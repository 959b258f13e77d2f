import Core
import Foundation
import Graph

/// `retrain_head`: all conv blocks of a model frozen, a new head for the dataset's classes trained on top;
/// measures what the features still know.
///
/// Without augmentation (the default) the block-5 features of every image are computed once and the head trains on
/// them — the same gradients as full passes at a fraction of the cost; with augmentation, images go through the
/// frozen blocks in every step.
public struct RetrainHeadNode: NodeKind {
    public static let kind = "retrain_head"
    public static let version = 1
    public static let summary = "Freeze every conv block of a model and train a new head on a dataset (train_base's defaults)."
    public static let params: [ParamSpec] = TrainingParams.specs(epochs: 8, gamma: 5, classBalance: 0.99998, augmentation: .none)
    public static let inputs: [PortSpec] = [
        PortSpec("model", doc: "A model whose features to probe (finetune)."),
        PortSpec("data", doc: "The dataset of the new head (the emotions of train_base)."),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("model", doc: "weights.safetensors + model.json"),
        OutputSpec("history", doc: "history.json"),
    ]

    public static func run(_ context: NodeContext) throws {
        let (artifact, splits) = try StudyTraining.withNewHead(context)
        let t = try TrainingParams(context.params)
        let model = artifact.model
        model.freezeDepth = .allConvBlocks
        guard t.augmentationValue == nil else {
            try StudyTraining.train(artifact, splits: splits, params: t, context: context)
            return
        }
        let (train, validation) = try StudyTraining.decode(splits, pipeline: artifact.pipeline, augmentation: nil, context: context)
        let started = Date()
        let trainFeatures = try InMemoryBatchSource(images: train.features(of: model, batchSize: 64), labels: train.labels)
        let validationFeatures = try InMemoryBatchSource(images: validation.features(of: model, batchSize: 64), labels: validation.labels)
        context.log(String(format: "block5 features of %d + %d images in %.1f s", train.count, validation.count, Date().timeIntervalSince(started)))
        try TrainingRun.fit(model, train: trainFeatures, validation: validationFeatures, params: t,
                            loss: try t.loss(counts: splits.train.classCounts), inputsAreFeatures: true,
                            context: context, historyDirectory: context.output("history"))
        try artifact.write(to: context.output("model"))
    }
}
