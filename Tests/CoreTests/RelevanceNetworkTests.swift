import Testing
@testable import Core

/// LRP through a hand-built VGG16 whose relevance is known in closed form, plus the API's checks.
///
/// The network has one channel everywhere (width 0.001, 1-channel 32 px input, head 1-1, 2 classes). The first conv
/// sums its 3×3 window (all weights 1, bias `b`); every other conv copies its input (centre tap 1, bias 0);
/// fc1 = a + 1, fc2 = a, fc3 = (2a, −a). The image is zero but for p = 2 at (10, 10) and q = 1 at (10, 11), so the
/// first conv peaks at 3 + b on rows 9…11, columns 10…11, and the max-pools' first-winner ties route the whole
/// chain to its output at (9, 10), whose window holds p and q. Logits: (2·(4 + b), −(4 + b)).
/// Class 0 with R = logit: fc3 and fc2 pass 2(4 + b); fc1 (ε, bias in the denominator) passes (3 + b)/(4 + b) of it,
/// i.e. 2(3 + b); the copying convs pass it on; z⁺ at the first conv gives p 2/(3 + b) and q 1/(3 + b) of it: 4 and 2.
@Suite struct RelevanceNetworkTests {
    static let configuration = VGG16Configuration(inputSize: 32, inputChannels: 1, widthMultiplier: 0.001,
                                                  headWidths: [1, 1], classCount: 2)
    static let p = 10 * 32 + 10, q = 10 * 32 + 11

    static func network(firstBias b: Float) throws -> VGG16 {
        let model = try VGG16(configuration: configuration, seed: 3)
        #expect(configuration.blockChannels == [1, 1, 1, 1, 1])
        for key in model.parameterKeys {
            let shape = model.parameter(key)!.shape
            let values: [Float]
            switch key {
            case "block1.conv1.weight": values = [Float](repeating: 1, count: 9)
            case "block1.conv1.bias": values = [b]
            case "head.fc1.weight", "head.fc2.weight": values = [1]
            case "head.fc1.bias": values = [1]
            case "head.fc3.weight": values = [2, -1]
            default: values = key.hasSuffix(".weight") ? (0..<9).map { $0 == 4 ? 1 : 0 } : [Float](repeating: 0, count: shape[0])
            }
            try model.setParameter(key, Tensor(shape: shape, data: values))
        }
        return model
    }

    static func image(count: Int) -> Tensor {
        var x = [Float](repeating: 0, count: 32 * 32)
        x[p] = 2
        x[q] = 1
        return Tensor(shape: [count, 1, 32, 32], data: Array([[Float]](repeating: x, count: count).joined()))
    }

    /// Expects `map` (one 32×32 image) to be `expected` at the given pixels and 0 elsewhere.
    static func expectMap(_ map: ArraySlice<Float>, _ expected: [Int: Float], _ label: String) {
        let base = map.startIndex
        for i in 0..<(32 * 32) {
            let want = expected[i] ?? 0
            #expect(abs(map[base + i] - want) <= 1e-5 * max(1, abs(want)), "\(label) pixel (\(i / 32), \(i % 32))")
        }
    }

    @Test(arguments: [Float(0), 0.5])
    func zPlusAndEpsilonGiveTheClosedForm(firstBias b: Float) throws {
        let model = try Self.network(firstBias: b)
        let maps = try model.relevanceMaps(input: Self.image(count: 2), classes: [0, 1], composite: .zDenseZPlusConv)
        #expect(maps.logits.data == [2 * (4 + b), -(4 + b), 2 * (4 + b), -(4 + b)])
        #expect(maps.start == [2 * (4 + b), -(4 + b)])
        let chain: [Float] = [2 * (3 + b), -(3 + b)]
        for n in 0..<2 {
            let r = maps.input.data[(n * 1024)..<((n + 1) * 1024)]
            Self.expectMap(r, [Self.p: chain[n] * 2 / (3 + b), Self.q: chain[n] / (3 + b)], "image \(n)")
            for (block, index) in [(1, 4 * 16 + 5), (2, 2 * 8 + 2), (3, 1 * 4 + 1), (4, 0), (5, 0)] {
                let t = maps.blocks[block - 1]
                let per = t.count / 2
                for i in 0..<per {
                    let want: Float = i == index ? chain[n] : 0
                    #expect(abs(t.data[n * per + i] - want) <= 1e-5 * max(1, abs(want)), "block\(block) image \(n) at \(i)")
                }
            }
        }
    }

