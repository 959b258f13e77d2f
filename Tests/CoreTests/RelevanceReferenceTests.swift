import Foundation
import Testing
@testable import Core

/// The zennit relevance maps of the PyTorch reference case (Fixtures/vgg-mini-README.md, "LRP rules"): the study's
/// composite (`lrp`, `lrp_sum`, `lrp_block1…5`) and EpsilonPlusFlat, matched to float32 accuracy (the README's
/// float32-vs-float64 noise is 1.1e-6 to 1.4e-6), and conservation once every bias is zero; each with im2col and with
/// Winograd forced in every conv layer (the rules' forward and transposed passes use the layer's kernel).
@Suite struct RelevanceReferenceTests {
    let model: VGG16
    let reference: SafetensorsFile
    let input: Tensor
    let labels: [Int]

    /// A small multiple of the float64 noise of the reference maps.
    static let tolerance = 5e-6

    init() throws {
        model = try VGG16(configuration: ReferenceCaseTests.configuration, seed: 1)
        try model.loadWeights(from: TestSupport.fixture("weights.safetensors"))
        reference = try SafetensorsFile(contentsOf: TestSupport.fixture("case.safetensors"))
        input = try reference.tensor("input")
        labels = try reference.integers("labels")
    }

    @Test(arguments: ConvolutionKernel.allCases)
    func studyCompositeMatchesZennitAtTheInputAndEveryBlock(kernel: ConvolutionKernel) throws {
        model.convolutionKernel = kernel
        let maps = try model.relevanceMaps(input: input, classes: labels, composite: .zDenseZPlusConv)
        let lrp = try reference.tensor("lrp")
        #expect(maps.input.shape == lrp.shape)
        #expect(TestSupport.relativeError(maps.input.data, lrp.data) < Self.tolerance)
        let sum = try maps.input.summedOverChannels()
        let lrpSum = try reference.tensor("lrp_sum")
        #expect(sum.shape == lrpSum.shape)
        #expect(TestSupport.relativeError(sum.data, lrpSum.data) < Self.tolerance)
        #expect(maps.blocks.count == 5)
        for b in 1...5 {
            let r = try reference.tensor("lrp_block\(b)")
            #expect(maps.blocks[b - 1].shape == r.shape, "block\(b)")
            #expect(TestSupport.relativeError(maps.blocks[b - 1].data, r.data) < Self.tolerance, "block\(b)")
        }
        #expect(maps.start == labels.enumerated().map { maps.logits.data[$0.offset * 8 + $0.element] })
        #expect(TestSupport.relativeError(maps.logits.data, try reference.tensor("logits").data) < 1e-5)
    }

    @Test(arguments: ConvolutionKernel.allCases)
    func epsilonPlusFlatMatchesZennit(kernel: ConvolutionKernel) throws {
        model.convolutionKernel = kernel
        let r = try model.relevance(input: input, classes: labels, composite: .epsilonPlusFlat)
        #expect(TestSupport.relativeError(r.data, try reference.tensor("lrp_epsilon_plus_flat").data) < Self.tolerance)
        #expect(try Composite.named("epsilon_plus_flat") == .epsilonPlusFlat)
        #expect(try Composite.named("z_dense_zplus_conv") == .zDenseZPlusConv)
    }

    /// The README's measured Σ lrp / logit_y with the stored (non-zero) biases.
    @Test func relevanceSumsMatchTheReadmeRatios() throws {
        let maps = try model.relevanceMaps(input: input, classes: labels, composite: .zDenseZPlusConv)
        let ratios = Self.ratios(maps.input, maps.start)
        for (got, want) in zip(ratios, [0.7262, -0.2815, 0.5072, -0.2235]) { #expect(abs(got - want) < 1e-4) }
    }

    /// A one-hot start (zennit's default) gives the logit-start maps divided by logit_y.
    @Test func unitStartScalesByTheLogit() throws {
        let logit = try model.relevanceMaps(input: input, classes: labels, composite: .zDenseZPlusConv)
        let one = try model.relevanceMaps(input: input, classes: labels, composite: .zDenseZPlusConv, start: .one)
        #expect(one.start == [1, 1, 1, 1])
        let plane = 3 * 32 * 32
        let scaled = one.input.data.enumerated().map { $0.element * logit.start[$0.offset / plane] }
        #expect(TestSupport.relativeError(scaled, logit.input.data) < 1e-6)
    }

    /// The softmax-gradient start equals, by linearity of every rule in the relevance from above, the one-hot maps
    /// of each class k weighted by p_y(δ_yk − p_k), with p the softmax of the logits (computed here in Double).
    @Test func softmaxGradientStartIsTheWeightedSumOfOneHotMaps() throws {
        let contrast = try model.relevanceMaps(input: input, classes: labels, composite: .zDenseZPlusConv, start: .softmaxGradient)
        let plane = 3 * 32 * 32, k = 8
        var expected = [Double](repeating: 0, count: labels.count * plane)
        for j in 0..<k {
            let one = try model.relevanceMaps(input: input, classes: Array(repeating: j, count: labels.count),
                                              composite: .zDenseZPlusConv, start: .one)
            for (n, y) in labels.enumerated() {
                let z = (0..<k).map { Double(one.logits.data[n * k + $0]) }
                let e = z.map { exp($0 - z.max()!) }, p = e.map { $0 / e.reduce(0, +) }
                let weight = p[y] * ((j == y ? 1 : 0) - p[j])
                if j == y { #expect(abs(Double(contrast.start[n]) - weight) < 1e-6 * max(1, abs(weight))) }
                for i in 0..<plane { expected[n * plane + i] += weight * Double(one.input.data[n * plane + i]) }
            }
        }
        #expect(TestSupport.relativeError(contrast.input.data, expected.map { Float($0) }) < 1e-4)
        #expect(contrast.input.data.contains { $0 < 0 } && contrast.input.data.contains { $0 > 0 })
    }

    /// With every bias zero the study's composite conserves: Σ R = logit_y at the input and at every block
    /// (README: within 9.3e-6). EpsilonPlusFlat's ε = 1e-6 on the dense layers absorbs a little (about 1.5e-4 here),
    /// but its convs (z⁺, flat) conserve what reaches them.
    @Test(arguments: ConvolutionKernel.allCases)
    func conservationWithoutBiases(kernel: ConvolutionKernel) throws {
        model.convolutionKernel = kernel
        for p in model.parameters where p.shape.count == 1 {
            try model.setParameter(p.key, Tensor(zeros: p.shape))
        }
        let maps = try model.relevanceMaps(input: input, classes: labels, composite: .zDenseZPlusConv)
        for tensor in [maps.input] + maps.blocks {
            for ratio in Self.ratios(tensor, maps.start) { #expect(abs(ratio - 1) < 2e-5, "\(tensor.shape): \(ratio)") }
        }
        let flat = try model.relevanceMaps(input: input, classes: labels, composite: .epsilonPlusFlat)
        let atBlock5 = Self.ratios(flat.blocks[4], flat.start)
        for (atInput, top) in zip(Self.ratios(flat.input, flat.start), atBlock5) {
            #expect(abs(top - 1) < 1e-3)
            #expect(abs(atInput / top - 1) < 2e-5)
        }
    }

    /// Σ over each image of `t` divided by that image's start value.
    static func ratios(_ t: Tensor, _ start: [Float]) -> [Double] {
        let per = t.count / t.shape[0]
        return start.indices.map { n in
            t.data[(n * per)..<((n + 1) * per)].reduce(0.0) { $0 + Double($1) } / Double(start[n])
        }
    }
}
