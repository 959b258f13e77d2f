import Testing
@testable import Analysis

struct ChanceBaselineTests {
    /// The demo's AU14: 47 of 445 positive. All positive: precision 47/445, F1 = 2 · 47 / (445 + 47) = 94/492.
    @Test func au14ByHand() {
        let b = ChanceBaseline(positives: 47, negatives: 398)
        #expect(b.positiveFraction == 47.0 / 445)
        #expect(b.majorityAccuracy == 398.0 / 445)
        #expect(abs(b.allPositive.f1 - 94.0 / 492) < 1e-15)
        #expect(b.allPositive.recall == 1 && b.allPositive.precision == 47.0 / 445 && b.allPositive.accuracy == 47.0 / 445)
        #expect(b.labelFrequency.f1 == 47.0 / 445)
        #expect(ChanceBaseline(labels: [true, false, false, true, false]) == ChanceBaseline(positives: 2, negatives: 3))
    }

    /// The all-positive scores are what BinaryScores gives for an all-true prediction.
    @Test func allPositiveMatchesScoringAllTrue() {
        let labels = [true, false, false, true, false, false, false]
        let scored = BinaryScores(predicted: labels.map { _ in true }, truth: labels)
        let b = ChanceBaseline(labels: labels)
        #expect(abs(b.allPositive.f1 - scored.f1) < 1e-15 && abs(b.allPositive.precision - scored.precision) < 1e-15)
        #expect(abs(b.allPositive.accuracy - scored.accuracy) < 1e-15)
    }

    /// Every way of marking 2 of 5 images positive (10 subsets), averaged: E[F1] = π = 0.4 and
    /// E[accuracy] = π² + (1 − π)² = 0.52.
    @Test func labelFrequencyGuesserByEnumeration() {
        let truth = [true, true, false, false, false]
        var f1 = 0.0, accuracy = 0.0, count = 0.0
        for i in 0..<5 { for j in (i + 1)..<5 {
            let predicted = (0..<5).map { $0 == i || $0 == j }
            let s = BinaryScores(predicted: predicted, truth: truth)
            f1 += s.f1
            accuracy += s.accuracy
            count += 1
        } }
        let b = ChanceBaseline(labels: truth)
        #expect(abs(f1 / count - b.labelFrequency.f1) < 1e-15)
        #expect(abs(accuracy / count - b.labelFrequency.accuracy) < 1e-15)
    }

    @Test func verdictRule() {
        let b = ChanceBaseline(positives: 47, negatives: 398)  // all-positive F1 0.191
        #expect(b.verdict(meanF1: 0.40, permutationP: 0.01) == .beatsChance)
        #expect(b.verdict(meanF1: 0.179, permutationP: 0.01) == .belowAllPositive)
        #expect(b.verdict(meanF1: 0.40, permutationP: 0.05) == .atChance)
        #expect(b.verdict(meanF1: 0.40, permutationP: 0.08, alpha: 0.1) == .beatsChance)
        #expect(!ChanceVerdict.comparisonIsInterpretable(.atChance, .belowAllPositive))
        #expect(ChanceVerdict.comparisonIsInterpretable(.atChance, .beatsChance))
    }
}
