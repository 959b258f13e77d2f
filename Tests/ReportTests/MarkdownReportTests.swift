import Foundation
import Testing
@testable import Report

@Suite struct MarkdownReportTests {
    @Test func sectionsTablesAndFigureFiles() throws {
        let (text, figures) = MarkdownReport.render(sampleContent())
        for title in ["## Experiment graph", "## Pain detection per fine\\-tuned model \\(Table 1\\)", "## Emotion recall per model \\(Fig. 4\\)",
                      "## Recall against freeze depth \\(Fig. 7\\)", "## McNemar tests per emotion", "## Saliency differences \\(Fig. 5\\)",
                      "## Concept candidates", "## Concept probes", "## Provenance"] {
            #expect(text.contains(title), "\(title)")
        }
        #expect(text.contains("| pain\\[blocks=5\\] | macro | 0.525 | 0.525 | 0.525 | 20 | 0.700 |"))
        #expect(text.contains("| 5 | 0.250 | 0.500 | 0.750 |"))
        #expect(figures.map(\.name) == ["dag.svg", "fig4_emotion_recall.svg", "fig7_freeze_depth.svg", "fig5_0_contempt.png", "candidates_0_regions.png"])
        for f in figures { #expect(text.contains("](\(f.name))")) }
        #expect(figures[3].data == fakePNG)
        let svg = try #require(String(data: figures[0].data, encoding: .utf8))
        #expect(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        _ = try parseXML(svg)
    }

    @Test func hostileCellsKeepTheTableShape() {
        let hostile = "a|b <i>x</i> *y*"
        let c = ReportContent(title: "t", evaluations: [evaluation("e", model: hostile, depth: nil, classes: ["no pain", "pain"], recalls: [1, 0.5], accuracy: 0.75)])
        let (text, _) = MarkdownReport.render(c)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| a") }
        #expect(rows.count == 3)
        for row in rows {
            // Unescaped pipes delimit the 7 columns: 8 of them.
            let unescaped = zip(row, row.dropFirst()).filter { $0.1 == "|" && $0.0 != "\\" }.count + (row.first == "|" ? 1 : 0)
            #expect(unescaped == 8, "\(row)")
        }
        #expect(text.contains("a\\|b &lt;i&gt;x&lt;/i&gt; \\*y\\*"))
    }
}
