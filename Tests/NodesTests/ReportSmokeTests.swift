import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Graph
@testable import Nodes
import Report

/// The smoke study (`experiments/smoke.yaml`: the whole study at toy size, ending in `report`), run end to end with
/// the real node kinds; checks what the report shows.
@Suite(.serialized) struct ReportSmokeTests {
    @Test func smokeStudyReportHasEverySectionAndRerunsOnlyWhatChanged() throws {
        let smoke = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/smoke.yaml")
        let p = try ShellProject(try String(contentsOf: smoke, encoding: .utf8))
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
        // Paired t per concept over the probes' repeats (20 in smoke.yaml).
        for concept in ["AU5", "AU14"] {
            #expect(html.contains("<tr><td>probe[blocks=5,concept=\(concept)]</td><td>probe[blocks=0,concept=\(concept)]</td><td class=\"num\">20</td>"))
        }
        _ = try XMLDocument(xmlString: html, options: [])

        #expect(try p.run().count(.executed) == 0)
        let retitled = try p.run(["report.title=Smoke study"])
        #expect(retitled.results.filter { $0.status == .executed }.map(\.id) == ["report"])
    }
}
