import Foundation
import Randomness

/// Everything needed to resume training after an epoch: weights, frozen blocks, optimiser state, generator state.
///
/// Stored as one safetensors file: `param.<key>` and `optimizer.<buffer>` tensors; the epoch, optimiser steps,
/// generator state, frozen blocks and configuration in the metadata.
public struct TrainingSnapshot: Sendable, Equatable {
    /// Epochs completed when the snapshot was taken.
    public var epoch: Int
    /// The network's configuration (checked on resume).
    public var configuration: VGG16Configuration
    /// Frozen conv blocks of the model.
    public var freezeDepth: FreezeDepth
    /// Parameter values by dotted key.
    public var parameters: [String: Tensor]
    /// The optimiser's buffers (`Optimizer.buffers`).
    public var optimizerBuffers: [String: [Float]]
    /// Updates the optimiser had taken.
    public var optimizerSteps: Int
    /// The trainer's `Xoshiro256StarStar.state`.
    public var rngState: [UInt64]

    /// Writes the snapshot atomically to `url`.
    public func write(to url: URL) throws {
        var tensors: [(name: String, tensor: Tensor)] = parameters.keys.sorted().map { ("param.\($0)", parameters[$0]!) }
        tensors += optimizerBuffers.keys.sorted().map {
            ("optimizer.\($0)", Tensor(shape: [optimizerBuffers[$0]!.count], data: optimizerBuffers[$0]!))
        }
        let config = try configuration.canonicalJSON()
        try SafetensorsFile.write(tensors, metadata: [
            "epoch": "\(epoch)", "optimizer_steps": "\(optimizerSteps)", "frozen_blocks": freezeDepth.text, "configuration": config,
            "rng_state": rngState.map { String($0, radix: 16) }.joined(separator: ","),
        ], to: url)
    }

    /// Reads a snapshot written by `write(to:)`.
    public static func read(from url: URL) throws -> TrainingSnapshot {
        let file = try SafetensorsFile(contentsOf: url)
        func field(_ key: String) throws -> String {
            guard let v = file.metadata[key] else {
                throw CoreError.malformedFile(file: url.path, reason: "snapshot metadata '\(key)' is missing")
            }
            return v
        }
        guard let epoch = Int(try field("epoch")), let steps = Int(try field("optimizer_steps")),
              let config = try? JSONDecoder().decode(VGG16Configuration.self, from: Data(try field("configuration").utf8)) else {
            throw CoreError.malformedFile(file: url.path, reason: "snapshot metadata is invalid")
        }
        let frozen = try FreezeDepth(text: file.metadata["frozen_blocks"], field: "frozen_blocks", file: url.path)
        let words = try field("rng_state").split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw CoreError.malformedFile(file: url.path, reason: "snapshot rng_state must be four hex words")
        }
        var parameters: [String: Tensor] = [:], buffers: [String: [Float]] = [:]
        for name in file.names {
            if name.hasPrefix("param.") { parameters[String(name.dropFirst(6))] = try file.tensor(name) }
            if name.hasPrefix("optimizer.") { buffers[String(name.dropFirst(10))] = try file.tensor(name).data }
        }
        return TrainingSnapshot(epoch: epoch, configuration: config, freezeDepth: frozen, parameters: parameters,
                                optimizerBuffers: buffers, optimizerSteps: steps, rngState: words)
    }
}
