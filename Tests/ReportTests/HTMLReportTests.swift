import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Report

@Suite struct HTMLReportTests {
    @Test func everySectionAppearsWithItsNumbers() throws {
        let html = HTMLReport.render(sampleContent())
        #expect(ReportDocument.sections(sampleContent()).map(\.id) == ReportDocument.sectionIDs)
        for id in ReportDocument.sectionIDs {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        // Table 1: the macro row of pain[blocks=5] is mean(0.8, 0.25) = 0.525, support 20, accuracy 0.700.
        #expect(html.contains("<tr><td>pain[blocks=5]</td><td>macro</td><td class=\"num\">0.525</td><td class=\"num\">0.525</td><td class=\"num\">0.525</td><td class=\"num\">20</td><td class=\"num\">0.700</td></tr>"))
        // Fig. 4 table: contempt recall 0.000 and 0.750 in the last emotion column.
        #expect(html.contains("<td class=\"num\">0.400</td><td class=\"num\">0.000</td>"))
        // Fig. 7 table: depth 5 → pain 0.250, surprise 0.500, contempt 0.750.
        #expect(html.contains("<tr><td class=\"num\">5</td><td class=\"num\">0.250</td><td class=\"num\">0.500</td><td class=\"num\">0.750</td></tr>"))
        // McNemar: contempt row with b = 7, c = 0, χ² 5.14, p values.
        #expect(html.contains("<tr><td>contempt</td><td class=\"num\">10</td><td class=\"num\">0.750</td><td class=\"num\">0.000</td><td class=\"num\">7</td><td class=\"num\">0</td><td class=\"num\">5.14</td><td class=\"num\">0.023</td><td class=\"num\">0.016</td></tr>"))
        // Probe pivot: model × concept, missing cell as a dash; paired t with tiny p in scientific notation.
        #expect(html.contains("<tr><td>pain[blocks=0]</td><td class=\"num\">0.612 ± 0.041</td><td class=\"num\">–</td></tr>"))
        #expect(html.contains("<td class=\"num\">123.46</td><td class=\"num\">499</td><td class=\"num\">1.50e-300</td><td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">5.52</td><td class=\"prose\">chance not tested</td>"))
        // Candidates ranked, provenance with full key, version and run time.
        #expect(html.contains("<tr><td>contempt</td><td class=\"num\">1</td><td>lip_corners</td><td>AU12, AU14</td><td class=\"num\">0.610</td><td class=\"num\">0.420</td><td>pain never uses AU12, AU14</td></tr>"))
        #expect(html.contains("contempt: the top region, lip_corners, is a predicted one (predicted: lip_corners)"))
        #expect(html.contains("<td class=\"code\">\(String(repeating: "ab", count: 32))</td><td class=\"code\">{&quot;epochs&quot;:8}</td><td class=\"num\">2 min 5 s</td>"))
        #expect(html.contains("<td>v3</td>"))
    }

    @Test func pageIsWellFormedSelfContainedAndEmbedsPNGs() throws {
        let html = HTMLReport.render(sampleContent())
        let doc = try parseXML(html)
        let all = elements(try root(doc))
        #expect(!all.contains { ["script", "link", "iframe", "object"].contains($0.name ?? "") })
        let images = all.filter { $0.name == "img" }
        #expect(images.count == 2, "saliency grid and candidate regions")
        for img in images {
            let src = try #require(img.attribute(forName: "src")?.stringValue)
            #expect(src.hasPrefix("data:image/png;base64,"))
            #expect(Data(base64Encoded: String(src.dropFirst("data:image/png;base64,".count))) == fakePNG)
        }
        #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("//"), "no external URLs")
        #expect(all.filter { $0.name == "svg" }.count == 3, "DAG, Fig. 4, Fig. 7")
        #expect(html.contains("@media print"))
    }

    @Test func hostileNamesAreEscaped() throws {
        let hostile = "<script>alert('x')</script>&\"q\""
        var c = sampleContent(modelName: { "\(hostile)\($0)" })
        c.title = hostile
        c.evaluations[2] = evaluation("recall[blocks=0]", model: hostile, depth: 0, classes: [hostile, "surprise"], recalls: [0.5, 0.5], accuracy: 0.5)
        let html = HTMLReport.render(c)
        #expect(!html.contains("<script"))
        let doc = try parseXML(html)
        let root = try #require(doc.rootElement())
        let title = try #require(elements(root).first { $0.name == "h1" })
        #expect(title.stringValue == hostile, "escaped text reads back as the original")
        let svgTexts = elements(root).filter { $0.name == "text" }.compactMap(\.stringValue)
        #expect(svgTexts.contains(hostile), "chart labels (x axis group) escaped too")
    }

    @Test func smallPNGsAreEnlargedByWholeFactorsWithinTheFrame() {
        func png(_ w: UInt32, _ h: UInt32) -> Data {
            var d = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
            for v in [w, h] { d.append(contentsOf: [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]) }
            return d
        }
        #expect(HTMLReport.displaySize(png: png(64, 32)).map { [$0.width, $0.height] } == [256, 128], "4× at most")
        #expect(HTMLReport.displaySize(png: png(200, 300)).map { [$0.width, $0.height] } == [400, 600], "2× fits 720")
        #expect(HTMLReport.displaySize(png: png(1440, 360)).map { [$0.width, $0.height] } == [720, 180], "large ones shrink")
        #expect(HTMLReport.displaySize(png: fakePNG) == nil)
    }

    @Test func emptyContentRendersAValidPage() throws {
        let html = HTMLReport.render(ReportContent(title: "Nothing"))
        #expect(html.contains("No artifacts to report"))
        #expect(!html.contains("<section"))
        _ = try parseXML(html)
    }

    @Test func sectionsOnlyAppearWithTheirArtifacts() {
        var c = ReportContent(title: "Probes only")
        c.probes = sampleContent().probes
        let ids = ReportDocument.sections(c).map(\.id)
        #expect(ids == ["probes"])
        let painOnly = ReportContent(title: "p", evaluations: [sampleContent().evaluations[0]])
        #expect(ReportDocument.sections(painOnly).map(\.id) == ["pain", "freeze"])
    }

    @Test func painRuleNeedsTwoClassesOneNamedPain() {
        let pain = evaluation("e", model: "m", depth: nil, classes: ["no_pain", "Pain"], recalls: [1, 1], accuracy: 1)
        let three = evaluation("e", model: "m", depth: nil, classes: ["no_pain", "pain", "other"], recalls: [1, 1, 1], accuracy: 1)
        let binary = evaluation("e", model: "m", depth: nil, classes: ["neutral", "happy"], recalls: [1, 1], accuracy: 1)
        #expect(pain.isPain && !three.isPain && !binary.isPain)
    }
}
