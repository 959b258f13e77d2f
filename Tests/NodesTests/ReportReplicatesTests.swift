import Analysis
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Graph
@testable import Nodes

/// A replicated study (`seeds: [7, 8]`) of shell nodes that copy per-seed evaluate-like and probe-like files, with the
/// real `significance_test` combining them across seeds, rendered by the report.
enum ReplicateFixtures {
    static let classes = ["surprise", "contempt"]

    /// `metrics.json` + `predictions.csv` of an emotion evaluation on s1, s2 (surprise) and s3, s4 (contempt); `wrong`
    /// are the samples it gets wrong (predicted as the other class).
    static func emotionEvaluation(wrong: Set<String>, into dir: URL) throws {
        var csv = "id,label,predicted,correct\n"
        var hits: [String: Int] = [:]
        for (i, label) in ["surprise", "surprise", "contempt", "contempt"].enumerated() {
            let id = "s\(i + 1)", ok = !wrong.contains(id)
            csv += "\(id),\(label),\(ok ? label : classes.first { $0 != label }!),\(ok ? 1 : 0)\n"
            hits[label, default: 0] += ok ? 1 : 0
        }
        let recalls = classes.map { Double(hits[$0] ?? 0) / 2 }
        var metrics = ReportFixtures.metrics(classes, recalls: recalls, accuracy: recalls.reduce(0, +) / 2)
        metrics["samples"] = 4
        try ReportFixtures.json(metrics, dir, "metrics.json")
        try csv.write(to: dir.appendingPathComponent("predictions.csv"), atomically: true, encoding: .utf8)
    }

    /// An `svm_probe`-like output: `summary.json` as `ProbeReport.Summary` writes it (with its chance baseline),
    /// `scores.csv` of 3 repeats (mean F1 + `offsets`) and `folds.csv` with both folds at the repeat's score.
    static func probe(concept: String, f1: Double, offsets: [Double], permutationP: Double, into dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let scores = offsets.map { f1 + $0 }
        let mean = scores.reduce(0, +) / 3
        let baseline = ChanceBaseline(positives: 5, negatives: 15)
        var summary = ProbeReport.Summary(concept: concept, layer: "block5", crop: nil, repeats: 3, folds: 2, c: 1, positives: 5, negatives: 15,
                                          featureDimension: 8, meanF1: mean, sdF1: 0.01, meanPrecision: mean, meanRecall: mean, meanAccuracy: 0.6)
        summary.chance = ProbeReport.Chance(baseline: baseline,
                                            permutation: .init(permutations: 99, repeats: 3, observed: mean, nullMean: 0.3, nullQ95: 0.38,
                                                               exceedances: Int(permutationP * 100) - 1, p: permutationP),
                                            verdict: baseline.verdict(meanF1: mean, permutationP: permutationP))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(summary).write(to: dir.appendingPathComponent("summary.json"))
        var scoresCSV = "id,score,precision,recall,accuracy\n", folds = "repeat,fold,n_test,f1,precision,recall,accuracy\n"
        for (r, s) in scores.enumerated() {
            scoresCSV += "\(r),\(s),\(s),\(s),0.6\n"
            for k in 0..<2 { folds += "\(r),\(k),10,\(s),\(s),\(s),0.6\n" }
        }
        try scoresCSV.write(to: dir.appendingPathComponent("scores.csv"), atomically: true, encoding: .utf8)
        try folds.write(to: dir.appendingPathComponent("folds.csv"), atomically: true, encoding: .utf8)
    }

