import Analysis
import Foundation
import Graph

/// `significance_test` with `test: mcnemar`: McNemar per pair of evaluations, and with replicates one test per
/// seed plus the combined tests across seeds.
///
/// `result.json` of one pair: `{test, a, b, overall, per_class}` (rows below). Across seeds: `{test, a, b, seeds,
/// per_seed: [{seed, a, b, overall, per_class}], across_seeds: {overall, per_class}}` where each across-seeds row
/// holds the paired t over per-seed recall (the conclusion) and the pooled McNemar over every seed's discordant
/// pairs. `result.csv`: one row per class (`class,n,b,c,p_exact,chi2,p_chi2,accuracy_a,accuracy_b`); across seeds
/// with a leading `seed` column, `all` for the pooled rows.
enum McNemarComparison {
    /// One row: McNemar counts and p-values for a set of samples (`accuracy_*` is the recall for one class).
    struct Row: Codable {
        var `class`: String?
        var n: Int
        var b: Int
        var c: Int
        var pExact: Double
        var chi2: Double
        var pChi2: Double
        var accuracyA: Double
        var accuracyB: Double
        enum CodingKeys: String, CodingKey {
            case `class`, n, b, c, pExact = "p_exact", chi2, pChi2 = "p_chi2", accuracyA = "accuracy_a", accuracyB = "accuracy_b"
        }
    }

    struct Report: Codable {
        var test = "mcnemar"
        var a: String
        var b: String
        var overall: Row
        var perClass: [Row]?
        enum CodingKeys: String, CodingKey { case test, a, b, overall, perClass = "per_class" }
    }

    struct SeedReport: Codable {
        var seed: Int
        var a: String
        var b: String
        var overall: Row
        var perClass: [Row]?
        enum CodingKeys: String, CodingKey { case seed, a, b, overall, perClass = "per_class" }
    }

    /// A class (or overall) across seeds: the paired t over per-seed recall and the pooled McNemar.
    struct AcrossRow: Codable {
        var `class`: String?
        var acrossSeeds: AcrossSeedsT
        /// McNemar on the discordant pairs of every seed together (`McNemarResult(pooling:)`, the matched-pair
        /// Cochran–Mantel–Haenszel test): beyond image-sampling noise of the pooled pairs, not beyond training noise.
        var pooled: Row
        enum CodingKeys: String, CodingKey { case `class`, acrossSeeds = "across_seeds", pooled }
    }

    struct Across: Codable {
        var overall: AcrossRow
        var perClass: [AcrossRow]?
        enum CodingKeys: String, CodingKey { case overall, perClass = "per_class" }
    }

    struct ReplicatedReport: Codable {
        var test = "mcnemar"
        var a: String
        var b: String
        var seeds: [Int]
        var perSeed: [SeedReport]
        var acrossSeeds: Across
        enum CodingKeys: String, CodingKey { case test, a, b, seeds, perSeed = "per_seed", acrossSeeds = "across_seeds" }
    }

    /// Paired per-sample correctness of one pair, checked to cover the same samples with the same labels.
    struct Paired {
        var ids: [String]
        var a: [String: Prediction]
        var b: [String: Prediction]
        var classes: [String]
    }

    /// One row of `predictions.csv`.
    struct Prediction {
        var label: String
        var correct: Bool
    }

