import Foundation
import Graph
import Report

/// `report`: the study's tables and figures as one self-contained HTML page and a Markdown version.
///
/// Gathers any upstream artifacts on `all` (`inputs: {all: "*"}` gathers every instance) and renders the
/// sections it has data for: the DAG, Table 1 (pain models), Fig. 4 (emotion recall per model), Fig. 7 (recall
/// against the `blocks` coordinate), McNemar tables, Fig. 5 (saliency grids), concept candidates, probes with
/// their chance baselines and paired t-tests, and provenance. A pain model is an evaluation with exactly two
/// classes, one named `pain`; every other evaluation is an emotion model. With replicates (`seed` coordinates),
/// instances that differ only in their seed are summarised by mean and min–max range, and significance tables show
/// each seed's test and the combined test; without, the page says that results are from one seed.
public struct ReportNode: NodeKind {
    public static let kind = "report"
    public static let version = 3
    public static let summary = "The study's tables and figures as self-contained HTML (index.html) and Markdown (report.md)."
    public static let params: [ParamSpec] = [
        .string("title", default: "", doc: "Page title; empty means \"Palimpsest report: <experiment name>\"."),
    ]
    public static let inputs: [PortSpec] = [
        PortSpec("all", gather: true, doc: "Any upstream artifacts (\"*\" gathers every instance); each is shown where its files fit."),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("report", doc: "index.html (self-contained), report.md and its figure files."),
    ]
    public static let usesSeed = false

    /// The checked params, decoded once.
    struct Params: Decodable { var title: String }

    public static func run(_ context: NodeContext) throws {
        let artifacts = context.inputs["all"] ?? []
        let title = try context.params.decode(Params.self).title
        let content = try Self.content(artifacts, title: title.isEmpty ? "Palimpsest report: \(context.experimentName)" : title,
                                       reportInstance: context.instance)
        let out = context.output()
        try write(Data(HTMLReport.render(content).utf8), to: out.appendingPathComponent("index.html"))
        let markdown = MarkdownReport.render(content)
        try write(Data(markdown.text.utf8), to: out.appendingPathComponent("report.md"))
        for f in markdown.figures { try write(f.data, to: out.appendingPathComponent(f.name)) }
        let sections = ReportDocument.sections(content)
        context.log("report: \(artifacts.count) artifacts, sections: \(sections.map(\.id).joined(separator: ", "))")
        context.metric("sections", Double(sections.count))
    }

    /// Reads every artifact into the report's values (artifacts of unknown shape appear in the DAG and provenance only).
    static func content(_ artifacts: [InputArtifact], title: String, reportInstance: String) throws -> ReportContent {
        var c = ReportContent(title: title)
        var seen = Set<String>()
        for a in artifacts {
            if seen.insert(a.instance).inserted { c.provenance.append(ReportArtifacts.provenance(a)) }
            if let e = try ReportArtifacts.evaluation(a) { c.evaluations.append(e) }
            switch try ReportArtifacts.significance(a) {
            case .mcnemar(let m)?: c.mcnemar.append(m)
            case .replicatedMcNemar(let m)?: c.replicatedMcNemar.append(m)
            case .pairedT(let t)?: c.pairedTests.append(t)
            case .replicatedPairedT(let t)?: c.replicatedPairedTests.append(t)
            case nil: break
            }
            if let p = try ReportArtifacts.probe(a) { c.probes.append(p) }
            if let s = try ReportArtifacts.saliency(a) { c.saliency.append(s) }
            if let r = try ReportArtifacts.candidates(a) { c.candidates.append(r) }
        }
        if !artifacts.isEmpty { c.dag = ReportArtifacts.dag(artifacts, reportInstance: reportInstance) }
        c.seeds = ReportArtifacts.seeds(artifacts)
        let total = c.provenance.map(\.seconds).reduce(0, +)
        c.subtitle = "\(seen.count) instances, \(String(format: "%.1f", total)) s of recorded run time."
        return c
    }

    private static func write(_ data: Data, to url: URL) throws {
        do { try data.write(to: url) } catch { throw ReportError.write(file: url.lastPathComponent, reason: error.localizedDescription) }
    }
}