    /// Per seed 7 and 8: B = recall[blocks=0] gets everything right; A = recall[blocks=5] misses s3 (seed 7) or s3, s4
    /// (seed 8). AU5 of blocks 0 beats chance (F1 0.8, 0.7 > all-positive 0.4, p 0.01); every other probe is at chance.
    static func write(into root: URL) throws {
        for seed in [7, 8] {
            try emotionEvaluation(wrong: [], into: root.appendingPathComponent("recall_0_\(seed)"))
            try emotionEvaluation(wrong: seed == 7 ? ["s3"] : ["s3", "s4"], into: root.appendingPathComponent("recall_5_\(seed)"))
            for (blocks, pain) in [(0, seed == 7 ? 0.5 : 0.7), (5, 0.25)] {
                try ReportFixtures.json(ReportFixtures.metrics(["no pain", "pain"], recalls: [0.9, pain], accuracy: 0.8),
                                        root.appendingPathComponent("pain_\(blocks)_\(seed)"), "metrics.json")
            }
            let probes: [(Int, String, Double, Double)] = [(0, "AU5", seed == 7 ? 0.8 : 0.7, 0.01), (5, "AU5", seed == 7 ? 0.3 : 0.25, 0.6),
                                                           (0, "AU14", 0.36, 0.4), (5, "AU14", seed == 7 ? 0.34 : 0.33, 0.5)]
            for (blocks, concept, f1, p) in probes {
                // AU14 differs per seed: equal per-seed differences would make the across-seed t infinite.
                try probe(concept: concept, f1: f1, offsets: blocks == 5 ? [0, 0.01, 0.03] : [0, 0.02, 0.01], permutationP: p,
                          into: root.appendingPathComponent("probe_\(blocks)_\(concept)_\(seed)"))
            }
        }
        let saliency = root.appendingPathComponent("saliency")
        try ReportFixtures.json(["rule": "z_dense_zplus_conv", "a": "recall[blocks=5]", "b": "recall[blocks=0]", "classes": ["contempt"],
                                 "difference": "raw_maps", "images": [["id": "s3", "class": "contempt", "landmarks": NSNull()]]], saliency, "selection.json")
        try ReportFixtures.png(saliency.appendingPathComponent("grid_contempt.png"))
    }

    static let experiment = """
    palimpsest: 1
    name: replicated
    seeds: [7, 8]
    nodes:
      pain_eval:
        kind: shell
        matrix: {blocks: [0, 5]}
        params: {cmd: "cp -R $DEPS/pain_${BLOCKS}_$PALIMPSEST_SEED/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      recall:
        kind: shell
        matrix: {blocks: [0, 5]}
        params: {cmd: "cp -R $DEPS/recall_${BLOCKS}_$PALIMPSEST_SEED/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      forgetting: {kind: significance_test, params: {test: mcnemar}, inputs: {a: "recall[blocks=5,seed=*]", b: "recall[blocks=0,seed=*]"}}
      each_seed: {kind: significance_test, params: {test: mcnemar, per: overall}, inputs: {a: "recall[blocks=5]", b: "recall[blocks=0]"}}
      probe:
        kind: shell
        matrix: {blocks: [0, 5], concept: [AU5, AU14]}
        params: {cmd: "cp -R $DEPS/probe_${BLOCKS}_${CONCEPT}_$PALIMPSEST_SEED/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      probe_test: {kind: significance_test, params: {test: paired_t}, inputs: {a: "probe[blocks=5,seed=*]", b: "probe[blocks=0,seed=*]"}}
      saliency:
        kind: shell
        seed: 7
        params: {cmd: "cp -R $DEPS/saliency/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      report: {kind: report, inputs: {all: "*"}}
    """
}

@Suite struct ReportReplicatesTests {
    /// Cells of one HTML table row: text cells, numeric ones, then plain text and prose (sentence) cells.
    static func row(_ text: [String], _ numbers: [String], _ trailing: [String] = [], prose: [String] = []) -> String {
        "<tr>" + text.map { "<td>\($0)</td>" }.joined() + numbers.map { "<td class=\"num\">\($0)</td>" }.joined()
            + trailing.map { "<td>\($0)</td>" }.joined() + prose.map { "<td class=\"prose\">\($0)</td>" }.joined() + "</tr>"
    }

    @Test func replicatedStudyShowsSpreadPerSeedRowsAndCombinedTests() throws {
        let p = try ShellProject(ReplicateFixtures.experiment)
        try ReplicateFixtures.write(into: p.dir.appendingPathComponent("fixtures"))
        let summary = try p.run()
        #expect(!summary.failed, "\(summary.results.map { "\($0.id): \($0.reason ?? "")" })")
        let dir = try ReportNodeTests.reportDirectory(p)
        if let keep = ProcessInfo.processInfo.environment["PALIMPSEST_REPORT_REPLICATES_SAMPLE"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: dir, to: URL(fileURLWithPath: keep))
        }
        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        _ = try XMLDocument(xmlString: html, options: [])
        #expect(html.contains("Replicates: 2 seeds (7, 8)"))
        #expect(!html.contains("Results are from one seed"))