    static func run(_ pairs: [SignificanceTestNode.Pair], perClass: Bool, context: NodeContext, to out: URL) throws {
        let paired = try pairs.map(read)
        let header = "seed,class,n,b,c,p_exact,chi2,p_chi2,accuracy_a,accuracy_b\n"
        func csvLine(_ seed: String, _ r: Row) -> String {
            "\(seed),\(CSV.field(r.class ?? "overall")),\(r.n),\(r.b),\(r.c),\(r.pExact),\(r.chi2),\(r.pChi2),\(r.accuracyA),\(r.accuracyB)\n"
        }
        let perPair = try paired.map { p -> (overall: Row, perClass: [Row]) in
            let overall = try row(p.ids, p, className: nil)
            let rows = perClass ? try p.classes.compactMap { name -> Row? in
                let members = p.ids.filter { p.a[$0]!.label == name }
                return members.isEmpty ? nil : try row(members, p, className: name)
            } : []
            return (overall, rows)
        }
        if pairs.count == 1 {
            let (overall, rows) = perPair[0]
            let report = Report(a: pairs[0].a.instance, b: pairs[0].b.instance, overall: overall, perClass: rows.isEmpty ? nil : rows)
            let lines = ([overall] + rows).map { String(csvLine("", $0).dropFirst()) }
            try SignificanceTestNode.write(report, csv: String(header.dropFirst("seed,".count)) + lines.joined(), to: out)
            context.metric("b", Double(overall.b))
            context.metric("c", Double(overall.c))
            context.metric("p_exact", overall.pExact)
            for r in rows { context.metric("p_exact_" + metricName(r.class ?? ""), r.pExact) }
            return
        }
        var csv = header
        var seedReports: [SeedReport] = []
        for (pair, result) in zip(pairs, perPair) {
            seedReports.append(SeedReport(seed: pair.seed!, a: pair.a.instance, b: pair.b.instance, overall: result.overall,
                                          perClass: result.perClass.isEmpty ? nil : result.perClass))
            csv += ([result.overall] + result.perClass).map { csvLine(String(pair.seed!), $0) }.joined()
        }
        let overall = try acrossRow(className: nil, paired: paired, rows: perPair.map(\.overall))
        var acrossClasses: [AcrossRow] = []
        if perClass {
            for name in paired[0].classes {
                let rows = perPair.compactMap { $0.perClass.first { $0.class == name } }
                if rows.count == pairs.count { acrossClasses.append(try acrossRow(className: name, paired: paired, rows: rows)) }
            }
        }
        for r in [overall] + acrossClasses {
            csv += csvLine("all", r.pooled)
        }
        let report = ReplicatedReport(a: SignificanceTestNode.acrossSeedsName(pairs[0].a), b: SignificanceTestNode.acrossSeedsName(pairs[0].b),
                                      seeds: pairs.map { $0.seed! }, perSeed: seedReports,
                                      acrossSeeds: Across(overall: overall, perClass: acrossClasses.isEmpty ? nil : acrossClasses))
        try SignificanceTestNode.write(report, csv: csv, to: out)
        context.metric("seeds", Double(pairs.count))
        context.metric("p_across_seeds", overall.acrossSeeds.p)
        context.metric("p_pooled_exact", overall.pooled.pExact)
        context.metric("mean_difference", overall.acrossSeeds.meanDifference)
        for r in acrossClasses { context.metric("p_across_seeds_" + metricName(r.class ?? ""), r.acrossSeeds.p) }
        context.log(String(format: "%@ vs %@ over %d seeds: overall accuracy %.3f vs %.3f, paired t over seeds t %.3f df %d p %.3g; pooled McNemar b %d c %d p %.3g",
                           report.a, report.b, pairs.count, overall.acrossSeeds.meanA, overall.acrossSeeds.meanB, overall.acrossSeeds.t,
                           overall.acrossSeeds.df, overall.acrossSeeds.p, overall.pooled.b, overall.pooled.c, overall.pooled.pExact))
    }

