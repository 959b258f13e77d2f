import Foundation

/// A table with a header row; cells are plain text (escaped by the writers).
public struct ReportTable: Sendable {
    public let headers: [String]
    public let rows: [[String]]
    /// Columns right-aligned (numbers).
    public let numeric: Set<Int>
    /// Columns of long machine text (keys, JSON) set in monospace and broken anywhere.
    public let code: Set<Int>

    public init(headers: [String], rows: [[String]], numeric: Set<Int> = [], code: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.numeric = numeric
        self.code = code
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

    /// Table 1: per-class and macro precision/recall/F1 and accuracy of every pain model.
    static func painTable(_ c: ReportContent) -> ReportSection? {
        let evals = c.painEvaluations
        guard !evals.isEmpty else { return nil }
        var rows: [[String]] = []
        for e in evals {
            for m in e.perClass {
                rows.append([e.model, m.name, Fmt.fixed(m.precision), Fmt.fixed(m.recall), Fmt.fixed(m.f1), String(m.support), ""])
            }
            rows.append([e.model, "macro", Fmt.fixed(e.macroPrecision), Fmt.fixed(e.macroRecall), Fmt.fixed(e.macroF1),
                         String(e.samples), Fmt.fixed(e.accuracy)])
        }
        let table = ReportTable(headers: ["Model", "Class", "Precision", "Recall", "F1", "Support", "Accuracy"], rows: rows,
                                numeric: [2, 3, 4, 5, 6])
        return ReportSection(id: "pain", title: "Pain detection per fine-tuned model (Table 1)", blocks: [
            .paragraph("Test-set metrics of every pain model (an evaluation whose two classes include “pain”)."),
            .table(title: "Table 1. Precision, recall and F1 per class and macro-averaged; accuracy per model.", table),
        ])
    }

    /// Fig. 4: per-emotion recall of every emotion model as grouped bars, plus the numbers as a table.
    static func emotionRecall(_ c: ReportContent) -> ReportSection? {
        let evals = c.emotionEvaluations
        guard !evals.isEmpty else { return nil }
        var classes: [String] = []
        for e in evals { for m in e.perClass where !classes.contains(m.name) { classes.append(m.name) } }
        let series = evals.map { e in ChartSeries(name: e.model, values: classes.map { e.recall(of: $0) }) }
        let title = "Recall per emotion of each emotion model"
        let chart = { (standalone: Bool) in
            Charts.groupedBars(title: title, groups: classes, series: series, xLabel: "Emotion", yLabel: "Recall", standalone: standalone)
        }
        let rows = evals.map { e in [e.model] + classes.map { e.recall(of: $0).map { Fmt.fixed($0) } ?? "–" } + [Fmt.fixed(e.macroF1), Fmt.fixed(e.accuracy)] }
        let table = ReportTable(headers: ["Model"] + classes + ["Macro F1", "Accuracy"], rows: rows, numeric: Set(1...(classes.count + 2)))
        return ReportSection(id: "emotions", title: "Emotion recall per model (Fig. 4)", blocks: [
            .svg(file: "fig4_emotion_recall.svg", wide: false, inline: chart(false), standalone: chart(true),
                 caption: "Fig. 4. \(title) (test set)."),
            .table(title: "Recall per emotion, macro F1 and accuracy.", table),
        ])
    }

    /// Fig. 7: pain, surprise and contempt recall against freeze depth (the `blocks` coordinate).
    static func freezeDepth(_ c: ReportContent) -> ReportSection? {
        func curve(_ name: String, _ evals: [ClassificationResult], _ cls: String) -> ChartSeries? {
            var byDepth: [Double: [Double]] = [:]
            for e in evals { if let d = e.freezeDepth, let v = e.recall(of: cls) { byDepth[d, default: []].append(v) } }
            guard !byDepth.isEmpty else { return nil }
            return ChartSeries(name: name, points: byDepth.map { (x: $0.key, y: $0.value.reduce(0, +) / Double($0.value.count)) })
        }
        let series = [curve("pain recall", c.painEvaluations, "pain"),
                      curve("surprise recall", c.emotionEvaluations, "surprise"),
                      curve("contempt recall", c.emotionEvaluations, "contempt")].compactMap { $0 }
        guard !series.isEmpty else { return nil }
        let title = "Recall against freeze depth"
        let chart = { (standalone: Bool) in
            Charts.lines(title: title, series: series, xLabel: "Frozen conv blocks (freeze depth)", yLabel: "Recall", standalone: standalone)
        }
        let depths = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        let rows = depths.map { d in
            [Fmt.tick(d)] + series.map { s in s.points.first { $0.x == d }.map { Fmt.fixed($0.y) } ?? "–" }
        }
        return ReportSection(id: "freeze", title: "Recall against freeze depth (Fig. 7)", blocks: [
            .svg(file: "fig7_freeze_depth.svg", wide: false, inline: chart(false), standalone: chart(true),
                 caption: "Fig. 7. Pain recall of the fine-tuned models and surprise/contempt recall of the retrained heads, by number of frozen blocks (mean where several models share a depth)."),
            .table(title: "Recall by freeze depth.", ReportTable(headers: ["Frozen blocks"] + series.map(\.name), rows: rows,
                                                               numeric: Set(0...series.count))),
        ])
    }

    static func mcnemar(_ c: ReportContent) -> ReportSection? {
        guard !c.mcnemar.isEmpty else { return nil }
        var blocks: [ReportBlock] = [.paragraph("b = A right and B wrong, c = A wrong and B right; exact binomial p and χ² with continuity correction.")]
        for m in c.mcnemar {
            let rows = (m.perClass + [m.overall]).map { r in
                [r.label, String(r.n), Fmt.fixed(r.scoreA), Fmt.fixed(r.scoreB), String(r.b), String(r.c), Fmt.fixed(r.chi2, 2), Fmt.p(r.pChi2), Fmt.p(r.pExact)]
            }
            blocks.append(.table(title: "\(m.instance): A = \(m.a), B = \(m.b) (recall per class; accuracy overall).",
                                 ReportTable(headers: ["Class", "n", "A", "B", "b", "c", "χ²", "p (χ²)", "p (exact)"], rows: rows,
                                             numeric: Set(1...8))))
        }
        return ReportSection(id: "mcnemar", title: "McNemar tests per emotion", blocks: blocks)
    }

    static func saliency(_ c: ReportContent) -> ReportSection? {
        guard c.saliency.contains(where: { !$0.grids.isEmpty }) else { return nil }
        var blocks: [ReportBlock] = [.paragraph("Rows: input | relevance for A | relevance for B | difference A − B (0.5 = no difference), on images A classifies correctly and B wrongly.")]
        for (i, s) in c.saliency.enumerated() {
            for g in s.grids {
                blocks.append(.png(file: "fig5_\(i)_\(Escaping.fileName(g.className)).png", data: g.png,
                                   caption: "Fig. 5. \(g.className): A = \(s.a), B = \(s.b), \(count(g.images, "image")) (\(s.instance), rule \(s.rule))."))
            }
        }
        return ReportSection(id: "saliency", title: "Saliency differences (Fig. 5)", blocks: blocks)
    }

    static func candidates(_ c: ReportContent) -> ReportSection? {
        guard !c.candidates.isEmpty else { return nil }
        var blocks: [ReportBlock] = []
        for (i, r) in c.candidates.enumerated() {
            var rows: [[String]] = []
            for (cls, list) in r.perClass {
                for (rank, k) in list.enumerated() {
                    rows.append([cls, String(rank + 1), k.region, k.actionUnits.joined(separator: ", "), Fmt.fixed(k.score), Fmt.fixed(k.share)])
                }
            }
            blocks.append(.table(title: "\(r.instance): difference relevance per facial region over \(count(r.images, "image")).",
                                 ReportTable(headers: ["Class", "Rank", "Region", "Action units", "Score", "Share"], rows: rows, numeric: [1, 4, 5])))
            if let png = r.regionsPNG {
                blocks.append(.png(file: "candidates_\(i)_regions.png", data: png, caption: "Regions scored by \(r.instance)."))
            }
        }
        return ReportSection(id: "candidates", title: "Concept candidates", blocks: blocks)
    }

    static func probes(_ c: ReportContent) -> ReportSection? {
        guard !c.probes.isEmpty || !c.pairedTests.isEmpty else { return nil }
        var blocks: [ReportBlock] = []
        if !c.probes.isEmpty {
            var models: [String] = [], concepts: [String] = []
            for p in c.probes {
                if !models.contains(p.model) { models.append(p.model) }
                if !concepts.contains(p.concept) { concepts.append(p.concept) }
            }
            let rows = models.map { m in
                [m] + concepts.map { k in
                    c.probes.first { $0.model == m && $0.concept == k }.map { "\(Fmt.fixed($0.meanF1)) ± \(Fmt.fixed($0.sdF1))" } ?? "–"
                }
            }
            blocks.append(.table(title: "Mean F1 ± SD over repeats, per model and concept.",
                                 ReportTable(headers: ["Model"] + concepts, rows: rows, numeric: Set(1...max(concepts.count, 1)))))
            let details = c.probes.map { p in
                [p.instance, p.concept, p.layer, p.crop ?? "none", "\(p.repeats) × \(p.folds)-fold", Fmt.fixed(p.meanF1), Fmt.fixed(p.meanPrecision), Fmt.fixed(p.meanRecall)]
            }
            blocks.append(.table(title: "Probe settings.", ReportTable(headers: ["Probe", "Concept", "Layer", "Crop", "Repeats", "Mean F1", "Precision", "Recall"],
                                                                     rows: details, numeric: [5, 6, 7])))
        }
        if !c.pairedTests.isEmpty {
            let rows = c.pairedTests.map { t in
                [t.a, t.b, String(t.n), Fmt.fixed(t.meanA), Fmt.fixed(t.meanB), Fmt.fixed(t.meanDifference),
                 Fmt.fixed(t.t, 2), Fmt.tick(t.df), Fmt.p(t.p), Fmt.fixed(t.cohensD, 2)]
            }
            blocks.append(.table(title: "Paired t-tests (A − B): t, degrees of freedom, two-sided p, Cohen's d.",
                                 ReportTable(headers: ["A", "B", "n", "Mean A", "Mean B", "Difference", "t", "df", "p", "d"],
                                             rows: rows, numeric: Set(2...9))))
        }
        return ReportSection(id: "probes", title: "Concept probes", blocks: blocks)
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
