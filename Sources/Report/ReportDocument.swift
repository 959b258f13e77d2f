import Foundation

/// A table with a header row; cells are plain text (escaped by the writers).
public struct ReportTable: Sendable {
    public let headers: [String]
    public let rows: [[String]]
    /// Columns right-aligned (numbers).
    public let numeric: Set<Int>
    /// Columns of long machine text (keys, JSON) set in monospace and broken anywhere.
    public let code: Set<Int>
    /// Columns of sentences (a verdict, a reading) kept wide enough to read when a table is crowded.
    public let prose: Set<Int>

    public init(headers: [String], rows: [[String]], numeric: Set<Int> = [], code: Set<Int> = [], prose: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.numeric = numeric
        self.code = code
        self.prose = prose
    }
}

/// One piece of a section, rendered by both the HTML and the Markdown writer.
public enum ReportBlock: Sendable {
    case paragraph(String)
    /// A caption line above a table (the table's title).
    case table(title: String, ReportTable)
    /// An SVG figure: `file` is its name beside `report.md`; `inline` goes into the HTML, `standalone` into the file.
    /// A `wide` figure keeps its natural size on screen (scrolling sideways) and shrinks to the page in print.
    case svg(file: String, wide: Bool, inline: String, standalone: String, caption: String)
    /// A PNG figure, embedded as base64 in HTML and written as `file` beside `report.md`.
    case png(file: String, data: Data, caption: String)
}

/// A titled section of the report.
public struct ReportSection: Sendable {
    /// The HTML anchor.
    public let id: String
    public let title: String
    public let blocks: [ReportBlock]
}

/// Turns `ReportContent` into sections: the one place that decides what the report shows.
public enum ReportDocument {
    /// Anchor ids of every section in reading order; the HTML has `<section id="…">` for each one with data
    /// (a smoke test of the whole study checks that all appear).
    public static let sectionIDs = ["dag", "pain", "emotions", "freeze", "mcnemar", "saliency", "candidates", "probes", "provenance"]

    /// The sections that have data, in reading order: DAG, Table 1, Fig. 4, Fig. 7, McNemar, Fig. 5, concept
    /// candidates, probes, provenance.
    public static func sections(_ c: ReportContent) -> [ReportSection] {
        [dag(c), painTable(c), emotionRecall(c), freezeDepth(c), mcnemar(c), saliency(c), candidates(c), probes(c),
         provenance(c)].compactMap { $0 }
    }

