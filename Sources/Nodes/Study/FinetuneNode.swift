import Foundation
import Graph

/// `finetune`: trains a (partly frozen) model's unfrozen part on pain vs no pain with a new 2-class head.
public struct FinetuneNode: NodeKind {
    public static let kind = "finetune"
    public static let version = 1
    public static let summary = "Fine-tune the unfrozen part of a model on pain vs no pain (new head, focal γ=2, the study's augmentation)."
    public static let params: [ParamSpec] = TrainingParams.specs(epochs: 10, gamma: 2, classBalance: 0, augmentation: .pain)
    public static let inputs: [PortSpec] = [
        PortSpec("model", doc: "The model to fine-tune, frozen blocks set (freeze)."),
        PortSpec("data", doc: "A pain dataset (synth_faces like unbc, or unbc)."),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("model", doc: "weights.safetensors + model.json (task pain)"),
        OutputSpec("history", doc: "history.json"),
    ]

    public static func run(_ context: NodeContext) throws {
        let (artifact, splits) = try StudyTraining.withNewHead(context)
        context.log("fine-tuning with blocks 1…\(artifact.model.frozenBlocks) frozen")
        try StudyTraining.train(artifact, splits: splits, params: try TrainingParams(context.params), context: context)
    }
}
