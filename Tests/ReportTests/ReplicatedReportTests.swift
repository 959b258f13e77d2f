import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Report

/// The report of a replicated study (seeds 7, 8, 9) and the one-seed note, on hand-built content.
@Suite struct ReplicatedReportTests {
    /// `sampleContent`'s evaluations once per seed, with contempt recall of head[blocks=0] 0.0, 0.3, 0.6 and pain recall
    /// of pain[blocks=5] 0.25, 0.25, 0.55 (mean 0.35), everything else as in the sample.
    static func replicated() -> ReportContent {
        var c = sampleContent()
        c.seeds = [7, 8, 9]
        c.evaluations = [7, 8, 9].enumerated().flatMap { k, seed in
            [evaluation("pain_eval[blocks=0,seed=\(seed)]", model: "pain[blocks=0]", depth: 0, classes: ["no pain", "pain"], recalls: [0.9, 0.5], accuracy: 0.8),
             evaluation("pain_eval[blocks=5,seed=\(seed)]", model: "pain[blocks=5]", depth: 5, classes: ["no pain", "pain"],
                        recalls: [0.8, k == 2 ? 0.55 : 0.25], accuracy: 0.7),
             evaluation("recall[blocks=0,seed=\(seed)]", model: "head[blocks=0]", depth: 0, classes: emotionNames,
                        recalls: [0.9, 0.8, 0.7, 0.25, 0.6, 0.5, 0.4, 0.3 * Double(k)], accuracy: 0.6),
             evaluation("recall[blocks=5,seed=\(seed)]", model: "head[blocks=5]", depth: 5, classes: emotionNames,
                        recalls: [0.9, 0.8, 0.7, 0.5, 0.6, 0.5, 0.4, 0.75], accuracy: 0.65)]
        }.map { e in
            ClassificationResult(instance: e.instance, model: e.model, seed: Int(e.instance.split(separator: "=").last!.dropLast()), freezeDepth: e.freezeDepth,
                                 samples: e.samples, perClass: e.perClass, macroPrecision: e.macroPrecision, macroRecall: e.macroRecall,
                                 macroF1: e.macroF1, accuracy: e.accuracy)
        }
        let t = PairedTOverSeeds(scoreA: [0.5, 0.6, 0.7], scoreB: [0.4, 0.4, 0.4], meanA: 0.6, meanB: 0.4, meanDifference: 0.2, sdDifference: 0.1,
                                 t: 3.4641, df: 2, p: 0.0742)
        c.replicatedMcNemar = [ReplicatedMcNemarResult(instance: "combined", a: "recall[blocks=5,seed=*]", b: "recall[blocks=0,seed=*]", seeds: [7, 8, 9],
                                                       perSeed: [7, 8, 9].map { McNemarResult(instance: "combined", a: "a", b: "b", seed: $0, overall: c.mcnemar[0].overall, perClass: []) },
                                                       across: [McNemarAcrossRow(label: "overall", acrossSeeds: t, pooled: McNemarRow(label: "overall", n: 240, b: 36, c: 9, pExact: 4.5e-5, chi2: 15.02, pChi2: 1.1e-4, scoreA: 0.6, scoreB: 0.4))])]
        let single = PairedTResult(instance: "probe_test[concept=AU14]", a: "x", b: "y", seed: 7, n: 500, meanA: 0.13, meanB: 0.18, meanDifference: -0.05,
                                   t: -17.6, df: 499, p: 2e-54, cohensD: -0.8, corrected: CorrectedT(t: -1.2, df: 999, p: 0.23),
                                   chanceA: .atChance, chanceB: .belowAllPositive, interpretable: false)
        c.replicatedPairedTests = [ReplicatedPairedTResult(instance: "probe_test[concept=AU14]", a: "probe[blocks=5,concept=AU14,seed=*]",
                                                           b: "probe[blocks=0,concept=AU14,seed=*]", seeds: [7, 8, 9], perSeed: [single], acrossSeeds: t,
                                                           interpretable: false)]
        c.mcnemar = []
        c.pairedTests = []
        return c
    }

    @Test func spreadIsMeanMinMaxOfFiniteValues() throws {
        let s = try #require(Spread([0.4, 0.9, .nan, 0.5]))
        #expect(s.count == 3 && abs(s.mean - 0.6) < 1e-12 && s.min == 0.4 && s.max == 0.9)
        #expect(Spread([]) == nil && Spread([.infinity]) == nil)
        #expect(Fmt.spread(s) == "0.600 (0.400–0.900)" && Fmt.spread(Spread([0.25])) == "0.250" && Fmt.spread(nil) == "–")
    }

