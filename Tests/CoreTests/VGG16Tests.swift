import Foundation
import Testing
@testable import Core
import Randomness

/// VGG16 structure, initialisation, head replacement, features, freezing and a whole-network gradient check.
@Suite struct VGG16Tests {
    /// VGG16's block structure at width 1/16 (channels 4, 8, 16, 32, 32), 32 px, head 6, 3 classes.
    static let small = VGG16Configuration(inputSize: 32, inputChannels: 3, widthMultiplier: 0.0625, headWidths: [6],
                                          classCount: 3, dropout: 0.5)

    @Test func configurationWidthsRoundHalfUpAndValidate() throws {
        #expect(VGG16Configuration(widthMultiplier: 0.25).blockChannels == [16, 32, 64, 128, 128])
        #expect(VGG16Configuration(widthMultiplier: 0.25).resolvedHeadWidths == [1024, 1024])
        #expect(VGG16Configuration(widthMultiplier: 0.0234375).blockChannels == [2, 3, 6, 12, 12])  // 1.5 → 2, 3.0, 6.0, 12.0
        #expect(VGG16Configuration(widthMultiplier: 0.001).blockChannels == [1, 1, 1, 1, 1])
        #expect(VGG16Configuration(inputSize: 48).finalSize == 1)
        #expect(VGG16Configuration().flattenFeatures == 25088)
        #expect(throws: CoreError.invalidConfiguration(field: "input", expected: "at least 32 pixels", found: "16")) {
            try VGG16Configuration(inputSize: 16).validate()
        }
        #expect(throws: CoreError.self) { try VGG16Configuration(inputChannels: 2).validate() }
        #expect(throws: CoreError.self) { try VGG16Configuration(widthMultiplier: 0).validate() }
        #expect(throws: CoreError.self) { try VGG16Configuration(classCount: 0).validate() }
    }

    @Test func forwardFLOPsMatchThePublishedVGG16Count() {
        // VGG16 at 224 px: 15.47 G multiply–adds (convs 15.35 G + dense 0.12 G).
        let flops = VGG16Configuration().forwardFLOPs
        #expect(abs(flops / 2 - 15.47e9) / 15.47e9 < 0.005)
    }

    @Test func parameterKeysShapesAndTorchvisionNames() throws {
        let model = try VGG16(configuration: VGG16Configuration(widthMultiplier: 0.25, headWidths: [512, 512], classCount: 8), seed: 1)
        #expect(model.parameterKeys.count == 32)
        #expect(model.parameter("block3.conv2.weight")?.shape == [64, 64, 3, 3])
        #expect(model.parameter("block1.conv1.weight")?.shape == [16, 3, 3, 3])
        #expect(model.parameter("head.fc1.weight")?.shape == [512, 128 * 7 * 7])
        #expect(model.parameter("head.fc3.bias")?.shape == [8])
        let names = model.torchvisionNames
        #expect(names["block1.conv1.weight"] == "features.0.weight")
        #expect(names["block2.conv1.bias"] == "features.5.bias")
        #expect(names["block5.conv3.weight"] == "features.28.weight")
        #expect(names["head.fc1.weight"] == "classifier.0.weight")
        #expect(names["head.fc3.bias"] == "classifier.6.bias")
    }

    @Test func kerasDefaultInitialisationIsSeeded() throws {
        let a = try VGG16(configuration: Self.small, seed: 5), b = try VGG16(configuration: Self.small, seed: 5)
        let c = try VGG16(configuration: Self.small, seed: 6)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
        for p in a.parameters {
            if p.key.hasSuffix(".bias") { #expect(p.value.allSatisfy { $0 == 0 }); continue }
            let receptive = p.shape.count == 4 ? 9 : 1
            let limit = Float((6.0 / Double((p.shape[0] + p.shape[1]) * receptive)).squareRoot())
            #expect(p.value.allSatisfy { abs($0) <= limit }, "\(p.key) exceeds the Glorot limit")
            #expect(p.value.contains { abs($0) > limit / 2 }, "\(p.key) does not span the Glorot range")
        }
    }

    @Test func replaceHeadKeepsConvWeightsAndChangesClassCount() throws {
        let model = try VGG16(configuration: Self.small, seed: 1)
        let conv = model.parameter("block4.conv1.weight"), head = model.parameter("head.fc1.weight")
        try model.replaceHead(classCount: 5, seed: 9)
        #expect(model.configuration.classCount == 5)
        #expect(model.parameter("head.fc2.weight")?.shape == [5, 6])
        #expect(model.parameter("block4.conv1.weight") == conv)
        #expect(model.parameter("head.fc1.weight") != head)
        #expect(model.parameter("head.fc1.bias")?.data.allSatisfy { $0 == 0 } == true)
        let x = Tensor(shape: [2, 3, 32, 32], data: TestSupport.random(2 * 3 * 32 * 32, seed: 2, in: 0...1))
        let p = try model.probabilities(x)
        #expect(p.shape == [2, 5])
        #expect(abs(p.data[0..<5].reduce(0, +) - 1) < 1e-5)
    }

    @Test func copyIsIndependent() throws {
        let model = try VGG16(configuration: Self.small, seed: 1)
        model.frozenBlocks = 2
        let twin = model.copy()
        #expect(twin.parameters == model.parameters && twin.frozenBlocks == 2 && twin.configuration == model.configuration)
        try twin.setParameter("block3.conv1.bias", Tensor(shape: [16], data: [Float](repeating: 1, count: 16)))
        twin.frozenBlocks = 4
        #expect(model.parameter("block3.conv1.bias")?.data.allSatisfy { $0 == 0 } == true && model.frozenBlocks == 2)
    }

    @Test func activationsAfterEveryBlockAndInputChecks() throws {
        let model = try VGG16(configuration: Self.small, seed: 1)
        let x = Tensor(shape: [2, 3, 32, 32], data: TestSupport.random(2 * 3 * 32 * 32, seed: 2, in: 0...1))
        let expected = [[2, 4, 16, 16], [2, 8, 8, 8], [2, 16, 4, 4], [2, 32, 2, 2], [2, 32, 1, 1], [2, 3]]
        for (b, name) in VGG16Configuration.blockNames.enumerated() {
            #expect(try model.activations(x, after: name).shape == expected[b])
        }
        #expect(try model.activations(x, after: "head") == model.logits(x))
        #expect(throws: CoreError.self) { try model.activations(x, after: "block6") }
        #expect(throws: CoreError.self) { try model.logits(Tensor(zeros: [2, 1, 32, 32])) }
        var rng = Xoshiro256StarStar(seed: 0)
        #expect(throws: CoreError.invalidData(field: "label", expected: "in 0..<3", found: "5")) {
            try model.computeGradients(input: x, labels: [0, 5], loss: .crossEntropy(), training: false, rng: &rng)
        }
        #expect(throws: CoreError.invalidData(field: "class weights", expected: "3 values", found: "2")) {
            try model.computeGradients(input: x, labels: [0, 1], loss: .crossEntropy(classWeights: [1, 1]), training: false, rng: &rng)
        }
    }

    @Test func wholeNetworkGradientMatchesFiniteDifferences() throws {
        let model = try VGG16(configuration: Self.small, seed: 3)
        try TestSupport.heInitialise(model, seed: 100)
        let x = Tensor(shape: [2, 3, 32, 32], data: TestSupport.random(2 * 3 * 32 * 32, seed: 4, in: 0...1))
        let labels = [2, 0]
        let loss = Loss.focal(gamma: 1)
        var rng = Xoshiro256StarStar(seed: 0)
        _ = try model.computeGradients(input: x, labels: labels, loss: loss, training: false, rng: &rng, inputGradient: true)
        func value() throws -> Double { loss.evaluate(logits: try model.logits(x).data, labels: labels, classes: 3).value }
        for key in model.parameterKeys {
            let g = try #require(model.gradient(key)).data
            let w = try #require(model.parameter(key))
            let idx = TestSupport.sample(w.count, count: 8, seed: 7)
            var numeric: [Double] = []
            for i in idx {
                var plus = w, minus = w
                plus.data[i] += 1e-3
                minus.data[i] -= 1e-3
                try model.setParameter(key, plus)
                let fp = try value()
                try model.setParameter(key, minus)
                let fm = try value()
                try model.setParameter(key, w)
                numeric.append((fp - fm) / Double(plus.data[i] - minus.data[i]))
            }
            #expect(Self.normError(idx.map { Double(g[$0]) }, numeric) < 0.1, "\(key)")
        }
        let gi = try #require(model.inputGradient)
        let idx = TestSupport.sample(x.count, count: 10, seed: 8)
        let num = try idx.map { i -> Double in
            var p = x, m = x
            p.data[i] += 1e-3
            m.data[i] -= 1e-3
            let fp = loss.evaluate(logits: try model.logits(p).data, labels: labels, classes: 3).value
            let fm = loss.evaluate(logits: try model.logits(m).data, labels: labels, classes: 3).value
            return (fp - fm) / Double(p.data[i] - m.data[i])
        }
        #expect(Self.normError(idx.map { Double(gi.data[$0]) }, num) < 0.1, "input")
    }

    /// ‖a − b‖ / ‖b‖. Finite differences through thousands of ReLU and max-pool switches are exact only up to
    /// the kinks a step crosses, so the whole-network check bounds the error of each sampled tensor as a whole;
    /// exact agreement is checked against PyTorch in `ReferenceCaseTests`.
    static func normError(_ a: [Double], _ b: [Double]) -> Double {
        let d = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return (d / max(b.reduce(0) { $0 + $1 * $1 }, 1e-30)).squareRoot()
    }

    @Test(arguments: 0...5)
    func freezingKeepsWeightsBitIdenticalAndSkipsTheWork(blocks: Int) throws {
        let model = try VGG16(configuration: Self.small, seed: 1)
        model.frozenBlocks = blocks
        let before = model.parameters
        let x = Tensor(shape: [4, 3, 32, 32], data: TestSupport.random(4 * 3 * 32 * 32, seed: 2, in: 0...1))
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3)
        var rng = Xoshiro256StarStar(seed: 3)
        for _ in 0..<2 {
            _ = try model.computeGradients(input: x, labels: [0, 1, 2, 0], loss: .crossEntropy(), training: true, rng: &rng)
            sgd.step(model)
        }
        let layerNames = model.parameterKeys.filter { $0.hasSuffix(".weight") }.map { String($0.dropLast(7)) }
        let lowest = layerNames.first { model.isTrainable($0 + ".weight") }!
        for (p, old) in zip(model.parameters, before) {
            let layer = String(p.key.split(separator: ".").prefix(2).joined(separator: "."))
            if case .conv(let b) = p.block, b <= blocks {
                #expect(p.value == old.value, "frozen \(p.key) changed")
                #expect(model.gradient(p.key) == nil, "frozen \(p.key) has a gradient")
                #expect(model.counters.weightGradients[layer] == nil && model.counters.inputGradients[layer] == nil)
            } else {
                #expect(p.value != old.value, "trainable \(p.key) did not change")
                #expect(model.counters.weightGradients[layer] == 2)
                #expect(model.counters.inputGradients[layer] == (layer == lowest ? nil : 2), "\(layer) input gradients")
            }
        }
        #expect(sgd.velocity.keys.allSatisfy { model.isTrainable($0) })
    }
}
