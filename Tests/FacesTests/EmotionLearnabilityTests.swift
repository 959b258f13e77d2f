import Testing
@testable import Analysis
@testable import Faces
import Randomness

/// SynthFACS emotions must be learnable from pixels, yet not from any single pixel: the AUs carry the classes,
/// identity and pose do not drown them, and no shortcut gives them away.
///
/// 1 600 training and 800 test faces (balanced; the test faces are other people), 64 px grey under the AffectNet
/// nuisance, with the generator's own expression sampling (optional AUs, drop-outs, off-prototype AUs; no label
/// noise), shrunk to 24 × 24. A one-vs-rest linear SVM (C = 0.01, standardised pixels) must reach 50% test accuracy
/// (4× chance; measured 62%, and 73% with 3 200 faces at 32 × 32), while the best single pixel (nearest class mean)
/// must stay under 25% (2× chance; measured 17%). Faces without AUs would leave both at chance (12.5%).
struct EmotionLearnabilityTests {
    static let side = 24

    /// Standardised features (n × side²) and labels of `n` faces.
    static func faces(_ n: Int, seed: UInt64, firstPerson: Int) -> (x: [Double], y: [Int]) {
        var x = [Double](), y = [Int]()
        for i in 0..<n {
            var r = SplitMix64(deriving: seed, UInt64(i))
            let emotion = Emotion(rawValue: i % 8)!
            let aus = SynthFACS.sampleExpression(emotion, &r, optionalRate: 0.5, offPrototypeRate: 0.3)
            let nuisance = FaceNuisance.random(&r, ranges: NuisanceRanges())
            let face = FaceRenderer.render(identity: FaceIdentity.random(seed: 7, index: firstPerson + i), aus: aus,
                                           nuisance: nuisance, size: 64, channels: 1)
            x += face.image.resized(width: side, height: side).pixels.map(Double.init)
            y.append(emotion.rawValue)
        }
        return (x, y)
    }

    @Test func emotionsNeedManyPixels() {
        let d = Self.side * Self.side
        var train = Self.faces(1600, seed: 1, firstPerson: 0)
        var test = Self.faces(800, seed: 2, firstPerson: 10_000)
        let nTrain = train.y.count, nTest = test.y.count

        // Best single pixel: assign each test face the class whose training mean of that pixel is nearest.
        var bestPixel = 0.0
        for j in 0..<d {
            var mean = [Double](repeating: 0, count: 8)
            for i in 0..<nTrain { mean[train.y[i]] += train.x[i * d + j] / Double(nTrain / 8) }
            var correct = 0
            for i in 0..<nTest {
                let value = test.x[i * d + j]
                let nearest = (0..<8).min { abs(mean[$0] - value) < abs(mean[$1] - value) }!
                if nearest == test.y[i] { correct += 1 }
            }
            bestPixel = max(bestPixel, Double(correct) / Double(nTest))
        }

        for j in 0..<d {
            let column = (0..<nTrain).map { train.x[$0 * d + j] }
            let mean = column.reduce(0, +) / Double(nTrain)
            let variance = column.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(nTrain)
            let sd = max(variance.squareRoot(), 1e-6)
            for i in 0..<nTrain { train.x[i * d + j] = (train.x[i * d + j] - mean) / sd }
            for i in 0..<nTest { test.x[i * d + j] = (test.x[i * d + j] - mean) / sd }
        }
        let svms = (0..<8).map { c in
            LinearSVM.train(rows: train.x, dimension: d, labels: train.y.map { $0 == c }, C: 0.01, positiveWeight: 1, negativeWeight: 1)
        }
        var correct = 0
        for i in 0..<nTest {
            let row = test.x[i * d..<(i + 1) * d]
            let scores = svms.map { $0.decision(row) }
            if scores.indices.max(by: { scores[$0] < scores[$1] })! == test.y[i] { correct += 1 }
        }
        let accuracy = Double(correct) / Double(nTest)
        print("emotions at 64 px: linear test accuracy \(accuracy), best single pixel \(bestPixel)")
        #expect(accuracy >= 0.5, "a linear probe on the pixels reaches only \(accuracy) on 8 balanced emotions")
        #expect(bestPixel < 0.25, "one pixel alone classifies \(bestPixel) of the emotions")
    }
}
