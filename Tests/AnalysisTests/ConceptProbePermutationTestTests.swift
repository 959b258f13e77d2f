import Testing
@testable import Analysis
import Randomness

struct ConceptProbePermutationTestTests {
    /// n images with a third positive; `signal` shifts feature 0 of the positives.
    private func dataset(n: Int, d: Int, signal: Float, seed: UInt64) -> ([Float], [Bool]) {
        var rng = SplitMix64(seed: seed)
        let labels = (0..<n).map { $0 % 3 == 0 }
        let features = (0..<(n * d)).map { i in Float.random(in: -1...1, using: &rng) + (i % d == 0 && labels[i / d] ? signal : 0) }
        return (features, labels)
    }

    @Test func separableConceptReachesTheFloor() throws {
        let (features, labels) = dataset(n: 60, d: 4, signal: 5, seed: 1)
        let r = try ConceptProbe(seed: 2).permutationTest(features: features, dimension: 4, labels: labels,
                                                          permutations: 49, repeats: 2, seed: 3)
        #expect(r.observed == 1)
        #expect(r.exceedances == 0 && r.p == 1.0 / 50)
        #expect(r.permutations == 49 && r.null.allSatisfy { $0 < 0.8 })
    }

    /// The observed statistic is the mean F1 of the same probe's first R repeats; permutation i is that probe
    /// on labels shuffled by SplitMix64(seed ^ i · 0x9E3779B97F4A7C15), whichever thread ran it.
    @Test func statisticsAreThoseOfTheSerialProbe() throws {
        let (features, labels) = dataset(n: 45, d: 3, signal: 0.5, seed: 4)
        let probe = ConceptProbe(seed: 5)
        let r = try probe.permutationTest(features: features, dimension: 3, labels: labels, permutations: 5, repeats: 3, seed: 6)
        let serial = ConceptProbe(repeats: 3, seed: 5)
        #expect(r.observed == (try serial.crossValidate(features: features, dimension: 3, labels: labels).meanF1))
        for i in 1...5 {
            var rng = SplitMix64(seed: 6 ^ (UInt64(i) &* 0x9E37_79B9_7F4A_7C15))
            let shuffled = labels.shuffled(using: &rng)
            #expect(r.null[i - 1] == (try serial.crossValidate(features: features, dimension: 3, labels: shuffled).meanF1))
        }
        #expect(r == (try probe.permutationTest(features: features, dimension: 3, labels: labels, permutations: 5, repeats: 3, seed: 6)))
        #expect(r.null != (try probe.permutationTest(features: features, dimension: 3, labels: labels, permutations: 5, repeats: 3, seed: 7)).null)
    }

    @Test func noSignalGivesALargeP() throws {
        let (features, labels) = dataset(n: 60, d: 5, signal: 0, seed: 8)
        let r = try ConceptProbe(seed: 1).permutationTest(features: features, dimension: 5, labels: labels,
                                                          permutations: 99, repeats: 2, seed: 2)
        #expect(r.p > 0.05)
        #expect(r.observed > r.nullQuantile(0.02) && r.observed < r.nullQuantile(0.98))
    }

    /// Over 20 datasets without signal, p should be about uniform: the expected count of p < 0.05 is 1
    /// (P(≥ 5 of 20) = 0.3 % for a valid test) and the mean p about ½. A null that kept the true labels
    /// (p ≈ 1 always) or a null weaker than the observed pipeline (p small) falls outside these bounds; the
    /// separable case checks the tail's direction.
    @Test func falsePositiveRateIsNominal() throws {
        var rejections = 0, sum = 0.0
        for s in 0..<20 {
            let (features, labels) = dataset(n: 48, d: 5, signal: 0, seed: 100 + UInt64(s))
            let r = try ConceptProbe(seed: UInt64(s)).permutationTest(features: features, dimension: 5, labels: labels,
                                                                      permutations: 49, repeats: 2, seed: 200 + UInt64(s))
            if r.p < 0.05 { rejections += 1 }
            sum += r.p
        }
        #expect(rejections <= 4)
        #expect(sum / 20 > 0.3 && sum / 20 < 0.7)
    }

    /// NumPy 2 `np.quantile([0.31, 0.12, 0.25, 0.40, 0.18, 0.22, 0.29], [0, 0.05, 0.5, 0.95, 1])`.
    @Test func nullQuantilesMatchNumpy() {
        let r = PermutationTestResult(observed: 0.3, null: [0.31, 0.12, 0.25, 0.40, 0.18, 0.22, 0.29], repeats: 1)
        let expected = [0.12, 0.138, 0.25, 0.37299999999999994, 0.4]
        for (q, e) in zip([0, 0.05, 0.5, 0.95, 1], expected) { #expect(abs(r.nullQuantile(q) - e) < 1e-15) }
        #expect(r.exceedances == 2 && r.p == 3.0 / 8)
        #expect(abs(r.nullMean - 1.77 / 7) < 1e-15)
    }
}
