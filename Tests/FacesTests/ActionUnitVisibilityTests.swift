import Analysis
import Testing
@testable import Faces
import Randomness

/// Every AU SynthFACS renders must be detectable by a linear probe on raw pixels at 64 px, among other AUs and
/// under the AffectNet layout's pose, framing, photometric and identity variation.
///
/// Per AU: 240 faces of 240 different people, a third showing the AU at intensity 3–5 (FACS C–E), the rest not;
/// every face also shows each other AU with probability 0.15 (intensity 1–5), except the AUs that hide it: AU43
/// (closed eyes) never, AU26 not when probing AU25 (a dropped jaw parts the lips anyway).
/// Features: the grey pixels of the AU's region (`FaceRegion.of`, boxed from the landmarks of the same face
/// without any AU, so only the pixels can carry the AU) resized to 20 × 12. Probe: `ConceptProbe` (balanced
/// linear SVM, 2-fold CV, 2 repeats). Significance: the same probe on 100 seeded shuffles of the labels,
/// p = (1 + shuffles scoring at least the observed F1) / 101.
///
/// The threshold: mean F1 ≥ 0.8 against 0.5 for the all-positive guesser (2π/(1+π), π = 1/3) and about 0.4 for
/// a probe that learns nothing (it predicts about half the faces positive: 2·π·½/(π+½)); and p < 0.01.
/// Rendering the positives without the AU must fail it (`withoutTheUnit`), so the test can fail.
struct ActionUnitVisibilityTests {
    static let faces = 240
    static let positiveShare = 1.0 / 3
    static let shuffles = 100
    static let featureWidth = 20, featureHeight = 12
    static let threshold = 0.8

    /// The all-positive guesser's F1 at prevalence π.
    static var allPositiveF1: Double { 2 * positiveShare / (1 + positiveShare) }

    /// Grey region pixels (n × d) and labels for `unit`; `rendered: false` draws the positives without the AU.
    static func sample(_ unit: ActionUnit, rendered: Bool = true, size: Int = 64) throws -> (features: [Float], labels: [Bool]) {
        var features = [Float]()
        var labels = [Bool]()
        let region = FaceRegion.of(unit)
        let others = ActionUnit.allCases.filter { $0 != unit && $0 != .au43 && !(unit == .au25 && $0 == .au26) }
        for i in 0..<faces {
            var r = SplitMix64(deriving: 14, UInt64(unit.rawValue), UInt64(i))
            let identity = FaceIdentity.random(seed: 14, index: i)
            let positive = i % 3 == 0
            var aus = AUIntensities()
            for other in others where r.chance(0.15) { aus[other] = Float(1 + r.below(5)) }
            if positive && rendered { aus[unit] = Float(3 + r.below(3)) }
            let nuisance = FaceNuisance.random(&r, ranges: NuisanceRanges())
            let face = FaceRenderer.render(identity: identity, aus: aus, nuisance: nuisance, size: size, channels: 1)
            let frame = Frame(size: size, nuisance: nuisance)
            let neutral = FaceGeometry(identity: identity, aus: AUIntensities()).landmarks().map { frame.toPixel($0) }
            let crop = try face.image.cropped(to: region.cropBox(neutral)).resized(width: featureWidth, height: featureHeight)
            features += crop.pixels
            labels.append(positive)
        }
        return (features, labels)
    }

    /// Mean F1 of the probe and its permutation p-value (`shuffles` = 0: no p-value, 1).
    static func detect(_ data: (features: [Float], labels: [Bool]), shuffles: Int = shuffles) throws -> (f1: Double, p: Double) {
        let probe = ConceptProbe(folds: 2, repeats: 2, seed: 1)
        let d = featureWidth * featureHeight
        let f1 = try probe.crossValidate(features: data.features, dimension: d, labels: data.labels).meanF1
        var atLeast = 0
        for s in 0..<shuffles {
            var r = SplitMix64(deriving: 99, UInt64(s))
            var shuffled = data.labels
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, r.below(i + 1)) }
            if try probe.crossValidate(features: data.features, dimension: d, labels: shuffled).meanF1 >= f1 { atLeast += 1 }
        }
        return (f1, Double(1 + atLeast) / Double(1 + shuffles))
    }

    @Test(arguments: ActionUnit.allCases)
    func visibleToAPixelProbeAt64Pixels(unit: ActionUnit) throws {
        let on = try Self.detect(Self.sample(unit))
        let off = try Self.detect(Self.sample(unit, rendered: false), shuffles: 0)
        print("\(unit): F1 \(on.f1) (all-positive \(Self.allPositiveF1), without the AU \(off.f1)), permutation p \(on.p)")
        #expect(on.f1 >= Self.threshold && on.p < 0.01, "\(unit) at 64 px: F1 \(on.f1), p \(on.p)")
        #expect(off.f1 < Self.allPositiveF1, "\(unit) drawn nowhere still scores F1 \(off.f1)")
    }
}