        // Table 1: pain recall of pain_eval[blocks=0] is 0.5 and 0.7: mean 0.600, range 0.500–0.700; both seeds listed.
        #expect(html.contains(Self.row(["pain_eval[blocks=0]", "pain"], ["0.600 (0.500–0.700)", "0.600 (0.500–0.700)", "0.600 (0.500–0.700)", "10", ""], ["7, 8"])))
        #expect(html.contains("each cell is the mean over seeds 7, 8, in brackets the min–max range across seeds"))
        // Fig. 4: contempt recall of recall[blocks=5] is 0.5 and 0: one bar at the mean 0.25 with a min–max error bar.
        #expect(html.contains(Self.row(["recall[blocks=5]"], ["1.000 (1.000–1.000)", "0.250 (0.000–0.500)", "0.625 (0.500–0.750)", "0.625 (0.500–0.750)"], ["7, 8"])))
        #expect(html.contains("<title>recall[blocks=5], contempt: 0.250 (0.000–0.500)</title>"))
        #expect(html.contains("error bars the min–max range across seeds"))
        // Fig. 7: depth 5 contempt 0.250 (0.000–0.500); the point's error bar spans y(0) = 282 to y(0.5) = 153 at x = 526.
        #expect(html.contains(Self.row([], ["5", "0.250 (0.250–0.250)", "1.000 (1.000–1.000)", "0.250 (0.000–0.500)"])))
        #expect(html.contains("<path d=\"M521,153 H531 M526,153 V282 M521,282 H531\""))

        // McNemar across seeds, contempt: recall of A 0.5 and 0, of B 1 and 1: differences −0.5, −1, t = −3, df 1,
        // p = 1 − 2·atan(3)/π = 0.205; pooled Σb = 0, Σc = 3, exact p = 2 · 0.5³ = 0.25.
        #expect(html.contains(Self.row(["contempt"], ["2", "0.250", "1.000", "-0.750", "0.354", "-3.00", "1", "0.205", "0", "3", "0.250"])))
        for header in ["p (paired t over seeds)", "p (pooled McNemar, exact)", "p (exact McNemar)", "p (McNemar χ², continuity-corrected)"] {
            #expect(html.contains("<th class=\"num\">\(header)</th>"), "\(header)")
        }
        // Per-seed rows inside the combined test, and the per-seed instances' own tables.
        #expect(html.contains("<tr><td class=\"num\">8</td><td>contempt</td><td class=\"num\">2</td><td class=\"num\">0.000</td><td class=\"num\">1.000</td><td class=\"num\">0</td><td class=\"num\">2</td>"))
        #expect(html.contains("each_seed[seed=8]: A = recall[blocks=5,seed=8], B = recall[blocks=0,seed=8] (recall per class; accuracy overall). Seed 8 only."))

        // Probes: mean F1 over seeds with range, marked where they do not beat chance.
        #expect(html.contains(Self.row(["probe[blocks=0]"], ["0.370 (0.370–0.370) (does not beat chance in 2 of 2 seeds)", "0.760 (0.710–0.810)"])))
        #expect(html.contains("<td>probe[blocks=5,concept=AU5,seed=8]</td><td class=\"num\">5 / 15</td><td class=\"num\">0.263</td><td class=\"num\">0.400</td><td class=\"num\">0.600</td><td class=\"num\">0.750</td><td class=\"num\">0.300</td><td class=\"num\">99</td><td class=\"num\">0.600</td><td class=\"prose\">does not beat chance (at chance)</td>"))
        // AU5 across seeds: differences −0.4967, −0.4467: mean −0.472, sd 0.0354, t = −18.87, df 1, p = 0.0337.
        #expect(html.contains(Self.row([], ["2", "0.288", "0.760", "-0.472", "0.035", "-18.87", "1", "0.034"], prose: ["at least one probe beats chance in every seed"])))
        // AU14: both probes at chance in every seed: the difference is shown as uninterpretable.
        #expect(html.contains("<td class=\"num\">uninterpretable</td>"))
        #expect(html.contains("<td class=\"prose\">uninterpretable: in some seed neither probe beats chance</td>"))
        #expect(html.contains("<td class=\"prose\">uninterpretable: neither probe beats chance (A at chance, B at chance)</td>"))
        for header in ["p (study&#39;s paired t over CV repeats)", "p (Nadeau–Bengio corrected t)", "p (permutation test)"] {
            #expect(html.contains("<th class=\"num\">\(header)</th>"), "\(header)")
        }
        // Fig. 5 from raw maps: the caption says so instead of "0.5 = no difference".
        #expect(html.contains("difference of the raw maps A − B, min–max normalised to [0, 1] per image"))
        #expect(!html.contains("0.5 = no difference"))

        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("> Replicates: 2 seeds (7, 8)"))
        #expect(md.contains("| contempt | 2 | 0.250 | 1.000 | \\-0.750 | 0.354 | \\-3.00 | 1 | 0.205 | 0 | 3 | 0.250 |"))
    }
}
