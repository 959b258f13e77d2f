import Foundation

/// A data series of a chart: a name for the legend and a colour/marker slot.
public struct ChartSeries: Sendable {
    public let name: String
    /// Grouped bars: one value per group (`nil` = no bar). Lines: ignored.
    public let values: [Double?]
    /// Lines: (x, y) points, drawn in x order. Bars: ignored.
    public let points: [(x: Double, y: Double)]
    /// Error bars (e.g. min–max across seeds), parallel to `values` (bars) or `points` (lines); empty or `nil` = none.
    public let ranges: [ClosedRange<Double>?]

    /// Bars, with optional error bars `ranges[g]` per group.
    public init(name: String, values: [Double?], ranges: [ClosedRange<Double>?] = []) {
        precondition(ranges.isEmpty || ranges.count == values.count, "one range per value")
        self.name = name
        self.values = values
        self.points = []
        self.ranges = ranges
    }

    /// Lines, with optional error bars `ranges[i]` for `points[i]` (kept with their point when sorted by x).
    public init(name: String, points: [(x: Double, y: Double)], ranges: [ClosedRange<Double>?] = []) {
        precondition(ranges.isEmpty || ranges.count == points.count, "one range per point")
        let order = points.indices.sorted { points[$0].x < points[$1].x }
        self.name = name
        self.values = []
        self.points = order.map { points[$0] }
        self.ranges = ranges.isEmpty ? [] : order.map { ranges[$0] }
    }

    func range(_ i: Int) -> ClosedRange<Double>? { i < ranges.count ? ranges[i] : nil }
}

