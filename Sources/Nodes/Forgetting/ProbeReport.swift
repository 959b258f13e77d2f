import Analysis
import Foundation

/// The `probe` output of `svm_probe` (CONTRACTS §6): `scores.csv` (one row per repeat) and `summary.json`.
public struct ProbeReport: Sendable, Equatable {
    /// `summary.json`; keys are written in snake_case, `crop` as null when absent.
    public struct Summary: Codable, Sendable, Equatable {
        public var concept: String
        public var layer: String
        public var crop: String?
        public var repeats: Int
        public var folds: Int
        public var c: Double
        public var positives: Int
        public var negatives: Int
        public var featureDimension: Int
        public var meanF1: Double
        public var sdF1: Double
        public var meanPrecision: Double
        public var meanRecall: Double
        public var meanAccuracy: Double

        enum CodingKeys: String, CodingKey {
            case concept, layer, crop, repeats, folds, c, positives, negatives
            case featureDimension = "feature_dimension", meanF1 = "mean_f1", sdF1 = "sd_f1"
            case meanPrecision = "mean_precision", meanRecall = "mean_recall", meanAccuracy = "mean_accuracy"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(concept, forKey: .concept)
            try c.encode(layer, forKey: .layer)
            try c.encode(crop, forKey: .crop)
            try c.encode(repeats, forKey: .repeats)
            try c.encode(folds, forKey: .folds)
            try c.encode(self.c, forKey: .c)
            try c.encode(positives, forKey: .positives)
            try c.encode(negatives, forKey: .negatives)
            try c.encode(featureDimension, forKey: .featureDimension)
            try c.encode(meanF1, forKey: .meanF1)
            try c.encode(sdF1, forKey: .sdF1)
            try c.encode(meanPrecision, forKey: .meanPrecision)
            try c.encode(meanRecall, forKey: .meanRecall)
            try c.encode(meanAccuracy, forKey: .meanAccuracy)
        }
    }

    public var summary: Summary
    /// Per repeat: the mean over its folds.
    public var perRepeat: [BinaryScores]

    /// The report of a cross-validated probe.
    /// - Parameters:
    ///   - positives, negatives: images with and without the concept.
    ///   - dimension: feature dimension d.
    public init(concept: String, layer: String, crop: String?, probe: ConceptProbe, result: ProbeResult,
                positives: Int, negatives: Int, dimension: Int) {
        let n = Double(result.perRepeat.count)
        func mean(_ key: KeyPath<BinaryScores, Double>) -> Double { result.perRepeat.reduce(0) { $0 + $1[keyPath: key] } / n }
        summary = Summary(concept: concept, layer: layer, crop: crop, repeats: probe.repeats, folds: probe.folds, c: probe.C,
                          positives: positives, negatives: negatives, featureDimension: dimension,
                          meanF1: result.meanF1, sdF1: result.standardDeviationF1, meanPrecision: mean(\.precision),
                          meanRecall: mean(\.recall), meanAccuracy: mean(\.accuracy))
        perRepeat = result.perRepeat
    }

    /// `scores.csv`: header `id,score,precision,recall,accuracy`, id = repeat index, score = mean F1 over folds;
    /// numbers in Swift's shortest round-trip form.
    public var scoresCSV: String {
        var lines = ["id,score,precision,recall,accuracy"]
        for (r, s) in perRepeat.enumerated() { lines.append("\(r),\(s.f1),\(s.precision),\(s.recall),\(s.accuracy)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `scores.csv` and `summary.json` into `directory`.
    public func write(to directory: URL) throws {
        try Data(scoresCSV.utf8).write(to: directory.appendingPathComponent("scores.csv"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: directory.appendingPathComponent("summary.json"))
    }
}
