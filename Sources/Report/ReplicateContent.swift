import Foundation

// The statistics of replicated studies and honest probe comparisons, as the report shows them
// (docs/statistics.md defines each test).

/// Mean and range of one quantity over replicates (seeds); a single value has min = max = mean.
public struct Spread: Sendable, Equatable {
    public let mean: Double
    public let min: Double
    public let max: Double
    /// How many values (seeds).
    public let count: Int

    /// The spread of the finite `values`; `nil` when there are none.
    public init?(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return nil }
        mean = finite.reduce(0, +) / Double(finite.count)
        min = lo
        max = hi
        count = finite.count
    }
}

/// The Nadeau–Bengio corrected resampled t-test over the fold scores of two probes.
public struct CorrectedT: Sendable {
    public let t: Double
    /// k·r − 1.
    public let df: Double
    public let p: Double

    public init(t: Double, df: Double, p: Double) {
        self.t = t
        self.df = df
        self.p = p
    }
}

/// How a probe compares with chance (`chance.verdict` of `svm_probe`'s `summary.json`).
public enum ProbeVerdict: String, Sendable {
    /// Permutation p < 0.05 and mean F1 above the all-positive F1.
    case beatsChance = "beats_chance"
    /// Permutation p < 0.05, but mean F1 at or below the all-positive F1.
    case belowAllPositive = "below_all_positive"
    /// Permutation p ≥ 0.05.
    case atChance = "at_chance"

    /// The verdict in words, as the tables print it.
    public var text: String {
        switch self {
        case .beatsChance: return "beats chance"
        case .belowAllPositive: return "does not beat chance (F1 ≤ all-positive)"
        case .atChance: return "does not beat chance (at chance)"
        }
    }

    /// The verdict in two or three words, for a comparison's reading.
    public var short: String {
        switch self {
        case .beatsChance: return "beats chance"
        case .belowAllPositive: return "F1 ≤ all-positive"
        case .atChance: return "at chance"
        }
    }
}

/// A probe's chance baseline: feature-blind guessers from its labels, and the permutation test of the whole probe.
public struct ProbeChance: Sendable {
    public let positives: Int
    public let negatives: Int
    /// F1 of answering "present" for every image, 2π/(1 + π).
    public let allPositiveF1: Double
    /// Accuracy of always answering the majority class, max(π, 1 − π).
    public let majorityAccuracy: Double
    /// Label shuffles of the permutation test; `nil` when it did not run.
    public let permutations: Int?
    /// Permutation p, (1 + #{null ≥ observed}) / (N + 1); `nil` when the test did not run.
    public let permutationP: Double?
    /// Mean F1 of the probe on shuffled labels.
    public let nullMeanF1: Double?
    /// `nil` without a permutation test.
    public let verdict: ProbeVerdict?

    public init(positives: Int, negatives: Int, allPositiveF1: Double, majorityAccuracy: Double, permutations: Int?, permutationP: Double?,
                nullMeanF1: Double?, verdict: ProbeVerdict?) {
        self.positives = positives
        self.negatives = negatives
        self.allPositiveF1 = allPositiveF1
        self.majorityAccuracy = majorityAccuracy
        self.permutations = permutations
        self.permutationP = permutationP
        self.nullMeanF1 = nullMeanF1
        self.verdict = verdict
    }
}

/// Student's paired t over per-seed values of A and B (df = seeds − 1): the test against training noise.
public struct PairedTOverSeeds: Sendable {
    /// Per seed, in the order of the result's `seeds`.
    public let scoreA: [Double]
    public let scoreB: [Double]
    public let meanA: Double
    public let meanB: Double
    public let meanDifference: Double
    /// Sample standard deviation of the per-seed differences A − B.
    public let sdDifference: Double
    public let t: Double
    public let df: Double
    public let p: Double

    public init(scoreA: [Double], scoreB: [Double], meanA: Double, meanB: Double, meanDifference: Double, sdDifference: Double,
                t: Double, df: Double, p: Double) {
        self.scoreA = scoreA
        self.scoreB = scoreB
        self.meanA = meanA
        self.meanB = meanB
        self.meanDifference = meanDifference
        self.sdDifference = sdDifference
        self.t = t
        self.df = df
        self.p = p
    }
}

/// One class (or overall) of a replicated McNemar comparison: the paired t over per-seed recall and the
/// pooled McNemar on every seed's discordant pairs.
public struct McNemarAcrossRow: Sendable {
    /// Class name, or `overall`.
    public let label: String
    public let acrossSeeds: PairedTOverSeeds
    /// McNemar on Σb, Σc (scores are the n-weighted mean recall/accuracy).
    public let pooled: McNemarRow

    public init(label: String, acrossSeeds: PairedTOverSeeds, pooled: McNemarRow) {
        self.label = label
        self.acrossSeeds = acrossSeeds
        self.pooled = pooled
    }
}

/// A McNemar comparison over replicates (`significance_test` with `a: x[seed=*]`): one test per seed and the
/// combined tests across seeds.
public struct ReplicatedMcNemarResult: Sendable {
    public let instance: String
    /// The sides with `seed=*`.
    public let a: String
    public let b: String
    public let seeds: [Int]
    /// One result per seed (each with its `seed`).
    public let perSeed: [McNemarResult]
    /// Per class, then overall.
    public let across: [McNemarAcrossRow]

    public init(instance: String, a: String, b: String, seeds: [Int], perSeed: [McNemarResult], across: [McNemarAcrossRow]) {
        self.instance = instance
        self.a = a
        self.b = b
        self.seeds = seeds
        self.perSeed = perSeed
        self.across = across
    }
}

/// A paired-t comparison of probes over replicates: each seed's tests and the paired t over per-seed mean scores.
public struct ReplicatedPairedTResult: Sendable {
    public let instance: String
    public let a: String
    public let b: String
    public let seeds: [Int]
    public let perSeed: [PairedTResult]
    public let acrossSeeds: PairedTOverSeeds
    /// `false` when in some seed neither probe beats chance; `nil` when unknown.
    public let interpretable: Bool?

    public init(instance: String, a: String, b: String, seeds: [Int], perSeed: [PairedTResult], acrossSeeds: PairedTOverSeeds, interpretable: Bool?) {
        self.instance = instance
        self.a = a
        self.b = b
        self.seeds = seeds
        self.perSeed = perSeed
        self.acrossSeeds = acrossSeeds
        self.interpretable = interpretable
    }
}
