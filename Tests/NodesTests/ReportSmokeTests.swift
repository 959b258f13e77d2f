import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Graph
@testable import Nodes
import Report

/// The smoke study (`experiments/smoke.yaml`) extended with saliency, concept candidates, probes and the report,
/// run end to end with the real node kinds.
@Suite(.serialized) struct ReportSmokeTests {
    static let additions = """

      au_data:    {kind: synth_faces, params: {like: ckplus, subjects: 40, size: 32}}
      saliency:   {kind: diff_saliency, inputs: {a: "head[blocks=5]", b: "head[blocks=0]", data: emotions}, params: {classes: [contempt, surprise], per_class: 4}}
      candidates: {kind: concept_candidates, inputs: {saliency: saliency}}
      probe:      {kind: svm_probe, inputs: {model: pain, data: au_data}, matrix: {concept: [AU5, AU14]}, params: {repeats: 5, folds: 2}}
      report:     {kind: report, inputs: {all: "*"}}

    """

    @Test func smokeStudyReportHasEverySectionAndRerunsOnlyWhatChanged() throws {
        let smoke = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/smoke.yaml")
        let p = try ShellProject(try String(contentsOf: smoke, encoding: .utf8) + Self.additions)
        let first = try p.run()
        #expect(first.count(.failed) == 0, "\(first.results.filter { $0.status != .executed }.map { ($0.id, $0.reason ?? "") })")
        let html = try String(contentsOf: try ReportNodeTests.reportDirectory(p).appendingPathComponent("index.html"), encoding: .utf8)
        for id in ReportDocument.sectionIDs { #expect(html.contains("<section id=\"\(id)\">"), "section \(id)") }
        // Table 1 and Fig. 7 have a row per freeze depth; Fig. 4 a bar series per retrained head.
        for k in 0...5 {
            #expect(html.contains("<tr><td>pain[blocks=\(k)]</td><td>macro</td>"), "Table 1 row of pain[blocks=\(k)]")
            #expect(html.contains("<tr><td class=\"num\">\(k)</td>"), "Fig. 7 point at depth \(k)")
            #expect(html.contains(">head[blocks=\(k)]</text>"), "Fig. 4 legend entry of head[blocks=\(k)]")
        }
        #expect(html.contains("forgetting: A = recall[blocks=5], B = recall[blocks=0]"))
        _ = try XMLDocument(xmlString: html, options: [])

        #expect(try p.run().count(.executed) == 0)
        let retitled = try p.run(["report.title=Smoke study"])
        #expect(retitled.results.filter { $0.status == .executed }.map(\.id) == ["report"])
    }
}
