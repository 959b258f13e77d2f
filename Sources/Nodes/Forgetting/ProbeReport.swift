import Analysis
import Foundation

/// The `probe` output of `svm_probe`: `scores.csv` (one row per repeat), `folds.csv` (one row per fold of each
/// repeat) and `summary.json`.
public struct ProbeReport: Sendable, Equatable {
    /// The chance baseline in `summary.json`: feature-blind guessers, the permutation test and the verdict.
    public struct Chance: Codable, Sendable, Equatable {
        public var baseline: ChanceBaseline
        /// The permutation test, without its null values: `permutations`, `repeats`, `observed`, `null_mean`,
        /// `null_q95`, `exceedances`, `p`; nil when the probe ran with `permutations: 0`.
        public var permutation: Permutation?
        /// `beats_chance`, `below_all_positive` or `at_chance`; nil without a permutation test.
        public var verdict: ChanceVerdict?

        public struct Permutation: Codable, Sendable, Equatable {
            public var permutations: Int
            public var repeats: Int
            public var observed: Double
            public var nullMean: Double
            public var nullQ95: Double
            public var exceedances: Int
            public var p: Double
            enum CodingKeys: String, CodingKey {
                case permutations, repeats, observed, nullMean = "null_mean", nullQ95 = "null_q95", exceedances, p
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(baseline, forKey: .baseline)
            try c.encode(permutation, forKey: .permutation)
            try c.encode(verdict, forKey: .verdict)
        }

        enum CodingKeys: String, CodingKey { case baseline, permutation, verdict }
    }

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
        /// Absent in summaries written before version 2 of `svm_probe`.
        public var chance: Chance?

        enum CodingKeys: String, CodingKey {
            case concept, layer, crop, repeats, folds, c, positives, negatives
            case featureDimension = "feature_dimension", meanF1 = "mean_f1", sdF1 = "sd_f1"
            case meanPrecision = "mean_precision", meanRecall = "mean_recall", meanAccuracy = "mean_accuracy", chance
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
            try c.encodeIfPresent(chance, forKey: .chance)
        }
    }

    public var summary: Summary
    /// Per repeat: the mean over its folds.
    public var perRepeat: [BinaryScores]
    /// `perFold[r][k]`: fold k of repeat r.
    public var perFold: [[BinaryScores]]
    /// Test-set size of each fold.
    public var testSizes: [Int]

    /// The report of a cross-validated probe.
    /// - Parameters:
    ///   - positives, negatives: images with and without the concept.
    ///   - dimension: feature dimension d.
    ///   - permutation: the chance baseline's permutation test, if it ran.
    public init(concept: String, layer: String, crop: String?, probe: ConceptProbe, result: ProbeResult,
                positives: Int, negatives: Int, dimension: Int, permutation: PermutationTestResult? = nil) {
        let n = Double(result.perRepeat.count)
        func mean(_ key: KeyPath<BinaryScores, Double>) -> Double { result.perRepeat.reduce(0) { $0 + $1[keyPath: key] } / n }
        summary = Summary(concept: concept, layer: layer, crop: crop, repeats: probe.repeats, folds: probe.folds, c: probe.C,
                          positives: positives, negatives: negatives, featureDimension: dimension,
                          meanF1: result.meanF1, sdF1: result.standardDeviationF1, meanPrecision: mean(\.precision),
                          meanRecall: mean(\.recall), meanAccuracy: mean(\.accuracy))
        if positives >= 1 && negatives >= 1 {
            let baseline = ChanceBaseline(positives: positives, negatives: negatives)
            summary.chance = Chance(
                baseline: baseline,
                permutation: permutation.map { Chance.Permutation(permutations: $0.permutations, repeats: $0.repeats, observed: $0.observed,
                                                                  nullMean: $0.nullMean, nullQ95: $0.nullQuantile(0.95),
                                                                  exceedances: $0.exceedances, p: $0.p) },
                verdict: permutation.map { baseline.verdict(meanF1: result.meanF1, permutationP: $0.p) })
        }
        perRepeat = result.perRepeat
        perFold = result.perFold
        testSizes = result.testSizes
    }

    /// `scores.csv`: header `id,score,precision,recall,accuracy`, id = repeat index, score = mean F1 over folds;
    /// numbers in Swift's shortest round-trip form.
    public var scoresCSV: String {
        var lines = ["id,score,precision,recall,accuracy"]
        for (r, s) in perRepeat.enumerated() { lines.append("\(r),\(s.f1),\(s.precision),\(s.recall),\(s.accuracy)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `folds.csv`: header `repeat,fold,n_test,f1,precision,recall,accuracy`, one row per fold of every repeat.
    public var foldsCSV: String {
        var lines = ["repeat,fold,n_test,f1,precision,recall,accuracy"]
        for (r, folds) in perFold.enumerated() {
            for (k, s) in folds.enumerated() { lines.append("\(r),\(k),\(testSizes[k]),\(s.f1),\(s.precision),\(s.recall),\(s.accuracy)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `scores.csv`, `folds.csv` and `summary.json` into `directory`.
    public func write(to directory: URL) throws {
        try Data(scoresCSV.utf8).write(to: directory.appendingPathComponent("scores.csv"))
        try Data(foldsCSV.utf8).write(to: directory.appendingPathComponent("folds.csv"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: directory.appendingPathComponent("summary.json"))
    }
}