/// Inline SVG charts with axes, ticks, labels and a legend; sized by a viewBox so they scale to the page.
///
/// Units are SVG user units (px at 100 %). Colours come from the Okabe–Ito palette (colour-blind safe); lines
/// also differ by dash pattern and marker shape so they stay apart in greyscale print.
public enum Charts {
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999",
                          "#882255", "#44AA99", "#117733", "#AA4499"]
    static let dashes = ["", "6 3", "2 2", "8 3 2 3", "4 4", "1 3"]

    static let width = 760.0, plotLeft = 64.0, plotTop = 24.0, legendWidth = 210.0, plotBottomGap = 58.0

    /// The opening `<svg>` tag; standalone files need the namespace, inline HTML does not.
    static func open(width: Double, height: Double, label: String, standalone: Bool) -> String {
        let ns = standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
        return "<svg\(ns) viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "role=\"img\" aria-label=\"\(Escaping.html(label))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "middle", size: Double? = nil, rotate: Double? = nil,
                     weight: String? = nil) -> String {
        var attrs = "x=\"\(r(x))\" y=\"\(r(y))\" text-anchor=\"\(anchor)\""
        if let size { attrs += " font-size=\"\(r(size))\"" }
        if let weight { attrs += " font-weight=\"\(weight)\"" }
        if let rotate { attrs += " transform=\"rotate(\(r(rotate)) \(r(x)) \(r(y)))\"" }
        return "<text \(attrs)>\(Escaping.html(s))</text>"
    }

    /// Rounds a coordinate to 0.1 for compact output.
    static func r(_ v: Double) -> String {
        let x = (v * 10).rounded() / 10
        return x == x.rounded() ? String(Int(x)) : String(x)
    }

    /// The y axis from 0 to `top` with ticks every `step`, gridlines, and its label.
    static func yAxis(top: Double, step: Double, plotHeight: Double, plotWidth: Double, label: String) -> [String] {
        var out: [String] = []
        var v = 0.0
        while v <= top + 1e-9 {
            let y = plotTop + plotHeight * (1 - v / top)
            out.append("<line x1=\"\(r(plotLeft))\" y1=\"\(r(y))\" x2=\"\(r(plotLeft + plotWidth))\" y2=\"\(r(y))\" stroke=\"#dddddd\" stroke-width=\"1\"/>")
            out.append("<line x1=\"\(r(plotLeft - 5))\" y1=\"\(r(y))\" x2=\"\(r(plotLeft))\" y2=\"\(r(y))\" stroke=\"#333333\"/>")
            out.append(text(Fmt.tick(v), x: plotLeft - 8, y: y + 4, anchor: "end"))
            v += step
        }
        out.append("<line x1=\"\(r(plotLeft))\" y1=\"\(r(plotTop))\" x2=\"\(r(plotLeft))\" y2=\"\(r(plotTop + plotHeight))\" stroke=\"#333333\"/>")
        out.append(text(label, x: 16, y: plotTop + plotHeight / 2, rotate: -90))
        return out
    }

    /// The legend: one swatch (bar) or line sample (line) per series, right of the plot.
    static func legend(_ names: [String], lines: Bool, top: Double) -> [String] {
        var out: [String] = []
        let x = width - legendWidth + 16
        for (i, name) in names.enumerated() {
            let y = top + Double(i) * 20
            let colour = palette[i % palette.count]
            if lines {
                out.append("<line x1=\"\(r(x))\" y1=\"\(r(y))\" x2=\"\(r(x + 24))\" y2=\"\(r(y))\" stroke=\"\(colour)\" stroke-width=\"2.5\" stroke-dasharray=\"\(dashes[i % dashes.count])\"/>")
                out.append(marker(i, x: x + 12, y: y))
            } else {
                out.append("<rect x=\"\(r(x))\" y=\"\(r(y - 6))\" width=\"14\" height=\"12\" fill=\"\(colour)\"/>")
            }
            out.append(text(name, x: x + 30, y: y + 4, anchor: "start"))
        }
        return out
    }

    /// A vertical error bar from `lo` to `hi` (SVG y, lo below hi) at x with caps `cap` wide.
    static func errorBar(x: Double, lo: Double, hi: Double, cap: Double, colour: String = "#333333") -> String {
        "<path d=\"M\(r(x - cap / 2)),\(r(hi)) H\(r(x + cap / 2)) M\(r(x)),\(r(hi)) V\(r(lo)) M\(r(x - cap / 2)),\(r(lo)) H\(r(x + cap / 2))\" "
            + "fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.3\"/>"
    }

    /// "0.500 (0.400–0.600)" for a tooltip: the value and, when given, its range.
    static func valueText(_ v: Double, _ range: ClosedRange<Double>?) -> String {
        range.map { "\(Fmt.fixed(v)) (\(Fmt.fixed($0.lowerBound))–\(Fmt.fixed($0.upperBound)))" } ?? Fmt.fixed(v)
    }

    /// Marker shape `i` (circle, square, triangle, diamond, …) centred at (x, y).
    static func marker(_ i: Int, x: Double, y: Double) -> String {
        let c = palette[i % palette.count]
        switch i % 4 {
        case 0: return "<circle cx=\"\(r(x))\" cy=\"\(r(y))\" r=\"4\" fill=\"\(c)\"/>"
        case 1: return "<rect x=\"\(r(x - 4))\" y=\"\(r(y - 4))\" width=\"8\" height=\"8\" fill=\"\(c)\"/>"
        case 2: return "<polygon points=\"\(r(x)),\(r(y - 5)) \(r(x + 5)),\(r(y + 4)) \(r(x - 5)),\(r(y + 4))\" fill=\"\(c)\"/>"
        default: return "<polygon points=\"\(r(x)),\(r(y - 5)) \(r(x + 5)),\(r(y)) \(r(x)),\(r(y + 5)) \(r(x - 5)),\(r(y))\" fill=\"\(c)\"/>"
        }
    }

    /// Grouped bars: one group per category along x, one bar per series inside each group; y from 0 to 1.
    ///
    /// - Parameters:
    ///   - groups: category labels (x axis).
    ///   - series: one per legend entry; `values[g]` is the bar height in group `g` (0…1), `ranges[g]` its error bar.
    public static func groupedBars(title: String, groups: [String], series: [ChartSeries], xLabel: String, yLabel: String,
                                   standalone: Bool = false) -> String {
        let height = max(340, plotTop + 36 + Double(series.count) * 20)
        let plotWidth = width - plotLeft - legendWidth
        let plotHeight = height - plotTop - plotBottomGap
        var out = [open(width: width, height: height, label: title, standalone: standalone), "<title>\(Escaping.html(title))</title>"]
        out += yAxis(top: 1, step: 0.2, plotHeight: plotHeight, plotWidth: plotWidth, label: yLabel)
        let groupWidth = plotWidth / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        let baseY = plotTop + plotHeight
        for (g, group) in groups.enumerated() {
            let gx = plotLeft + Double(g) * groupWidth
            for (s, item) in series.enumerated() {
                guard g < item.values.count, let v = item.values[g], v.isFinite else { continue }
                let h = plotHeight * min(max(v, 0), 1)
                let x = gx + groupWidth * 0.1 + Double(s) * barWidth
                out.append("<rect x=\"\(r(x))\" y=\"\(r(baseY - h))\" width=\"\(r(max(barWidth - 1, 1)))\" height=\"\(r(h))\" fill=\"\(palette[s % palette.count])\">"
                    + "<title>\(Escaping.html("\(item.name), \(group): \(valueText(v, item.range(g)))"))</title></rect>")
                if let e = item.range(g) {
                    func y(_ v: Double) -> Double { baseY - plotHeight * min(max(v, 0), 1) }
                    out.append(errorBar(x: x + max(barWidth - 1, 1) / 2, lo: y(e.lowerBound), hi: y(e.upperBound), cap: min(max(barWidth * 0.6, 3), 10)))
                }
            }
            out.append("<line x1=\"\(r(gx + groupWidth / 2))\" y1=\"\(r(baseY))\" x2=\"\(r(gx + groupWidth / 2))\" y2=\"\(r(baseY + 5))\" stroke=\"#333333\"/>")
            out.append(text(group, x: gx + groupWidth / 2, y: baseY + 18))
        }
        out.append("<line x1=\"\(r(plotLeft))\" y1=\"\(r(baseY))\" x2=\"\(r(plotLeft + plotWidth))\" y2=\"\(r(baseY))\" stroke=\"#333333\"/>")
        out.append(text(xLabel, x: plotLeft + plotWidth / 2, y: baseY + 42))
        out += legend(series.map(\.name), lines: false, top: plotTop + 6)
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// Lines with markers (and error bars where a series has ranges) over a numeric x axis (ticks at every distinct x); y from 0 to 1.
    public static func lines(title: String, series: [ChartSeries], xLabel: String, yLabel: String, standalone: Bool = false) -> String {
        let height = max(340, plotTop + 36 + Double(series.count) * 20)
        let plotWidth = width - plotLeft - legendWidth
        let plotHeight = height - plotTop - plotBottomGap
        var out = [open(width: width, height: height, label: title, standalone: standalone), "<title>\(Escaping.html(title))</title>"]
        out += yAxis(top: 1, step: 0.2, plotHeight: plotHeight, plotWidth: plotWidth, label: yLabel)
        let data = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        let lo = data.first ?? 0, hi = data.last ?? 1
        // Integer axes (freeze depth) get a tick at every integer in range; others a tick per data point.
        let integral = data.allSatisfy { $0 == $0.rounded() } && hi - lo <= 20
        let xs = integral ? stride(from: lo, through: hi, by: 1).map { $0 } : data
        let span = hi > lo ? hi - lo : 1
        let pad = 24.0
        func px(_ x: Double) -> Double { plotLeft + pad + (plotWidth - 2 * pad) * (xs.count > 1 ? (x - lo) / span : 0.5) }
        func py(_ y: Double) -> Double { plotTop + plotHeight * (1 - min(max(y, 0), 1)) }
        let baseY = plotTop + plotHeight
        out.append("<line x1=\"\(r(plotLeft))\" y1=\"\(r(baseY))\" x2=\"\(r(plotLeft + plotWidth))\" y2=\"\(r(baseY))\" stroke=\"#333333\"/>")
        for x in xs {
            out.append("<line x1=\"\(r(px(x)))\" y1=\"\(r(baseY))\" x2=\"\(r(px(x)))\" y2=\"\(r(baseY + 5))\" stroke=\"#333333\"/>")
            out.append(text(Fmt.tick(x), x: px(x), y: baseY + 18))
        }
        out.append(text(xLabel, x: plotLeft + plotWidth / 2, y: baseY + 42))
        for (i, item) in series.enumerated() {
            let colour = palette[i % palette.count]
            let path = item.points.map { "\(r(px($0.x))),\(r(py($0.y)))" }.joined(separator: " ")
            out.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\" stroke-dasharray=\"\(dashes[i % dashes.count])\"/>")
            for (k, p) in item.points.enumerated() {
                let bar = item.range(k).map { errorBar(x: px(p.x), lo: py($0.lowerBound), hi: py($0.upperBound), cap: 10, colour: colour) } ?? ""
                out.append("<g>" + bar + marker(i, x: px(p.x), y: py(p.y))
                    + "<title>\(Escaping.html("\(item.name) at \(Fmt.tick(p.x)): \(valueText(p.y, item.range(k)))"))</title></g>")
            }
        }
        out += legend(series.map(\.name), lines: true, top: plotTop + 6)
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