    /// Flat on the first conv spreads the chain's relevance evenly over the 9 pixels of the winning window.
    @Test func flatFirstLayerSpreadsOverTheWindow() throws {
        let model = try Self.network(firstBias: 0)
        let r = try model.relevance(input: Self.image(count: 1), classes: [0], composite: .epsilonPlusFlat)
        var expected: [Int: Float] = [:]
        for y in 8...10 { for x in 9...11 { expected[y * 32 + x] = 6 / 9 } }
        Self.expectMap(r.data[...], expected, "flat")
    }

    /// zᴮ ignores the bias, so the first conv passes everything on: p gets 2/3 and q 1/3 of 2(3 + b); γ = 0.25 on
    /// the copying convs changes nothing (all weights ≥ 0).
    @Test func epsilonGammaBoxOnTheHandBuiltNetwork() throws {
        let b: Float = 0.5
        let model = try Self.network(firstBias: b)
        let composite = try Composite.named("epsilon_gamma_box", low: [0], high: [3])
        #expect(composite == .epsilonGammaBox(low: [0], high: [3]))
        let r = try model.relevance(input: Self.image(count: 1), classes: [0], composite: composite)
        Self.expectMap(r.data[...], [Self.p: 2 * (3 + b) * 2 / 3, Self.q: 2 * (3 + b) / 3], "zB")
    }

    @Test func badRequestsAreTypedErrors() throws {
        let model = try Self.network(firstBias: 0)
        let x = Self.image(count: 2)
        #expect(throws: CoreError.self) { try model.relevance(input: x, classes: [0], composite: .zDenseZPlusConv) }
        #expect(throws: CoreError.self) { try model.relevance(input: x, classes: [0, 2], composite: .zDenseZPlusConv) }
        #expect(throws: CoreError.self) {
            try model.relevance(input: Tensor(zeros: [2, 3, 32, 32]), classes: [0, 1], composite: .zDenseZPlusConv)
        }
        #expect(throws: CoreError.self) {
            try model.relevance(input: x, classes: [0, 1], composite: .epsilonGammaBox(low: [0, 0, 0], high: [1, 1, 1]))
        }
        #expect(throws: CoreError.self) {
            try model.relevance(input: x, classes: [0, 1], composite: Composite(dense: .zB(low: [0, 0], high: [1, 1]), conv: .zPlus))
        }
        #expect(throws: CoreError.self) { try Composite.named("lrp_magic") }
        #expect(throws: CoreError.self) { try Composite.named("epsilon_gamma_box") }
        #expect(throws: CoreError.self) { try Tensor(zeros: [2, 3]).summedOverChannels() }
    }

    /// Each image's map does not depend on the rest of the batch (up to BLAS summation order).
    @Test func mapsAreIndependentOfTheBatch() throws {
        let model = try VGG16(configuration: ReferenceCaseTests.configuration, seed: 4)
        try TestSupport.heInitialise(model, seed: 4)
        let x = Tensor(shape: [3, 3, 32, 32], data: TestSupport.random(3 * 3 * 32 * 32, seed: 8, in: 0...1))
        let all = try model.relevance(input: x, classes: [1, 5, 7], composite: .zDenseZPlusConv)
        let per = 3 * 32 * 32
        let one = try model.relevance(input: Tensor(shape: [1, 3, 32, 32], data: Array(x.data[per..<(2 * per)])),
                                      classes: [5], composite: .zDenseZPlusConv)
        #expect(TestSupport.relativeError(Array(all.data[per..<(2 * per)]), one.data) < 1e-5)
    }

    @Test func channelSum() throws {
        let t = Tensor(shape: [2, 3, 1, 2], data: (0..<12).map(Float.init))
        let s = try t.summedOverChannels()
        #expect(s.shape == [2, 1, 2])
        let expected: [Float] = [6, 9, 24, 27]
        #expect(s.data == expected)
    }
}
