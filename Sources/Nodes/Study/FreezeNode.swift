import Core
import Foundation
import Graph

/// `freeze`: the same model with its first `blocks` conv blocks marked frozen; the sweep axis of the study.
public struct FreezeNode: NodeKind {
    public static let kind = "freeze"
    public static let version = 1
    public static let summary = "Mark the first `blocks` conv blocks (0…5) of a model frozen for the next training step."
    public static let params: [ParamSpec] = [
        .int("blocks", range: Double(FreezeDepth.range.lowerBound)...Double(FreezeDepth.range.upperBound), doc: "Conv blocks to freeze, counted from the input (0 = train everything, 5 = head only)."),
    ]
    public static let inputs: [PortSpec] = [PortSpec("model", doc: "A trained model (train_base).")]
    public static let outputs: [OutputSpec] = [OutputSpec("model", doc: "weights.safetensors + model.json with frozen_blocks set")]
    public static let usesSeed = false

    /// The checked params, decoded once.
    struct Params: Decodable { var blocks: Int }

    public static func run(_ context: NodeContext) throws {
        let p = try context.params.decode(Params.self)
        let input = try context.input("model")
        let artifact = try ModelArtifact.load(from: input.directory, instance: input.instance)
        artifact.model.freezeDepth = FreezeDepth(checked: p.blocks)
        try artifact.write(to: context.output())
        context.metric("frozen_blocks", Double(artifact.model.frozenBlocks))
    }
}
