import Analysis
import Foundation
import Graph

/// `significance_test`: compares two models, A and B.
///
/// - `mcnemar` on two `evaluate` outputs: McNemar's test on paired per-sample correctness, overall and per class.
/// - `paired_t` on two score tables (`scores.csv` with `id,score`, e.g. `svm_probe` outputs): the study's paired
///   t over CV repeats, plus, for probes, the Nadeau–Bengio corrected test and each probe's chance baseline.
///
/// With replicates, `a: "recall[blocks=5,seed=*]"` and `b: "recall[blocks=0,seed=*]"` gather one input per seed;
/// the inputs are paired by their `seed` coordinate, every seed gets its own test, and one test across seeds
/// (a paired t over the per-seed differences, df = seeds − 1) gives the conclusion (docs/statistics.md).
public struct SignificanceTestNode: NodeKind {
    public static let kind = "significance_test"
    public static let version = 2
    public static let summary = "McNemar on two evaluations or a paired t on two score tables; with seed=* inputs, per seed and across seeds."
    public static let params: [ParamSpec] = [
        .string("test", allowed: Test.allCases.map(\.rawValue), doc: "mcnemar (inputs: evaluate outputs) or paired_t (inputs: tables with id,score)."),
        .string("per", default: Per.perClass.rawValue, allowed: Per.allCases.map(\.rawValue), doc: "mcnemar: also per true class (class) or overall only."),
    ]
    public static let inputs: [PortSpec] = [
        PortSpec("a", gather: true, doc: "The first model's evaluation (or scores): b counts A right and B wrong. One instance, or one per seed (x[seed=*])."),
        PortSpec("b", gather: true, doc: "The second, on the same samples (or repeats); paired with a by seed."),
    ]
    public static let outputs: [OutputSpec] = [OutputSpec("result", doc: "result.json and result.csv")]
    public static let usesSeed = false

    /// The `test` param.
    enum Test: String, Decodable, CaseIterable {
        case mcnemar
        case pairedT = "paired_t"
    }

    /// The `per` param.
    enum Per: String, Decodable, CaseIterable {
        case perClass = "class"
        case overall
    }

    /// The checked params, decoded once.
    struct Params: Decodable { var test: Test, per: Per }

    /// One A/B pair of inputs: a single comparison, or one seed of a replicated one.
    struct Pair {
        var seed: Int?
        var a: InputArtifact
        var b: InputArtifact
    }

    public static func run(_ context: NodeContext) throws {
        let pairs = try Self.pairs(context.inputs["a"] ?? [], context.inputs["b"] ?? [])
        let out = context.output()
        let p = try context.params.decode(Params.self)
        if p.test == .pairedT {
            try ProbeComparison.run(pairs, context: context, to: out)
        } else {
            try McNemarComparison.run(pairs, perClass: p.per == .perClass, context: context, to: out)
        }
    }

    /// Pairs the inputs: one each, or one per seed on both sides (matched by the `seed` coordinate).
    static func pairs(_ a: [InputArtifact], _ b: [InputArtifact]) throws -> [Pair] {
        guard !a.isEmpty, !b.isEmpty else { throw NodeFailure("inputs a and b must each receive at least one instance") }
        if a.count == 1 && b.count == 1 { return [Pair(seed: a[0].coordinates["seed"]?.intValue, a: a[0], b: b[0])] }
        func bySeed(_ list: [InputArtifact], _ port: String) throws -> [Int: InputArtifact] {
            var out: [Int: InputArtifact] = [:]
            for x in list {
                guard let s = x.coordinates["seed"]?.intValue else {
                    throw NodeFailure("input \(port) gathers \(list.count) instances but \(x.instance) has no seed coordinate; "
                        + "gather replicates with x[seed=*] (seeds: in the experiment file) or give one instance")
                }
                guard out[s] == nil else {
                    throw NodeFailure("input \(port) has two instances of seed \(s) (\(out[s]!.instance), \(x.instance)); fix the other axes, e.g. x[blocks=5,seed=*]")
                }
                out[s] = x
            }
            return out
        }
        let sa = try bySeed(a, "a"), sb = try bySeed(b, "b")
        guard Set(sa.keys) == Set(sb.keys) else {
            throw NodeFailure("inputs a and b have different seeds: a \(sa.keys.sorted()), b \(sb.keys.sorted())")
        }
        return sa.keys.sorted().map { Pair(seed: $0, a: sa[$0]!, b: sb[$0]!) }
    }

    /// What a side of a replicated comparison is called: its instance id with `seed=*`.
    static func acrossSeedsName(_ x: InputArtifact) -> String {
        let node = x.instance.firstIndex(of: "[").map { String(x.instance[..<$0]) } ?? x.instance
        let axes = x.coordinates.keys.sorted().map { $0 == "seed" ? "seed=*" : "\($0)=\(x.coordinates[$0]!)" }
        return axes.isEmpty ? node : node + "[" + axes.joined(separator: ",") + "]"
    }

    static func file(_ input: InputArtifact, _ name: String) throws -> URL {
        let url = input.directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw NodeFailure("input \(input.instance) (\(input.kind)) has no \(name); expected \(name == "scores.csv" ? "an svm_probe output or a table with id,score" : "an evaluate output")")
        }
        return url
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }

    /// Writes `result.json` (sorted keys) and `result.csv`.
    static func write<T: Encodable>(_ value: T, csv: String, to out: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A t of ±∞ (every difference equal and non-zero) is written as a string, as the report reads it.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(value).write(to: out.appendingPathComponent("result.json"))
        try Data(csv.utf8).write(to: out.appendingPathComponent("result.csv"))
    }
}

/// The test across seeds of per-seed values of A and B: Student's paired t over the seeds (df = seeds − 1).
/// It measures the difference against training noise: each seed retrains everything seeded.
struct AcrossSeedsT: Codable {
    var test = "paired_t_over_seeds"
    var seeds: Int
    var scoreA: [Double]
    var scoreB: [Double]
    var meanA: Double
    var meanB: Double
    var meanDifference: Double
    /// Sample standard deviation of the per-seed differences.
    var sdDifference: Double
    var t: Double
    var df: Int
    var p: Double

    enum CodingKeys: String, CodingKey {
        case test, seeds, scoreA = "score_a", scoreB = "score_b", meanA = "mean_a", meanB = "mean_b"
        case meanDifference = "mean_difference", sdDifference = "sd_difference", t, df, p
    }

    init(a: [Double], b: [Double]) throws {
        let r = try PairedTTestResult(a: a, b: b)
        seeds = a.count
        scoreA = a
        scoreB = b
        meanA = SignificanceTestNode.mean(a)
        meanB = SignificanceTestNode.mean(b)
        meanDifference = r.meanDifference
        let d = zip(a, b).map { $0 - $1 }
        sdDifference = (d.reduce(0) { $0 + ($1 - r.meanDifference) * ($1 - r.meanDifference) } / Double(d.count - 1)).squareRoot()
        t = r.t
        df = r.df
        p = r.p
    }
}