    @Test func tablesAndFiguresShowMeanAndRangeAcrossSeeds() throws {
        let c = Self.replicated()
        let html = HTMLReport.render(c)
        _ = try parseXML(html)
        #expect(html.contains("<p class=\"note\">Replicates: 3 seeds (7, 8, 9)"))
        // Table 1: pain recall of pain[blocks=5] over seeds 0.25, 0.25, 0.55 → 0.350 (0.250–0.550); one row per model, not per seed.
        #expect(html.contains("<tr><td>pain[blocks=5]</td><td>pain</td><td class=\"num\">0.350 (0.250–0.550)</td><td class=\"num\">0.350 (0.250–0.550)</td><td class=\"num\">0.350 (0.250–0.550)</td><td class=\"num\">10</td><td class=\"num\"></td><td>7, 8, 9</td></tr>"))
        #expect(html.components(separatedBy: "<td>pain[blocks=5]</td><td>macro</td>").count == 2)
        // Fig. 4: head[blocks=0] contempt 0.0, 0.3, 0.6 → bar at 0.3, error bar from y(0) = 282 to y(0.6) = 127.2.
        #expect(html.contains("<title>head[blocks=0], contempt: 0.300 (0.000–0.600)</title>"))
        #expect(html.contains("Fig. 4. Recall per emotion of each emotion model (test set; bars are the mean over seeds 7, 8, 9, error bars the min–max range across seeds)."))
        // Fig. 7: contempt at depth 0 is 0.300 (0.000–0.600): its error bar at x = 88 spans y 127.2…282 in the contempt colour.
        #expect(html.contains("<tr><td class=\"num\">0</td><td class=\"num\">0.500 (0.500–0.500)</td><td class=\"num\">0.250 (0.250–0.250)</td><td class=\"num\">0.300 (0.000–0.600)</td></tr>"))
        #expect(html.contains("<path d=\"M83,127.2 H93 M88,127.2 V282 M83,282 H93\" fill=\"none\" stroke=\"#009E73\""))
        // McNemar: the combined test with the test named on each p, per-seed rows below it.
        #expect(html.contains("<tr><td>overall</td><td class=\"num\">3</td><td class=\"num\">0.600</td><td class=\"num\">0.400</td><td class=\"num\">0.200</td><td class=\"num\">0.100</td><td class=\"num\">3.46</td><td class=\"num\">2</td><td class=\"num\">0.074</td><td class=\"num\">36</td><td class=\"num\">9</td><td class=\"num\">4.50e-05</td></tr>"))
        #expect(html.contains("<tr><td class=\"num\">9</td><td>overall</td><td class=\"num\">80</td>"))
        // Probes: two probes that do not beat chance give an uninterpretable comparison, whatever the study's t says.
        #expect(html.contains("<tr><td class=\"num\">7</td><td class=\"num\">500</td><td class=\"num\">0.130</td><td class=\"num\">0.180</td><td class=\"num\">uninterpretable</td><td class=\"num\">-17.60</td><td class=\"num\">499</td><td class=\"num\">2.00e-54</td><td class=\"num\">-1.20</td><td class=\"num\">999</td><td class=\"num\">0.230</td><td class=\"num\">-0.80</td><td class=\"prose\">uninterpretable: neither probe beats chance (A at chance, B F1 ≤ all-positive)</td></tr>"))
        #expect(!html.contains("Results are from one seed"))
        let md = MarkdownReport.render(c).text
        #expect(md.contains("| pain\\[blocks=5\\] | pain | 0.350 (0.250–0.550) |"))
    }

    @Test func oneSeedIsSaidAndProbesAtChanceAreMarked() throws {
        var c = sampleContent()
        #expect(ReportDocument.seedNote(c)?.hasPrefix("Results are from one seed: every model was trained once") == true)
        c.seeds = [7]
        c.probes[0] = ProbeResult(instance: "probe[blocks=0,concept=AU5]", model: "pain[blocks=0]", concept: "AU5", layer: "block5", crop: nil, repeats: 500,
                                  folds: 2, meanF1: 0.612, sdF1: 0.041, meanPrecision: 0.6, meanRecall: 0.63, meanAccuracy: 0.7,
                                  chance: ProbeChance(positives: 47, negatives: 398, allPositiveF1: 0.191, majorityAccuracy: 0.894, permutations: 100,
                                                      permutationP: 0.3, nullMeanF1: 0.17, verdict: .atChance))
        let html = HTMLReport.render(c)
        _ = try parseXML(html)
        #expect(html.contains("<p class=\"note\">Results are from one seed (seed 7): every model was trained once"))
        #expect(html.contains("<tr><td>pain[blocks=0]</td><td class=\"num\">0.612 ± 0.041 (does not beat chance)</td><td class=\"num\">–</td></tr>"))
        #expect(html.contains("<td>probe[blocks=0,concept=AU5]</td><td class=\"num\">47 / 398</td><td class=\"num\">0.612</td><td class=\"num\">0.191</td><td class=\"num\">0.700</td><td class=\"num\">0.894</td><td class=\"num\">0.170</td><td class=\"num\">100</td><td class=\"num\">0.300</td><td class=\"prose\">does not beat chance (at chance)</td>"))
        #expect(html.contains("2 probes recorded no chance baseline"))
        #expect(html.contains("Fig. 7. Pain recall of the fine-tuned models and surprise/contempt recall of the retrained heads, by number of frozen blocks (one seed, so no spread across training runs is shown"))
        #expect(!html.contains("stroke-width=\"1.3\""), "no error bars without replicates")
        #expect(ReportDocument.seedNote(ReportContent(title: "empty", seeds: [7])) == nil, "no results, no note")
    }

    @Test func saliencyCaptionFollowsTheDifference() {
        var c = sampleContent()
        #expect(HTMLReport.render(c).contains("0.5 = no difference"))
        c.saliency = [SaliencyFigure(instance: "saliency", a: "a", b: "b", rule: "r", difference: .rawMaps, grids: [.init(className: "contempt", images: 1, png: fakePNG)])]
        let html = HTMLReport.render(c)
        #expect(!html.contains("0.5 = no difference"))
        #expect(html.contains("difference of the raw maps A − B, min–max normalised to [0, 1] per image"))
    }
}