    /// `1 image`, `3 images`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func dag(_ c: ReportContent) -> ReportSection? {
        guard let g = c.dag, !g.nodes.isEmpty else { return nil }
        let layout = DagLayout(g)
        let title = "Experiment graph (\(g.nodes.count) instances)"
        return ReportSection(id: "dag", title: "Experiment graph", blocks: [
            .svg(file: "dag.svg", wide: true, inline: layout.svg(edges: g.edges, title: title, idPrefix: "dag"),
                 standalone: layout.svg(edges: g.edges, title: title, idPrefix: "dag", standalone: true),
                 caption: g.caption.isEmpty ? title : "\(title). \(g.caption)"),
        ])
    }

    /// What the results rest on, shown under the title: the seeds of a replicated study, or that there is only one.
    /// `nil` when the report has no results (only a DAG or provenance).
    public static func seedNote(_ c: ReportContent) -> String? {
        guard !c.evaluations.isEmpty || !c.mcnemar.isEmpty || !c.replicatedMcNemar.isEmpty || !c.probes.isEmpty
            || !c.pairedTests.isEmpty || !c.replicatedPairedTests.isEmpty else { return nil }
        if c.isReplicated {
            return "Replicates: \(c.seeds.count) seeds (\(Fmt.seeds(c.seeds))), every trained model once per seed. Tables and figures show the "
                + "mean across seeds and the min–max range; significance tables give each seed's test and the combined test across seeds "
                + "(the paired t over seeds is the one that accounts for training noise)."
        }
        let which = c.seeds.count == 1 ? " (seed \(c.seeds[0]))" : ""
        return "Results are from one seed\(which): every model was trained once, so nothing here measures training noise and a "
            + "difference between two models may not survive retraining. Replicate with seeds: [7, 8, 9] in the experiment file."
    }

    /// Evaluations of one model over its seeds (one member without replicates).
    struct EvaluationGroup {
        let model: String
        /// Sorted by seed.
        let members: [ClassificationResult]

        var seeds: [Int] { members.compactMap(\.seed) }

        /// The spread over members of `value`, skipping members where it is `nil`.
        func spread(_ value: (ClassificationResult) -> Double?) -> Spread? { Spread(members.compactMap(value)) }
    }

    /// Evaluations grouped by model, in first-appearance order. With replicates, evaluations that differ only in their
    /// seed form one group; without, every evaluation is its own group (as listed).
    static func groups(_ evals: [ClassificationResult], replicated: Bool) -> [EvaluationGroup] {
        guard replicated else { return evals.map { EvaluationGroup(model: $0.model, members: [$0]) } }
        var order: [String] = []
        var members: [String: [ClassificationResult]] = [:]
        for e in evals {
            if members[e.model] == nil { order.append(e.model) }
            members[e.model, default: []].append(e)
        }
        return order.map { m in EvaluationGroup(model: m, members: members[m]!.sorted { ($0.seed ?? .min) < ($1.seed ?? .min) }) }
    }

    /// Caption words for how table cells summarise seeds.
    static func spreadWords(_ c: ReportContent) -> String {
        c.isReplicated ? "each cell is the mean over seeds \(Fmt.seeds(c.seeds)), in brackets the min–max range across seeds"
            : "one seed, so no spread across training runs is shown"
    }

    /// "1–3" for differing integers, "3" for one value.
    static func range(_ values: [Int]) -> String {
        let lo = values.min() ?? 0, hi = values.max() ?? 0
        return lo == hi ? String(lo) : "\(lo)–\(hi)"
    }

    /// Table 1: per-class and macro precision/recall/F1 and accuracy of every pain model (mean and min–max over seeds).
    static func painTable(_ c: ReportContent) -> ReportSection? {
        let groups = Self.groups(c.painEvaluations, replicated: c.isReplicated)
        guard !groups.isEmpty else { return nil }
        var rows: [[String]] = []
        for g in groups {
            let seeds = c.isReplicated ? [Fmt.seeds(g.seeds)] : []
            for m in g.members[0].perClass {
                func metric(_ k: KeyPath<ClassMetrics, Double>) -> String {
                    Fmt.spread(g.spread { $0.perClass.first { $0.name == m.name }?[keyPath: k] })
                }
                let support = range(g.members.compactMap { $0.perClass.first { $0.name == m.name }?.support })
                rows.append([g.model, m.name, metric(\.precision), metric(\.recall), metric(\.f1), support, ""] + seeds)
            }
            rows.append([g.model, "macro", Fmt.spread(g.spread(\.macroPrecision)), Fmt.spread(g.spread(\.macroRecall)),
                         Fmt.spread(g.spread(\.macroF1)), range(g.members.map(\.samples)), Fmt.spread(g.spread(\.accuracy))] + seeds)
        }
        let table = ReportTable(headers: ["Model", "Class", "Precision", "Recall", "F1", "Support", "Accuracy"] + (c.isReplicated ? ["Seeds"] : []),
                                rows: rows, numeric: [2, 3, 4, 5, 6])
        return ReportSection(id: "pain", title: "Pain detection per fine-tuned model (Table 1)", blocks: [
            .paragraph("Test-set metrics of every pain model (an evaluation whose two classes include “pain”)."),
            .table(title: "Table 1. Precision, recall and F1 per class and macro-averaged; accuracy per model (\(spreadWords(c))).", table),
        ])
    }

    /// Fig. 4: per-emotion recall of every emotion model as grouped bars (mean over seeds, min–max error bars), plus
    /// the numbers as a table.
    static func emotionRecall(_ c: ReportContent) -> ReportSection? {
        let groups = Self.groups(c.emotionEvaluations, replicated: c.isReplicated)
        guard !groups.isEmpty else { return nil }
        var classes: [String] = []
        for g in groups { for e in g.members { for m in e.perClass where !classes.contains(m.name) { classes.append(m.name) } } }
        let spreads = groups.map { g in classes.map { cls in g.spread { $0.recall(of: cls) } } }
        let series = zip(groups, spreads).map { g, row in
            ChartSeries(name: g.model, values: row.map { $0?.mean }, ranges: row.map { s in s.flatMap { $0.count > 1 ? $0.min...$0.max : nil } })
        }
        let title = "Recall per emotion of each emotion model"
        let chart = { (standalone: Bool) in
            Charts.groupedBars(title: title, groups: classes, series: series, xLabel: "Emotion", yLabel: "Recall", standalone: standalone)
        }
        let rows = zip(groups, spreads).map { g, row in
            [g.model] + row.map { Fmt.spread($0) } + [Fmt.spread(g.spread(\.macroF1)), Fmt.spread(g.spread(\.accuracy))]
                + (c.isReplicated ? [Fmt.seeds(g.seeds)] : [])
        }
        let table = ReportTable(headers: ["Model"] + classes + ["Macro F1", "Accuracy"] + (c.isReplicated ? ["Seeds"] : []), rows: rows,
                                numeric: Set(1...(classes.count + 2)))
        let bars = c.isReplicated ? "bars are the mean over seeds \(Fmt.seeds(c.seeds)), error bars the min–max range across seeds" : spreadWords(c)
        return ReportSection(id: "emotions", title: "Emotion recall per model (Fig. 4)", blocks: [
            .svg(file: "fig4_emotion_recall.svg", wide: false, inline: chart(false), standalone: chart(true),
                 caption: "Fig. 4. \(title) (test set; \(bars))."),
            .table(title: "Recall per emotion, macro F1 and accuracy (\(spreadWords(c))).", table),
        ])
    }

    /// Fig. 7: pain, surprise and contempt recall against freeze depth (the `blocks` coordinate): per depth the mean
    /// over seeds (models sharing a depth within a seed averaged first) with the min–max range across seeds.
    static func freezeDepth(_ c: ReportContent) -> ReportSection? {
        func curve(_ name: String, _ evals: [ClassificationResult], _ cls: String) -> (series: ChartSeries, spreads: [Double: Spread])? {
            var byDepth: [Double: [Int?: [Double]]] = [:]
            for e in evals { if let d = e.freezeDepth, let v = e.recall(of: cls) { byDepth[d, default: [:]][e.seed, default: []].append(v) } }
            let spreads = byDepth.compactMapValues { perSeed in Spread(perSeed.values.map { $0.reduce(0, +) / Double($0.count) }) }
            guard !spreads.isEmpty else { return nil }
            let depths = spreads.keys.sorted()
            return (ChartSeries(name: name, points: depths.map { (x: $0, y: spreads[$0]!.mean) },
                                ranges: depths.map { d in spreads[d]!.count > 1 ? spreads[d]!.min...spreads[d]!.max : nil }), spreads)
        }
        let curves = [curve("pain recall", c.painEvaluations, "pain"),
                      curve("surprise recall", c.emotionEvaluations, "surprise"),
                      curve("contempt recall", c.emotionEvaluations, "contempt")].compactMap { $0 }
        guard !curves.isEmpty else { return nil }
        let series = curves.map(\.series)
        let title = "Recall against freeze depth"
        let chart = { (standalone: Bool) in
            Charts.lines(title: title, series: series, xLabel: "Frozen conv blocks (freeze depth)", yLabel: "Recall", standalone: standalone)
        }
        let depths = Array(Set(curves.flatMap { $0.spreads.keys })).sorted()
        let rows = depths.map { d in [Fmt.tick(d)] + curves.map { Fmt.spread($0.spreads[d]) } }
        let summary = c.isReplicated
            ? "points are the mean over seeds \(Fmt.seeds(c.seeds)), error bars the min–max range across seeds; where several models share a depth within a seed, their mean"
            : "one seed, so no spread across training runs is shown; mean where several models share a depth"
        return ReportSection(id: "freeze", title: "Recall against freeze depth (Fig. 7)", blocks: [
            .svg(file: "fig7_freeze_depth.svg", wide: false, inline: chart(false), standalone: chart(true),
                 caption: "Fig. 7. Pain recall of the fine-tuned models and surprise/contempt recall of the retrained heads, by number of frozen blocks (\(summary))."),
            .table(title: "Recall by freeze depth (\(spreadWords(c))).", ReportTable(headers: ["Frozen blocks"] + series.map(\.name), rows: rows,
                                                                                   numeric: Set(0...series.count))),
        ])
    }

    static func saliency(_ c: ReportContent) -> ReportSection? {
        guard c.saliency.contains(where: { !$0.grids.isEmpty }) else { return nil }
        var blocks: [ReportBlock] = [.paragraph("Rows: input | relevance for A | relevance for B | difference A − B, on images A classifies correctly and B wrongly.")]
        for (i, s) in c.saliency.enumerated() {
            let difference = switch s.difference {
            case .normalisedMaps: "difference 0.5 + (A − B)/2 of the normalised maps: 0.5 = no difference"
            case .rawMaps: "difference of the raw maps A − B, min–max normalised to [0, 1] per image: 0 = where B exceeds A most, 1 = where A exceeds B most, no fixed zero point"
            }
            for g in s.grids {
                blocks.append(.png(file: "fig5_\(i)_\(Escaping.fileName(g.className)).png", data: g.png,
                                   caption: "Fig. 5. \(g.className): A = \(s.a), B = \(s.b), \(count(g.images, "image")) (\(s.instance), rule \(s.rule)\(s.contrastive ? ", contrastive start p_y(δ_yk − p_k)" : ""); \(difference))."))
            }
        }
        return ReportSection(id: "saliency", title: "Saliency differences (Fig. 5)", blocks: blocks)
    }

    static func candidates(_ c: ReportContent) -> ReportSection? {
        guard !c.candidates.isEmpty else { return nil }
        var blocks: [ReportBlock] = []
        for (i, r) in c.candidates.enumerated() {
            var rows: [[String]] = []
            var verdicts: [String] = []
            for (cls, list) in r.perClass {
                for (rank, k) in list.enumerated() {
                    rows.append([cls, String(rank + 1), k.region, k.actionUnits.joined(separator: ", "), Fmt.fixed(k.score), Fmt.fixed(k.share),
                                 k.predictionText])
                }
                if let top = list.first, top.expected != nil {
                    let predicted = list.filter { $0.expected == "pain_never_uses" }.map(\.region)
                    verdicts.append("\(cls): the top region, \(top.region), is \(top.expected == "pain_never_uses" ? "a predicted one" : "not a predicted one")"
                        + " (predicted: \(predicted.isEmpty ? "none" : predicted.joined(separator: ", ")))")
                }
            }
            blocks.append(.table(title: "\(r.instance): difference relevance per facial region over \(count(r.images, "image")).",
                                 ReportTable(headers: ["Class", "Rank", "Region", "Action units", "Score", "Share", "Prediction"], rows: rows, numeric: [1, 4, 5])))
            if !verdicts.isEmpty {
                blocks.append(.paragraph("Predicted to be forgotten: the regions of AUs the class shows and pain never uses (EMFACS "
                    + "prototypes against PSPI's AUs; on SynthFACS the planted truth, docs/data.md). " + verdicts.joined(separator: "; ") + "."))
            }
            if let png = r.regionsPNG {
                blocks.append(.png(file: "candidates_\(i)_regions.png", data: png, caption: "Regions scored by \(r.instance)."))
            }
        }
        return ReportSection(id: "candidates", title: "Concept candidates", blocks: blocks)
    }

    static func provenance(_ c: ReportContent) -> ReportSection? {
        guard !c.provenance.isEmpty else { return nil }
        let rows = c.provenance.map { p in
            [p.instance, p.kind, p.kindVersion.map { "v\($0)" } ?? "–", p.key, p.params, Fmt.duration(p.seconds)]
        }
        let total = c.provenance.map(\.seconds).reduce(0, +)
        return ReportSection(id: "provenance", title: "Provenance", blocks: [
            .paragraph("Every instance's cache key (SHA-256), kind version, resolved params and run time; total \(Fmt.duration(total))."),
            .table(title: "Instances.", ReportTable(headers: ["Instance", "Kind", "Version", "Key", "Params", "Run time"], rows: rows, numeric: [5], code: [3, 4])),
        ])
    }
}
