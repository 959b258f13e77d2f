/// Precision, recall, F1 (of the positive class) and accuracy of binary predictions.
public struct BinaryScores: Codable, Equatable, Sendable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var accuracy: Double

    public init(precision: Double, recall: Double, f1: Double, accuracy: Double) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.accuracy = accuracy
    }

    /// Scores of `predicted` against `truth`. An undefined ratio (no positive predictions, no positives)
    /// counts as 0, as scikit-learn's `zero_division=0`.
    public init(predicted: [Bool], truth: [Bool]) {
        precondition(predicted.count == truth.count && !truth.isEmpty, "one prediction per sample")
        var tp = 0, fp = 0, fn = 0, correct = 0
        for (p, t) in zip(predicted, truth) {
            if p && t { tp += 1 } else if p { fp += 1 } else if t { fn += 1 }
            if p == t { correct += 1 }
        }
        precision = tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp)
        recall = tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn)
        f1 = 2 * tp + fp + fn == 0 ? 0 : 2 * Double(tp) / Double(2 * tp + fp + fn)
        accuracy = Double(correct) / Double(truth.count)
    }

    /// The component-wise mean of several score sets.
    public static func mean(_ scores: [BinaryScores]) -> BinaryScores {
        let n = Double(scores.count)
        return BinaryScores(
            precision: scores.reduce(0) { $0 + $1.precision } / n,
            recall: scores.reduce(0) { $0 + $1.recall } / n,
            f1: scores.reduce(0) { $0 + $1.f1 } / n,
            accuracy: scores.reduce(0) { $0 + $1.accuracy } / n
        )
    }
}
