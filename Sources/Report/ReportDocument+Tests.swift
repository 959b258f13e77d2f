import Foundation

/// The significance and probe sections: per-seed rows, the combined tests across seeds, chance baselines. Every
/// p column names the test that produced it (docs/statistics.md).
extension ReportDocument {
    static let exactMcNemar = "p (exact McNemar)"
    static let chi2McNemar = "p (McNemar χ², continuity-corrected)"
    static let overSeeds = "p (paired t over seeds)"
    static let pooledMcNemar = "p (pooled McNemar, exact)"
    static let studysT = "p (study's paired t over CV repeats)"
    static let nadeauBengio = "p (Nadeau–Bengio corrected t)"
    static let permutation = "p (permutation test)"

    static func mcnemar(_ c: ReportContent) -> ReportSection? {
        guard !c.mcnemar.isEmpty || !c.replicatedMcNemar.isEmpty else { return nil }
        var text = "b = A right and B wrong, c = A wrong and B right. Within a seed: the exact McNemar (binomial) test and McNemar's χ² "
            + "with continuity correction; they account for which test images were drawn, not for training noise."
        if !c.replicatedMcNemar.isEmpty {
            text += " Across seeds: the paired t over the seeds' recall (accuracy overall) of A and B, df = seeds − 1, the test against "
                + "training noise; and the pooled McNemar on every seed's discordant images (Σb, Σc), which conditions on the trained models."
        }
        var blocks: [ReportBlock] = [.paragraph(text)]
        for m in c.replicatedMcNemar {
            let across = m.across.map { r in
                [r.label, String(r.acrossSeeds.scoreA.count), Fmt.fixed(r.acrossSeeds.meanA), Fmt.fixed(r.acrossSeeds.meanB),
                 Fmt.fixed(r.acrossSeeds.meanDifference), Fmt.fixed(r.acrossSeeds.sdDifference), Fmt.fixed(r.acrossSeeds.t, 2), Fmt.tick(r.acrossSeeds.df),
                 Fmt.p(r.acrossSeeds.p), String(r.pooled.b), String(r.pooled.c), Fmt.p(r.pooled.pExact)]
            }
            blocks.append(.table(title: "\(m.instance): A = \(m.a), B = \(m.b), combined over seeds \(Fmt.seeds(m.seeds)) (mean recall per class; accuracy overall).",
                                 ReportTable(headers: ["Class", "Seeds", "A", "B", "A − B", "SD of A − B", "t", "df", overSeeds, "Σb", "Σc", pooledMcNemar],
                                             rows: across, numeric: Set(1...11))))
            let perSeed = m.perSeed.flatMap { s in
                (s.perClass + [s.overall]).map { r in
                    [s.seed.map(String.init) ?? "–", r.label, String(r.n), Fmt.fixed(r.scoreA), Fmt.fixed(r.scoreB), String(r.b), String(r.c),
                     Fmt.fixed(r.chi2, 2), Fmt.p(r.pChi2), Fmt.p(r.pExact)]
                }
            }
            blocks.append(.table(title: "\(m.instance) per seed: each seed's A and B on the same test images.",
                                 ReportTable(headers: ["Seed", "Class", "n", "A", "B", "b", "c", "χ²", chi2McNemar, exactMcNemar], rows: perSeed,
                                             numeric: Set([0] + Array(2...9)))))
        }
        for m in c.mcnemar {
            let rows = (m.perClass + [m.overall]).map { r in
                [r.label, String(r.n), Fmt.fixed(r.scoreA), Fmt.fixed(r.scoreB), String(r.b), String(r.c), Fmt.fixed(r.chi2, 2), Fmt.p(r.pChi2), Fmt.p(r.pExact)]
            }
            let seed = m.seed.map { " Seed \($0) only." } ?? ""
            blocks.append(.table(title: "\(m.instance): A = \(m.a), B = \(m.b) (recall per class; accuracy overall).\(seed)",
                                 ReportTable(headers: ["Class", "n", "A", "B", "b", "c", "χ²", chi2McNemar, exactMcNemar], rows: rows,
                                             numeric: Set(1...8))))
        }
        return ReportSection(id: "mcnemar", title: "McNemar tests per emotion", blocks: blocks)
    }

