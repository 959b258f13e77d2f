import Testing
@testable import Core

/// The per-layer kernel choice (`ConvolutionKernel.preferred`) on the two networks the bench measures, as
/// docs/core.md ("Choice per layer") states it: Winograd where C ≥ 64 and C·S ≥ 1 024, the direct kernel where
/// C ≤ 32 and S ≥ 32 on a CPU with AVX2/FMA (im2col on one without), im2col elsewhere.
@Suite struct ConvolutionKernelTests {
    /// The kernel of each conv layer of `model`, in order.
    static func kernels(_ model: VGG16) -> [ConvolutionKernel] {
        model.layers.compactMap { if case .conv(let c) = $0 { model.kernel(for: c) } else { nil } }
    }

    static func kernels(_ configuration: VGG16Configuration) throws -> [ConvolutionKernel] {
        kernels(try VGG16(configuration: configuration, seed: 1))
    }

    /// The direct kernel where the CPU runs its SIMD tiles, im2col where it would run the scalar twin.
    static let thin: ConvolutionKernel = DirectConv3x3.hasSIMD ? .direct : .im2col

    @Test func scaledNetworkRunsDirectOnThinLayersAndWinogradWhereItsGEMMsAreDeep() throws {
        let scaled = try Self.kernels(VGG16Configuration(inputSize: 64, widthMultiplier: 0.25, headWidths: [16], classCount: 8))
        // blocks 1–2 (3→16, 16→16 at 64 px; 16→32, 32→32 at 32), block 3 (32→64 at 16, then 64→64), block 4
        // (64→128 at 8: C·S = 512, then 128→128: 1 024), block 5 (128→128 at 4: 512).
        #expect(scaled == [Self.thin, Self.thin, Self.thin, Self.thin, .im2col, .winograd, .winograd, .im2col, .winograd,
                           .winograd, .im2col, .im2col, .im2col])
    }

    @Test func fullNetworkRunsDirectOnItsFirstLayerThenWinograd() throws {
        let full = try Self.kernels(VGG16Configuration(inputSize: 224, headWidths: [16], classCount: 8))
        #expect(full == [Self.thin] + Array(repeating: .winograd, count: 12))
    }

    @Test func aForcedKernelRunsEveryLayer() throws {
        let model = try VGG16(configuration: VGG16Configuration(inputSize: 64, widthMultiplier: 0.25, headWidths: [16], classCount: 8), seed: 1)
        model.convolutionKernel = .direct
        #expect(Self.kernels(model) == Array(repeating: .direct, count: 13))
    }
}