    /// The across-seeds row of one class from its per-seed rows.
    static func acrossRow(className: String?, paired: [Paired], rows: [Row]) throws -> AcrossRow {
        let t = try AcrossSeedsT(a: rows.map(\.accuracyA), b: rows.map(\.accuracyB))
        let m = McNemarResult(pooling: rows.map { McNemarResult(b: $0.b, c: $0.c) })
        let n = rows.map(\.n).reduce(0, +)
        let pooled = Row(class: className, n: n, b: m.b, c: m.c, pExact: m.pExact, chi2: m.chi2, pChi2: m.pChi2,
                         accuracyA: zip(rows, rows.map { Double($0.n) }).map { $0.accuracyA * $1 }.reduce(0, +) / Double(n),
                         accuracyB: zip(rows, rows.map { Double($0.n) }).map { $0.accuracyB * $1 }.reduce(0, +) / Double(n))
        return AcrossRow(class: className, acrossSeeds: t, pooled: pooled)
    }

    static func metricName(_ s: String) -> String { s.replacingOccurrences(of: " ", with: "_") }

    /// McNemar counts and p-values for the samples `ids`.
    static func row(_ ids: [String], _ p: Paired, className: String?) throws -> Row {
        let ca = ids.map { p.a[$0]!.correct }, cb = ids.map { p.b[$0]!.correct }
        let m = try McNemarResult(correctA: ca, correctB: cb)
        let n = Double(ids.count)
        return Row(class: className, n: ids.count, b: m.b, c: m.c, pExact: m.pExact, chi2: m.chi2, pChi2: m.pChi2,
                   accuracyA: Double(ca.filter { $0 }.count) / n, accuracyB: Double(cb.filter { $0 }.count) / n)
    }

    /// Reads both evaluations of a pair and checks they cover the same samples with the same labels.
    static func read(_ pair: SignificanceTestNode.Pair) throws -> Paired {
        let a = pair.a, b = pair.b
        let pa = try predictions(a), pb = try predictions(b)
        let onlyA = pa.keys.filter { pb[$0] == nil }.sorted(), onlyB = pb.keys.filter { pa[$0] == nil }.sorted()
        guard onlyA.isEmpty, onlyB.isEmpty else {
            throw NodeFailure("\(a.instance) and \(b.instance) were evaluated on different samples: \(onlyA.count) only in a (e.g. \(onlyA.prefix(3).joined(separator: ", "))), "
                + "\(onlyB.count) only in b (e.g. \(onlyB.prefix(3).joined(separator: ", ")))")
        }
        let ids = pa.keys.sorted()
        if let bad = ids.first(where: { pa[$0]!.label != pb[$0]!.label }) {
            throw NodeFailure("sample \(bad) has label '\(pa[bad]!.label)' in \(a.instance) but '\(pb[bad]!.label)' in \(b.instance)")
        }
        return Paired(ids: ids, a: pa, b: pb, classes: try classNames(a))
    }

    /// `predictions.csv` of an evaluate output, by sample id.
    static func predictions(_ input: InputArtifact) throws -> [String: Prediction] {
        let url = try SignificanceTestNode.file(input, "predictions.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        guard let header = lines.first, CSV.fields(header) == ["id", "label", "predicted", "correct"] else {
            throw NodeFailure("\(url.path):1: expected the header id,label,predicted,correct")
        }
        var out: [String: Prediction] = [:]
        for (n, line) in lines.dropFirst().enumerated() {
            let f = CSV.fields(line)
            guard f.count == 4, f[3] == "0" || f[3] == "1" else { throw NodeFailure("\(url.path):\(n + 2): expected id,label,predicted,correct with correct 0 or 1") }
            guard out[f[0]] == nil else { throw NodeFailure("\(url.path):\(n + 2): sample \(f[0]) appears twice") }
            out[f[0]] = Prediction(label: f[1], correct: f[3] == "1")
        }
        return out
    }

    /// Class names in the evaluation's order (from `metrics.json`).
    static func classNames(_ input: InputArtifact) throws -> [String] {
        struct Names: Decodable { var classNames: [String]; enum CodingKeys: String, CodingKey { case classNames = "class_names" } }
        let url = try SignificanceTestNode.file(input, "metrics.json")
        return try ArtifactJSON.decode(Names.self, from: url, expected: "not an evaluation's metrics").classNames
    }
}
