import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Report

@Suite struct ChartsTests {
    // Geometry oracle: height 340 → plot from y = 24 to y = 282 (258 units tall); plot x from 64 to 550.

    @Test func barHeightsAreProportionalToValues() throws {
        let svg = Charts.groupedBars(title: "t", groups: ["a", "b"], series: [ChartSeries(name: "m1", values: [0.5, 1.0]),
                                                                               ChartSeries(name: "m2", values: [0.25, nil])],
                                     xLabel: "Emotion", yLabel: "Recall")
        let doc = try parseXML(svg)
        let bars = elements(try root(doc)).filter { $0.name == "rect" && $0.attribute(forName: "fill") != nil && $0.children?.isEmpty == false }
        let heights = bars.compactMap { $0.attribute(forName: "height")?.stringValue }
        #expect(heights == ["129", "64.5", "258"], "0.5, 0.25 and 1.0 of 258; the missing bar is not drawn")
        let tops = bars.compactMap { $0.attribute(forName: "y")?.stringValue }
        #expect(tops == ["153", "217.5", "24"], "bars stand on the x axis at y = 282")
        // Group width 243: group a's bars start at 64 + 24.3 = 88.3 and are 243·0.8/2 = 97.2 wide.
        #expect(bars[0].attribute(forName: "x")?.stringValue == "88.3")
        #expect(svg.contains(">Recall</text>") && svg.contains(">Emotion</text>") && svg.contains(">m2</text>"))
        for tick in ["0", "0.20", "0.40", "0.60", "0.80", "1"] { #expect(svg.contains(">\(tick)</text>"), "tick \(tick)") }
    }

    @Test func linePointsFollowXAndY() throws {
        let series = [ChartSeries(name: "pain recall", points: [(x: 5, y: 0.25), (x: 0, y: 0.5)])]
        let standalone = Charts.lines(title: "t", series: series, xLabel: "Frozen blocks", yLabel: "Recall", standalone: true)
        #expect(standalone.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let svg = Charts.lines(title: "t", series: series, xLabel: "Frozen blocks", yLabel: "Recall")
        #expect(standalone.replacingOccurrences(of: " xmlns=\"http://www.w3.org/2000/svg\"", with: "") == svg)
        let doc = try parseXML(svg)
        let line = try #require(elements(try root(doc)).first { $0.name == "polyline" })
        // x: 64 + 24 = 88 at the lowest depth, 550 − 24 = 526 at the highest; y as in the bar chart.
        #expect(line.attribute(forName: "points")?.stringValue == "88,153 526,217.5")
        for depth in 0...5 { #expect(svg.contains(">\(depth)</text>"), "integer tick \(depth) even without data there") }
        #expect(svg.contains(">Frozen blocks</text>"))
    }
}
