import Analysis
import Foundation
import Graph

/// `significance_test` with `test: paired_t`: two score tables (`scores.csv`, `id,score`) paired by id, e.g. the
/// per-repeat F1 of two `svm_probe`s.
///
/// `result.json` of one pair: the study's paired t over CV repeats (`n, mean_a, mean_b, mean_difference, t, df, p,
/// cohens_d`; it measures fold-assignment noise only). Across seeds: `{test, a, b, seeds, per_seed: [{seed, a, b,
/// …the same fields}], across_seeds}` where `across_seeds` is the paired t over the per-seed mean scores.
enum ProbeComparison {
    /// The study's paired t over the repeats of one pair.
    struct PairedT: Codable {
        var test = "paired_t"
        var seed: Int?
        var a: String
        var b: String
        var n: Int
        var meanA: Double
        var meanB: Double
        var meanDifference: Double
        var t: Double
        var df: Int
        var p: Double
        var cohensD: Double
        enum CodingKeys: String, CodingKey {
            case test, seed, a, b, n, meanA = "mean_a", meanB = "mean_b", meanDifference = "mean_difference", t, df, p, cohensD = "cohens_d"
        }
    }

    struct ReplicatedReport: Codable {
        var test = "paired_t"
        var a: String
        var b: String
        var seeds: [Int]
        var perSeed: [PairedT]
        var acrossSeeds: AcrossSeedsT
        enum CodingKeys: String, CodingKey { case test, a, b, seeds, perSeed = "per_seed", acrossSeeds = "across_seeds" }
    }

    static let csvHeader = "n,mean_a,mean_b,mean_difference,t,df,p,cohens_d\n"

    static func run(_ pairs: [SignificanceTestNode.Pair], context: NodeContext, to out: URL) throws {
        let tests = try pairs.map(pairedT)
        for r in tests {
            context.log(String(format: "%@ vs %@: n %d, mean difference %.4f, t %.3f, df %d, p %.3g, d %.3f", r.a, r.b,
                               r.n, r.meanDifference, r.t, r.df, r.p, r.cohensD))
        }
        if pairs.count == 1 {
            var r = tests[0]
            r.seed = nil
            let csv = csvHeader + "\(r.n),\(r.meanA),\(r.meanB),\(r.meanDifference),\(r.t),\(r.df),\(r.p),\(r.cohensD)\n"
            try SignificanceTestNode.write(r, csv: csv, to: out)
            context.metric("t", r.t)
            context.metric("p", r.p)
            context.metric("mean_difference", r.meanDifference)
            return
        }
        let across = try AcrossSeedsT(a: tests.map(\.meanA), b: tests.map(\.meanB))
        var csv = "seed," + csvHeader
        for r in tests { csv += "\(r.seed!),\(r.n),\(r.meanA),\(r.meanB),\(r.meanDifference),\(r.t),\(r.df),\(r.p),\(r.cohensD)\n" }
        csv += "all,\(across.seeds),\(across.meanA),\(across.meanB),\(across.meanDifference),\(across.t),\(across.df),\(across.p),\n"
        let report = ReplicatedReport(a: SignificanceTestNode.acrossSeedsName(pairs[0].a), b: SignificanceTestNode.acrossSeedsName(pairs[0].b),
                                      seeds: pairs.map { $0.seed! }, perSeed: tests, acrossSeeds: across)
        try SignificanceTestNode.write(report, csv: csv, to: out)
        context.metric("seeds", Double(pairs.count))
        context.metric("t_across_seeds", across.t)
        context.metric("p_across_seeds", across.p)
        context.metric("mean_difference", across.meanDifference)
        context.log(String(format: "%@ vs %@ over %d seeds: mean %.4f vs %.4f, paired t over seeds t %.3f df %d p %.3g",
                           report.a, report.b, pairs.count, across.meanA, across.meanB, across.t, across.df, across.p))
    }

    /// The study's paired t over the repeats of one pair.
    static func pairedT(_ pair: SignificanceTestNode.Pair) throws -> PairedT {
        let sa = try IdentifiedValues.readCSV(at: try SignificanceTestNode.file(pair.a, "scores.csv"), column: "score")
        let sb = try IdentifiedValues.readCSV(at: try SignificanceTestNode.file(pair.b, "scores.csv"), column: "score")
        let paired = try IdentifiedValues.pair(sa, sb)
        let r = try PairedTTestResult(a: paired.a, b: paired.b)
        return PairedT(seed: pair.seed, a: pair.a.instance, b: pair.b.instance, n: r.n, meanA: SignificanceTestNode.mean(paired.a),
                       meanB: SignificanceTestNode.mean(paired.b), meanDifference: r.meanDifference, t: r.t, df: r.df, p: r.p, cohensD: r.cohensD)
    }
}
