import Foundation
import Testing
@testable import Core
import Randomness

/// Training the head on cached block-5 features must be exactly training on images with every conv block frozen.
@Suite struct HeadTrainingTests {
    @Test func headPassesOnFeaturesEqualFullPassesWithFrozenConvBlocks() throws {
        let configuration = VGG16Configuration(inputSize: 32, inputChannels: 3, widthMultiplier: 0.0625, headWidths: [16, 16],
                                               classCount: 4, dropout: 0.5)
        let model = try VGG16(configuration: configuration, seed: 11)
        try model.initialise(.heUniform, seed: 12)
        model.frozenBlocks = 5
        var rng = Xoshiro256StarStar(seed: 5)
        let input = Tensor(shape: [6, 3, 32, 32], data: (0..<(6 * 3 * 32 * 32)).map { _ in rng.nextUnitFloat() })
        let labels = [0, 1, 2, 3, 1, 0]
        let features = try model.activations(input, after: "block5")

        let sameLogits = try model.headLogits(features: features).data == model.logits(input).data
        #expect(sameLogits)
        var r1 = Xoshiro256StarStar(seed: 9), r2 = Xoshiro256StarStar(seed: 9)
        let full = try model.computeGradients(input: input, labels: labels, loss: .focal(gamma: 2), training: true, rng: &r1)
        let fullGradients = model.parameterKeys.map { model.gradient($0)?.data ?? [] }
        let head = try model.computeHeadGradients(features: features, labels: labels, loss: .focal(gamma: 2), training: true, rng: &r2)
        let headGradients = model.parameterKeys.map { model.gradient($0)?.data ?? [] }
        #expect(full.value == head.value && full.correct == head.correct)
        for (key, (g1, g2)) in zip(model.parameterKeys, zip(fullGradients, headGradients)) {
            let same = g1 == g2
            #expect(same, "gradient of \(key)")
        }
        model.frozenBlocks = 4
        #expect(throws: CoreError.self) { try model.computeHeadGradients(features: features, labels: labels, loss: .focal(gamma: 2), training: true, rng: &r2) }
        #expect(throws: CoreError.self) { try model.headLogits(features: input) }
    }

    @Test func heInitialisationHasTheStatedBounds() throws {
        let model = try VGG16(configuration: VGG16Configuration(inputSize: 32, widthMultiplier: 0.0625, headWidths: [16, 16], classCount: 3), seed: 1)
        try model.initialise(.heUniform, seed: 2)
        for key in model.parameterKeys {
            let p = model.parameter(key)!
            if p.shape.count == 1 { #expect(p.data.allSatisfy { $0 == 0 }); continue }
            let limit = Float((6.0 / Double(p.shape.dropFirst().reduce(1, *))).squareRoot())
            #expect(p.data.allSatisfy { abs($0) <= limit } && p.data.map(abs).max()! > 0.9 * limit, "\(key)")
        }
    }
}
