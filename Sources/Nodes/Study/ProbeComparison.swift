import Analysis
import Foundation
import Graph

/// `significance_test` with `test: paired_t`: two score tables (`scores.csv`, `id,score`) paired by id, e.g. the
/// per-repeat F1 of two `svm_probe`s.
///
/// `result.json` of one pair: the study's paired t over CV repeats (`n, mean_a, mean_b, mean_difference, t, df, p,
/// cohens_d`; it measures fold-assignment noise only) and, for `svm_probe` inputs, `corrected` (the Nadeau–Bengio
/// corrected resampled t over their fold scores, `folds.csv`), `chance_a`/`chance_b` (each probe's verdict) and
/// `interpretable` (false when neither probe beats chance: the difference is then not a difference in how well the
/// concept is decoded). Across seeds: `{test, a, b, seeds, per_seed: [{seed, a, b, …the same fields}],
/// across_seeds, interpretable}` where `across_seeds` is the paired t over the per-seed mean scores and
/// `interpretable` holds when every seed's pair is.
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
        /// What `t`/`p` are: the study's test.
        var label = studyLabel
        var corrected: CorrectedResampledTTestResult?
        var chanceA: ChanceVerdict?
        var chanceB: ChanceVerdict?
        var interpretable: Bool?
        enum CodingKeys: String, CodingKey {
            case test, seed, a, b, n, meanA = "mean_a", meanB = "mean_b", meanDifference = "mean_difference", t, df, p, cohensD = "cohens_d"
            case label, corrected, chanceA = "chance_a", chanceB = "chance_b", interpretable
        }
    }

    static let studyLabel = "the study's paired t over CV repeats (fold-assignment noise only)"

    struct ReplicatedReport: Codable {
        var test = "paired_t"
        var a: String
        var b: String
        var seeds: [Int]
        var perSeed: [PairedT]
        var acrossSeeds: AcrossSeedsT
        var interpretable: Bool?
        enum CodingKeys: String, CodingKey { case test, a, b, seeds, perSeed = "per_seed", acrossSeeds = "across_seeds", interpretable }
    }

    static let csvHeader = "n,mean_a,mean_b,mean_difference,t,df,p,cohens_d\n"

    static func run(_ pairs: [SignificanceTestNode.Pair], context: NodeContext, to out: URL) throws {
        let tests = try pairs.map(pairedT)
        for r in tests {
            context.log(String(format: "%@ vs %@: n %d, mean difference %.4f, study's t %.3f, df %d, p %.3g, d %.3f", r.a, r.b,
                               r.n, r.meanDifference, r.t, r.df, r.p, r.cohensD))
            if let c = r.corrected { context.log(String(format: "  Nadeau–Bengio corrected t %.3f, df %d, p %.3g", c.t, c.df, c.p)) }
            if let a = r.chanceA, let b = r.chanceB {
                context.log("  chance: a \(a.rawValue), b \(b.rawValue)\(r.interpretable == false ? ": neither beats chance, the difference is uninterpretable" : "")")
            }
        }
        if pairs.count == 1 {
            var r = tests[0]
            r.seed = nil
            let csv = csvHeader + "\(r.n),\(r.meanA),\(r.meanB),\(r.meanDifference),\(r.t),\(r.df),\(r.p),\(r.cohensD)\n"
            try SignificanceTestNode.write(r, csv: csv, to: out)
            context.metric("t", r.t)
            context.metric("p", r.p)
            context.metric("mean_difference", r.meanDifference)
            if let c = r.corrected { context.metric("p_corrected", c.p) }
            if let i = r.interpretable { context.metric("interpretable", i ? 1 : 0) }
            return
        }
        let across = try AcrossSeedsT(a: tests.map(\.meanA), b: tests.map(\.meanB))
        var csv = "seed," + csvHeader
        for r in tests { csv += "\(r.seed!),\(r.n),\(r.meanA),\(r.meanB),\(r.meanDifference),\(r.t),\(r.df),\(r.p),\(r.cohensD)\n" }
        csv += "all,\(across.seeds),\(across.meanA),\(across.meanB),\(across.meanDifference),\(across.t),\(across.df),\(across.p),\n"
        let verdicts = tests.compactMap(\.interpretable)
        let report = ReplicatedReport(a: SignificanceTestNode.acrossSeedsName(pairs[0].a), b: SignificanceTestNode.acrossSeedsName(pairs[0].b),
                                      seeds: pairs.map { $0.seed! }, perSeed: tests, acrossSeeds: across,
                                      interpretable: verdicts.count == tests.count ? verdicts.allSatisfy { $0 } : nil)
        try SignificanceTestNode.write(report, csv: csv, to: out)
        context.metric("seeds", Double(pairs.count))
        context.metric("t_across_seeds", across.t)
        context.metric("p_across_seeds", across.p)
        context.metric("mean_difference", across.meanDifference)
        if let i = report.interpretable { context.metric("interpretable", i ? 1 : 0) }
        context.log(String(format: "%@ vs %@ over %d seeds: mean %.4f vs %.4f, paired t over seeds t %.3f df %d p %.3g%@",
                           report.a, report.b, pairs.count, across.meanA, across.meanB, across.t, across.df, across.p,
                           report.interpretable == false ? " (uninterpretable: some seed has two probes that do not beat chance)" : ""))
    }

    /// The study's paired t over the repeats of one pair.
    static func pairedT(_ pair: SignificanceTestNode.Pair) throws -> PairedT {
        let sa = try IdentifiedValues.readCSV(at: try SignificanceTestNode.file(pair.a, "scores.csv"), column: "score")
        let sb = try IdentifiedValues.readCSV(at: try SignificanceTestNode.file(pair.b, "scores.csv"), column: "score")
        let paired = try IdentifiedValues.pair(sa, sb)
        let r = try PairedTTestResult(a: paired.a, b: paired.b)
        var out = PairedT(seed: pair.seed, a: pair.a.instance, b: pair.b.instance, n: r.n, meanA: SignificanceTestNode.mean(paired.a),
                          meanB: SignificanceTestNode.mean(paired.b), meanDifference: r.meanDifference, t: r.t, df: r.df, p: r.p, cohensD: r.cohensD)
        if let fa = try folds(pair.a), let fb = try folds(pair.b) {
            do {
                out.corrected = try CorrectedResampledTTestResult(a: fa, b: fb)
            } catch let error as AnalysisError {
                throw NodeFailure("\(pair.a.instance) vs \(pair.b.instance): \(error.description) (probe both with the same data, folds, repeats and seed)")
            }
        }
        out.chanceA = try verdict(pair.a)
        out.chanceB = try verdict(pair.b)
        if let a = out.chanceA, let b = out.chanceB { out.interpretable = ChanceVerdict.comparisonIsInterpretable(a, b) }
        return out
    }

    /// A probe's fold scores from `folds.csv` (`repeat,fold,n_test,f1,precision,recall,accuracy`); nil without one.
    static func folds(_ input: InputArtifact) throws -> ProbeResult? {
        let url = input.directory.appendingPathComponent("folds.csv")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        guard lines.first == "repeat,fold,n_test,f1,precision,recall,accuracy" else {
            throw NodeFailure("\(url.path):1: expected the header repeat,fold,n_test,f1,precision,recall,accuracy")
        }
        var perFold: [[BinaryScores]] = []
        var testSizes: [Int] = []
        for (i, line) in lines.dropFirst().enumerated() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 7, let r = Int(f[0]), let k = Int(f[1]), let n = Int(f[2]),
                  let f1 = Double(f[3]), let precision = Double(f[4]), let recall = Double(f[5]), let accuracy = Double(f[6]),
                  r == perFold.count - (k == 0 ? 0 : 1), k == (k == 0 ? 0 : perFold[r].count) else {
                throw NodeFailure("\(url.path):\(i + 2): expected repeat,fold,n_test and four scores, repeats and folds in order from 0")
            }
            if k == 0 { perFold.append([]) }
            if r == 0 { testSizes.append(n) } else if k >= testSizes.count || testSizes[k] != n {
                throw NodeFailure("\(url.path):\(i + 2): fold \(k) has \(n) test images here but \(k < testSizes.count ? String(testSizes[k]) : "no fold") in repeat 0")
            }
            perFold[r].append(BinaryScores(precision: precision, recall: recall, f1: f1, accuracy: accuracy))
        }
        guard !perFold.isEmpty, testSizes.count >= 2, perFold.allSatisfy({ $0.count == testSizes.count }) else {
            throw NodeFailure("\(url.path): expected the same k ≥ 2 folds in every repeat")
        }
        return ProbeResult(perFold: perFold, testSizes: testSizes)
    }

    /// A probe's chance verdict from `summary.json` (`chance.verdict`); nil when absent or untested.
    static func verdict(_ input: InputArtifact) throws -> ChanceVerdict? {
        let url = input.directory.appendingPathComponent("summary.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        struct Summary: Decodable { var chance: ProbeReport.Chance? }
        return try ArtifactJSON.decode(Summary.self, from: url, data: data, expected: "the chance baseline does not parse").chance?.verdict
    }
}
