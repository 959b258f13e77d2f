import Foundation
import Testing
@testable import Core

/// Adam against its formula evaluated by hand in double precision.
@Suite struct AdamTests {
    @Test func twoStepsFollowTheFormula() throws {
        let config = VGG16Configuration(inputSize: 32, inputChannels: 1, widthMultiplier: 0.0625, headWidths: [2], classCount: 2)
        let model = try VGG16(configuration: config, seed: 1)
        model.frozenBlocks = 5
        let i = model.parameterKeys.firstIndex(of: "head.fc2.weight")!
        let frozen = model.parameterKeys.firstIndex(of: "block5.conv3.weight")!
        let w0 = model.parameters[i].value.map(Double.init)
        let frozenBefore = model.parameters[frozen].value
        var adam = Adam(learningRate: 0.01, weightDecay: 0.1)
        let gradients: [[Double]] = [[1, -2, 0.5, 0], [0.25, 3, -1, 1e-3]]
        // Reference: the same recursion in Double.
        var w = w0, m = [Double](repeating: 0, count: 4), v = m
        for (t, g) in gradients.enumerated() {
            model.gradients[i] = g.map(Float.init)
            model.gradients[frozen] = [Float](repeating: 1, count: frozenBefore.count)
            adam.step(model)
            for j in 0..<4 {
                let gj = g[j] + 0.1 * w[j]
                m[j] = 0.9 * m[j] + 0.1 * gj
                v[j] = 0.999 * v[j] + 0.001 * gj * gj
                let mHat = m[j] / (1 - pow(0.9, Double(t + 1))), vHat = v[j] / (1 - pow(0.999, Double(t + 1)))
                w[j] -= 0.01 * mHat / (vHat.squareRoot() + 1e-7)
            }
            let got = model.parameters[i].value
            #expect((0..<4).allSatisfy { abs(Double(got[$0]) - w[$0]) < 1e-6 }, "step \(t + 1): \(got) vs \(w)")
        }
        #expect(adam.steps == 2)
        #expect(model.parameters[frozen].value == frozenBefore)
        #expect(adam.buffers["m.head.fc2.weight"]?.count == 4 && adam.buffers["v.head.fc2.weight"]?.count == 4)
        #expect(adam.buffers["m.block5.conv3.weight"] == nil)
    }
}
