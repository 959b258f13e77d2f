import Testing
@testable import Core

/// SGD with momentum and weight decay against hand-computed updates.
@Suite struct SGDTests {
    @Test func momentumAndWeightDecayFollowTheFormula() throws {
        let config = VGG16Configuration(inputSize: 32, inputChannels: 1, widthMultiplier: 0.0625, headWidths: [2], classCount: 2)
        let model = try VGG16(configuration: config, seed: 1)
        let i = model.parameterKeys.firstIndex(of: "head.fc2.weight")!
        let w0 = model.parameters[i].value
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        model.gradients[i] = [1, -2, 0.5, 0]
        sgd.step(model)
        // v1 = g + λw0; w1 = w0 − η·v1; then the same gradient again: v2 = μ·v1 + g + λw1; w2 = w1 − η·v2.
        let g: [Float] = [1, -2, 0.5, 0]
        let v1 = (0..<4).map { g[$0] + 0.01 * w0[$0] }
        let w1 = (0..<4).map { w0[$0] - 0.1 * v1[$0] }
        #expect(model.parameters[i].value == w1)
        model.gradients[i] = g
        sgd.step(model)
        let v2 = (0..<4).map { 0.9 * v1[$0] + (g[$0] + 0.01 * w1[$0]) }
        #expect(model.parameters[i].value == (0..<4).map { w1[$0] - 0.1 * v2[$0] })
        #expect(sgd.velocity["head.fc2.weight"] == v2)
    }
}