    /// A probe's verdict for the tables; `nil` when it has none.
    static func verdictMarker(_ probes: [ProbeResult]) -> String? {
        let verdicts = probes.compactMap { $0.chance?.verdict }
        guard !verdicts.isEmpty else { return nil }
        let failing = verdicts.filter { $0 != .beatsChance }
        if probes.count == 1 { return failing.isEmpty ? nil : "does not beat chance" }
        return failing.isEmpty ? nil : "does not beat chance in \(failing.count) of \(probes.count) seeds"
    }

    /// How a probe comparison reads, from the two verdicts.
    static func reading(interpretable: Bool?, a: ProbeVerdict?, b: ProbeVerdict?) -> String {
        let verdicts = [("A", a), ("B", b)].compactMap { side, v in v.map { "\(side) \($0.short)" } }.joined(separator: ", ")
        switch interpretable {
        case false?: return "uninterpretable: neither probe beats chance" + (verdicts.isEmpty ? "" : " (\(verdicts))")
        case true?: return verdicts
        case nil: return verdicts.isEmpty ? "chance not tested" : verdicts
        }
    }

    static func probes(_ c: ReportContent) -> ReportSection? {
        guard !c.probes.isEmpty || !c.pairedTests.isEmpty || !c.replicatedPairedTests.isEmpty else { return nil }
        var blocks: [ReportBlock] = []
        if !c.probes.isEmpty {
            var models: [String] = [], concepts: [String] = []
            for p in c.probes {
                if !models.contains(p.model) { models.append(p.model) }
                if !concepts.contains(p.concept) { concepts.append(p.concept) }
            }
            let rows = models.map { m in
                [m] + concepts.map { k -> String in
                    let members = c.probes.filter { $0.model == m && $0.concept == k }
                    guard !members.isEmpty else { return "–" }
                    let value = c.isReplicated ? Fmt.spread(Spread(members.map(\.meanF1)))
                        : members.map { "\(Fmt.fixed($0.meanF1)) ± \(Fmt.fixed($0.sdF1))" }.joined(separator: "; ")
                    return verdictMarker(members).map { "\(value) (\($0))" } ?? value
                }
            }
            let what = c.isReplicated ? "Mean F1 over repeats, averaged over seeds \(Fmt.seeds(c.seeds)), in brackets the min–max range across seeds"
                : "Mean F1 ± SD over repeats (one seed)"
            blocks.append(.table(title: "\(what), per model and concept; a probe that does not beat chance (permutation test and all-positive F1, below) is marked.",
                                 ReportTable(headers: ["Model"] + concepts, rows: rows, numeric: Set(1...max(concepts.count, 1)))))
            let details = c.probes.map { p in
                [p.instance, p.concept, p.layer, p.crop ?? "none", "\(p.repeats) × \(p.folds)-fold", Fmt.fixed(p.meanF1), Fmt.fixed(p.meanPrecision), Fmt.fixed(p.meanRecall)]
            }
            blocks.append(.table(title: "Probe settings.", ReportTable(headers: ["Probe", "Concept", "Layer", "Crop", "Repeats", "Mean F1", "Precision", "Recall"],
                                                                     rows: details, numeric: [5, 6, 7])))
            let withChance = c.probes.filter { $0.chance != nil }
            if !withChance.isEmpty {
                let chance = withChance.map { p -> [String] in
                    let k = p.chance!
                    return [p.instance, "\(k.positives) / \(k.negatives)", Fmt.fixed(p.meanF1), Fmt.fixed(k.allPositiveF1),
                            p.meanAccuracy.map { Fmt.fixed($0) } ?? "–", Fmt.fixed(k.majorityAccuracy), k.nullMeanF1.map { Fmt.fixed($0) } ?? "–",
                            k.permutations.map(String.init) ?? "–", k.permutationP.map(Fmt.p) ?? "–", k.verdict?.text ?? "not tested (no permutation test)"]
                }
                blocks.append(.table(title: "Chance baselines: feature-blind guessers from the labels (all-positive F1, majority-class accuracy) and the "
                                     + "permutation test of the whole probe on shuffled labels. A probe beats chance when p < 0.05 and its F1 exceeds the all-positive F1.",
                                     ReportTable(headers: ["Probe", "Positives / negatives", "Mean F1", "All-positive F1", "Mean accuracy", "Majority accuracy",
                                                           "Null mean F1", "Permutations", permutation, "Verdict"],
                                                 rows: chance, numeric: Set(1...8), prose: [9])))
            }
            if withChance.count < c.probes.count {
                blocks.append(.paragraph("\(count(c.probes.count - withChance.count, "probe")) recorded no chance baseline (svm_probe before version 2): "
                                         + "whether they beat chance is unknown."))
            }
        }
        let testHeaders = ["n", "Mean A", "Mean B", "A − B", "t (study's)", "df", studysT, "t (Nadeau–Bengio)", "df", nadeauBengio, "d", "Reading"]
        func testCells(_ t: PairedTResult) -> [String] {
            [String(t.n), Fmt.fixed(t.meanA), Fmt.fixed(t.meanB), t.interpretable == false ? "uninterpretable" : Fmt.fixed(t.meanDifference),
             Fmt.fixed(t.t, 2), Fmt.tick(t.df), Fmt.p(t.p), t.corrected.map { Fmt.fixed($0.t, 2) } ?? "–", t.corrected.map { Fmt.tick($0.df) } ?? "–",
             t.corrected.map { Fmt.p($0.p) } ?? "–", Fmt.fixed(t.cohensD, 2), reading(interpretable: t.interpretable, a: t.chanceA, b: t.chanceB)]
        }
        let testNote = "The study's paired t treats the CV repeats as independent (they re-fold the same features, so its p measures "
            + "fold-assignment noise only); the Nadeau–Bengio corrected t allows for the overlap of CV training sets; neither accounts for training noise."
        for r in c.replicatedPairedTests {
            let t = r.acrossSeeds
            let verdict = r.interpretable == false ? "uninterpretable: in some seed neither probe beats chance"
                : r.interpretable == true ? "at least one probe beats chance in every seed" : "chance not tested"
            blocks.append(.table(title: "\(r.instance): A = \(r.a), B = \(r.b), combined over seeds \(Fmt.seeds(r.seeds)) (mean F1 per seed).",
                                 ReportTable(headers: ["Seeds", "Mean A", "Mean B", "A − B", "SD of A − B", "t", "df", overSeeds, "Reading"],
                                             rows: [[String(t.scoreA.count), Fmt.fixed(t.meanA), Fmt.fixed(t.meanB),
                                                     r.interpretable == false ? "uninterpretable" : Fmt.fixed(t.meanDifference), Fmt.fixed(t.sdDifference),
                                                     Fmt.fixed(t.t, 2), Fmt.tick(t.df), Fmt.p(t.p), verdict]],
                                             numeric: Set(0...7), prose: [8])))
            blocks.append(.table(title: "\(r.instance) per seed (A − B within each seed). \(testNote)",
                                 ReportTable(headers: ["Seed"] + testHeaders, rows: r.perSeed.map { [$0.seed.map(String.init) ?? "–"] + testCells($0) },
                                             numeric: Set(0...11), prose: [12])))
        }
        if !c.pairedTests.isEmpty {
            blocks.append(.table(title: "Paired comparisons (A − B)\(c.isReplicated ? ", each of one seed" : ""). \(testNote)",
                                 ReportTable(headers: ["A", "B"] + testHeaders, rows: c.pairedTests.map { [$0.a, $0.b] + testCells($0) },
                                             numeric: Set(2...12), prose: [13])))
        }
        return ReportSection(id: "probes", title: "Concept probes", blocks: blocks)
    }
}
