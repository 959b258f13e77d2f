/// What a binary probe scores without looking at the features, from its labels alone: π = P / (P + N) the
/// fraction of positives.
///
/// - Majority class: accuracy max(π, 1 − π).
/// - All positive ("present" for every image): precision π, recall 1, F1 = 2π / (1 + π), accuracy π. The
///   largest F1 of any guesser that ignores the features, and the one a rare concept's probe must beat
///   (π = 47/445 gives 0.191).
/// - Label-frequency guesser (marks a random P of the n images positive, i.e. shuffled labels): TP is
///   hypergeometric with E[TP] = P²/n, so E[precision] = E[recall] = E[F1] = π exactly and
///   E[accuracy] = π² + (1 − π)².
///
/// A probe on features without signal has no fixed F1: it depends on how often the trained SVM answers
/// "present" (an SVM with more features than images fits its training folds exactly and may answer "present"
/// for far fewer test images than the class weights suggest). Only the permutation test gives the null of
/// the actual pipeline.
public struct ChanceBaseline: Codable, Equatable, Sendable {
    public var positives: Int
    public var negatives: Int
    /// π = P / (P + N).
    public var positiveFraction: Double
    /// max(π, 1 − π).
    public var majorityAccuracy: Double
    /// Scores of answering "present" for every image.
    public var allPositive: BinaryScores
    /// Expected scores of the label-frequency guesser.
    public var labelFrequency: BinaryScores

    enum CodingKeys: String, CodingKey {
        case positives, negatives, positiveFraction = "positive_fraction", majorityAccuracy = "majority_accuracy"
        case allPositive = "all_positive", labelFrequency = "label_frequency"
    }

    /// Baselines for `positives` and `negatives` images, each ≥ 1.
    public init(positives: Int, negatives: Int) {
        precondition(positives >= 1 && negatives >= 1, "baselines need both classes")
        self.positives = positives
        self.negatives = negatives
        let pi = Double(positives) / Double(positives + negatives)
        positiveFraction = pi
        majorityAccuracy = max(pi, 1 - pi)
        allPositive = BinaryScores(precision: pi, recall: 1, f1: 2 * pi / (1 + pi), accuracy: pi)
        labelFrequency = BinaryScores(precision: pi, recall: pi, f1: pi, accuracy: pi * pi + (1 - pi) * (1 - pi))
    }

    /// Baselines of `labels` (true = concept present).
    public init(labels: [Bool]) {
        let positives = labels.filter { $0 }.count
        self.init(positives: positives, negatives: labels.count - positives)
    }

    /// The project's at-chance rule. A probe beats chance when both hold:
    /// 1. its permutation test rejects "no link between features and concept": p < α;
    /// 2. its mean F1 exceeds the all-positive F1 2π / (1 + π).
    ///
    /// (1) alone says the features carry some information about the concept; (2) asks that the probe also be
    /// a better detector than answering "present" every time, the best feature-blind F1. A probe that passes
    /// (1) but not (2) is `belowAllPositive`: informative, yet its F1 does not mean "recognises the concept".
    /// Accuracy is not used: a class-balanced probe of a rare concept trades accuracy for recall by design.
    /// - Parameters:
    ///   - meanF1: the probe's mean F1 over its repeats.
    ///   - permutationP: p of `ConceptProbe.permutationTest`.
    ///   - alpha: significance level, 0.05 by default.
    public func verdict(meanF1: Double, permutationP: Double, alpha: Double = 0.05) -> ChanceVerdict {
        if permutationP >= alpha { return .atChance }
        return meanF1 > allPositive.f1 ? .beatsChance : .belowAllPositive
    }
}

/// How a probe compares with chance (see `ChanceBaseline.verdict`).
public enum ChanceVerdict: String, Codable, Sendable {
    /// Permutation p < α and mean F1 above the all-positive F1.
    case beatsChance = "beats_chance"
    /// Permutation p < α, but mean F1 at or below the all-positive F1.
    case belowAllPositive = "below_all_positive"
    /// Permutation p ≥ α: no evidence that the features carry the concept.
    case atChance = "at_chance"

    /// Whether a difference between two probes with these verdicts can be read as a difference in how well
    /// the concept is decoded: at least one must beat chance. Two probes that both fail to beat chance differ
    /// only in how they fail (e.g. how often they answer "present"), whatever a test between them says.
    public static func comparisonIsInterpretable(_ a: ChanceVerdict, _ b: ChanceVerdict) -> Bool {
        a == .beatsChance || b == .beatsChance
    }
}
