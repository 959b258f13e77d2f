import Foundation
import Testing
@testable import Core
import Randomness

/// The PyTorch reference case `vgg-mini` (Fixtures/vgg-mini-README.md): a VGG16-shaped net at width 0.0625,
/// 32 px, head 32-32, 8 classes; logits, losses, every gradient and three SGD steps, matched to float32 accuracy.
@Suite struct ReferenceCaseTests {
    static let configuration = VGG16Configuration(inputSize: 32, inputChannels: 3, widthMultiplier: 0.0625,
                                                  headWidths: [32, 32], classCount: 8)

    let model: VGG16
    let reference: SafetensorsFile
    let input: Tensor
    let labels: [Int]

    init() throws {
        model = try VGG16(configuration: Self.configuration, seed: 1)
        try model.loadWeights(from: TestSupport.fixture("weights.safetensors"))
        reference = try SafetensorsFile(contentsOf: TestSupport.fixture("case.safetensors"))
        input = try reference.tensor("input")
        labels = try reference.integers("labels")
    }

    @Test func configurationMatchesTheReferenceChannels() {
        #expect(Self.configuration.blockChannels == [4, 8, 16, 32, 32])
        #expect(Self.configuration.flattenFeatures == 32)
    }

    // Every case runs with each conv kernel in all layers (the network's own choice is im2col at these widths).
    @Test(arguments: ConvolutionKernel.allCases)
    func logitsProbabilitiesAndBlockActivations(kernel: ConvolutionKernel) throws {
        model.convolutionKernel = kernel
        let logits = try model.logits(input)
        #expect(logits.shape == [4, 8])
        #expect(TestSupport.relativeError(logits.data, try reference.tensor("logits").data) < 1e-5)
        #expect(TestSupport.relativeError(try model.probabilities(input).data, try reference.tensor("probs").data) < 1e-5)
        for b in 1...5 {
            let a = try model.activations(input, after: "block\(b)")
            let r = try reference.tensor("block\(b)")
            #expect(a.shape == r.shape)
            #expect(TestSupport.relativeError(a.data, r.data) < 1e-5, "block\(b)")
        }
    }

    @Test func lossesAndTheirLogitGradients() throws {
        let logits = try reference.tensor("logits").data
        let weights = try Loss.classBalancedWeights(counts: try reference.integers("class_counts"), beta: 0.9999)
        #expect(TestSupport.relativeError(weights, try reference.tensor("cb_weights").data) < 1e-6)
        let cases: [(String, String, Loss)] = [
            ("ce_loss", "grad_logits.ce", .crossEntropy()),
            ("focal_loss", "grad_logits.focal", .focal(gamma: 2)),
            ("cb_focal_loss", "grad_logits.cb_focal", .focal(gamma: 2, classWeights: weights)),
        ]
        for (lossName, gradName, loss) in cases {
            let e = loss.evaluate(logits: logits, labels: labels, classes: 8)
            let expected = Double(try reference.tensor(lossName).data[0])
            #expect(abs(e.value - expected) / expected < 2e-6, "\(lossName): \(e.value) vs \(expected)")
            #expect(TestSupport.relativeError(e.gradient, try reference.tensor(gradName).data) < 2e-6, "\(gradName)")
        }
    }

    @Test(arguments: ConvolutionKernel.allCases)
    func everyParameterGradientAndTheInputGradient(kernel: ConvolutionKernel) throws {
        model.convolutionKernel = kernel
        var rng = Xoshiro256StarStar(seed: 0)
        let e = try model.computeGradients(input: input, labels: labels, loss: .crossEntropy(), training: false,
                                           rng: &rng, inputGradient: true)
        #expect(abs(e.value - Double(try reference.tensor("ce_loss").data[0])) < 1e-6)
        let names = model.torchvisionNames
        for key in model.parameterKeys {
            let g = try #require(model.gradient(key))
            let r = try reference.tensor("grad." + names[key]!)
            #expect(g.shape == r.shape)
            #expect(TestSupport.relativeError(g.data, r.data) < 2e-5, "grad of \(key)")
        }
        let gi = try #require(model.inputGradient)
        #expect(TestSupport.relativeError(gi.data, try reference.tensor("grad.input").data) < 2e-5)
    }

    @Test(arguments: [0, 2], ConvolutionKernel.allCases)
    func threeSGDSteps(frozenBlocks: Int, kernel: ConvolutionKernel) throws {
        model.convolutionKernel = kernel
        let prefix = frozenBlocks == 0 ? "sgd3" : "frozen2_sgd3"
        model.frozenBlocks = frozenBlocks
        var sgd = SGD(learningRate: 0.01)
        var rng = Xoshiro256StarStar(seed: 0)
        var losses: [Float] = []
        let initial = model.weightTensors()
        for _ in 0..<3 {
            let e = try model.computeGradients(input: input, labels: labels, loss: .crossEntropy(), training: false, rng: &rng)
            losses.append(Float(e.value))
            sgd.step(model)
        }
        #expect(TestSupport.relativeError(losses, try reference.tensor(prefix + "_ce_losses").data) < 2e-6)
        let names = model.torchvisionNames
        for (i, key) in model.parameterKeys.enumerated() {
            let w = try #require(model.parameter(key))
            let r = try reference.tensor(prefix + "." + names[key]!)
            #expect(TestSupport.relativeError(w.data, r.data) < 2e-6, "\(prefix) \(key)")
            if !model.isTrainable(key) { #expect(w == initial[i].tensor, "frozen \(key) changed") }
        }
    }
}
