import Foundation
import Testing
@testable import Core

/// `initialiseFromData`: every layer's pre-activation starts centred with unit variance on the batch it saw.
@Suite struct DataDependentInitTests {
    /// Uncentred inputs in [0.3, 0.7] (as unit-scaled face pixels are), NCHW [n, 3, 32, 32].
    static func batch(_ n: Int, seed: UInt64) -> Tensor {
        Tensor(shape: [n, 3, 32, 32], data: TestSupport.random(n * 3 * 32 * 32, seed: seed, in: 0.3...0.7))
    }

    /// Mean and population standard deviation.
    static func moments(_ v: [Double]) -> (mean: Double, sd: Double) {
        let mean = v.reduce(0, +) / Double(v.count)
        return (mean, (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot())
    }

    @Test func firstConvAndLogitsAreStandardisedOnTheBatch() throws {
        let model = try VGG16(configuration: VGG16Tests.small, seed: 3)
        try model.initialise(.heUniform, seed: 3)
        let drawn = model.parameter("block1.conv1.weight")!.data
        let x = Self.batch(16, seed: 5)
        try model.initialiseFromData(x)

        // Block 1's first convolution, computed naively from the new weights: per output channel mean 0, sd 1.
        let w = model.parameter("block1.conv1.weight")!.data, b = model.parameter("block1.conv1.bias")!.data
        let o = 4, c = 3, s = 32
        for oc in 0..<o {
            var z: [Double] = []
            for img in 0..<16 { for y in 0..<s { for xx in 0..<s {
                var sum = Double(b[oc])
                for ic in 0..<c { for dy in -1...1 { for dx in -1...1 {
                    let yy = y + dy, xc = xx + dx
                    guard (0..<s).contains(yy), (0..<s).contains(xc) else { continue }
                    sum += Double(w[((oc * c + ic) * 3 + dy + 1) * 3 + dx + 1]) * Double(x.data[((img * c + ic) * s + yy) * s + xc])
                } } }
                z.append(sum)
            } } }
            let m = Self.moments(z)
            #expect(abs(m.mean) < 1e-4 && abs(m.sd - 1) < 1e-4, "channel \(oc): mean \(m.mean) sd \(m.sd)")
            // The weights keep their drawn direction: one positive factor per output channel.
            let ratios = (0..<27).map { Double(w[oc * 27 + $0]) / Double(drawn[oc * 27 + $0]) }
            #expect(ratios.allSatisfy { $0 > 0 && abs($0 - ratios[0]) < 1e-4 * ratios[0] })
        }

        // The class layer is the last pre-activation: each logit has mean 0 and sd 1 over the same batch.
        let logits = try model.logits(x).data
        for k in 0..<3 {
            let m = Self.moments((0..<16).map { Double(logits[$0 * 3 + k]) })
            #expect(abs(m.mean) < 1e-3 && abs(m.sd - 1) < 1e-3, "class \(k): mean \(m.mean) sd \(m.sd)")
        }
        // Another batch is not standardised exactly, but stays on the same scale.
        let other = try model.logits(Self.batch(16, seed: 6)).data
        let m = Self.moments(other.map(Double.init))
        #expect(m.sd > 0.2 && m.sd < 5)
    }

    @Test func aSingleImageIsRefused() throws {
        let model = try VGG16(configuration: VGG16Tests.small, seed: 3)
        #expect(throws: CoreError.self) { try model.initialiseFromData(Self.batch(1, seed: 1)) }
    }
}
