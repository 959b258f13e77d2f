/// Per-class and macro-averaged precision, recall and F1, accuracy and the confusion matrix of a
/// multi-class classifier (the study's Table 1; scikit-learn's `classification_report` conventions).
public struct ClassificationReport: Codable, Equatable, Sendable {
    /// Metrics of one class.
    public struct ClassMetrics: Codable, Equatable, Sendable {
        public var name: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Number of samples whose true class this is.
        public var support: Int
    }

    /// Unweighted means over classes.
    public struct Macro: Codable, Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    public var classes: [ClassMetrics]
    public var macro: Macro
    public var accuracy: Double
    /// `confusion[t][p]`: samples of true class t predicted as class p.
    public var confusion: [[Int]]

    /// Builds the report. An undefined ratio (a class never predicted or never present) counts as 0.
    /// - Parameters:
    ///   - classNames: names of classes 0..<K.
    ///   - truth, predicted: class indices in 0..<K, one per sample.
    public init(classNames: [String], truth: [Int], predicted: [Int]) {
        let k = classNames.count
        precondition(truth.count == predicted.count && !truth.isEmpty, "one prediction per sample")
        precondition(truth.allSatisfy { (0..<k).contains($0) } && predicted.allSatisfy { (0..<k).contains($0) },
                     "class indices must lie in 0..<\(k)")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
        self.confusion = confusion
        classes = (0..<k).map { c in
            let tp = confusion[c][c]
            let support = confusion[c].reduce(0, +)
            let predictedCount = confusion.reduce(0) { $0 + $1[c] }
            let precision = predictedCount == 0 ? 0 : Double(tp) / Double(predictedCount)
            let recall = support == 0 ? 0 : Double(tp) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassMetrics(name: classNames[c], precision: precision, recall: recall, f1: f1, support: support)
        }
        let n = Double(k)
        macro = Macro(precision: classes.reduce(0) { $0 + $1.precision } / n,
                      recall: classes.reduce(0) { $0 + $1.recall } / n,
                      f1: classes.reduce(0) { $0 + $1.f1 } / n)
        accuracy = Double((0..<k).reduce(0) { $0 + confusion[$1][$1] }) / Double(truth.count)
    }

    /// The confusion matrix as CSV: a header `true\predicted,<class>…`, then one row per true class.
    public var confusionCSV: String {
        var lines = ["true\\predicted," + classes.map(\.name).joined(separator: ",")]
        for (c, row) in confusion.enumerated() {
            lines.append(classes[c].name + "," + row.map(String.init).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
