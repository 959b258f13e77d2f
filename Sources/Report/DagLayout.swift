import Foundation

/// A layered (Sugiyama-style) layout of a DAG: layer = longest path from a source, order inside a layer by
/// repeated barycentre sweeps, boxes packed left to right and centred.
public struct DagLayout: Sendable {
    /// A placed node: box centre (x, y) and width, in SVG user units.
    public struct Box: Sendable {
        public let node: DagGraph.Node
        public let layer: Int
        public let x: Double
        public let y: Double
        public let width: Double
    }

    public let boxes: [Box]
    public let width: Double
    public let height: Double

    static let boxHeight = 38.0, layerGap = 70.0, rowGap = 22.0, nodeGap = 14.0, margin = 16.0, charWidth = 7.4
    /// Boxes per row before a layer wraps.
    static let maxPerRow = 8

    public init(_ graph: DagGraph) {
        let ids = graph.nodes.map(\.id)
        let index = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var parents = Array(repeating: [Int](), count: ids.count)
        var children = Array(repeating: [Int](), count: ids.count)
        for e in graph.edges {
            guard let f = index[e.from], let t = index[e.to], f != t else { continue }
            parents[t].append(f)
            children[f].append(t)
        }
        // Longest-path layering; nodes on a cycle (not expected in a DAG) stay in layer 0 via the visit guard.
        var layer = Array(repeating: -1, count: ids.count)
        var visiting = Set<Int>()
        func depth(_ i: Int) -> Int {
            if layer[i] >= 0 { return layer[i] }
            if !visiting.insert(i).inserted { return 0 }
            let d = parents[i].map { depth($0) + 1 }.max() ?? 0
            visiting.remove(i)
            layer[i] = d
            return d
        }
        for i in ids.indices { _ = depth(i) }
        let layerCount = (layer.max() ?? -1) + 1
        var rows: [[Int]] = Array(repeating: [], count: layerCount)
        for i in ids.indices { rows[layer[i]].append(i) }

        // Barycentre sweeps: down using parents' positions, then up using children's. Instances of one node
        // (`head[blocks=0]`…`head[blocks=5]`) stay together, ordered by their group's mean barycentre.
        let group = graph.nodes.map { n in n.id.firstIndex(of: "[").map { String(n.id[..<$0]) } ?? n.id }
        var position = Array(repeating: 0.0, count: ids.count)
        func number() { for row in rows { for (k, i) in row.enumerated() { position[i] = Double(k) } } }
        number()
        for _ in 0..<4 {
            for l in 1..<max(layerCount, 1) {
                rows[l] = Self.sorted(rows[l], by: parents, position: position, group: group)
                for (k, i) in rows[l].enumerated() { position[i] = Double(k) }
            }
            for l in stride(from: layerCount - 2, through: 0, by: -1) {
                rows[l] = Self.sorted(rows[l], by: children, position: position, group: group)
                for (k, i) in rows[l].enumerated() { position[i] = Double(k) }
            }
        }

        let widths = graph.nodes.map { n in max(Double(max(n.id.count, n.kind.count + 2)) * Self.charWidth + 20, 80) }
        // A wide layer (a sweep of 24 probes) wraps into rows of at most `maxPerRow` boxes, so the figure stays readable.
        var visualRows: [(layer: Int, nodes: [Int])] = []
        for (l, row) in rows.enumerated() {
            for start in stride(from: 0, to: row.count, by: Self.maxPerRow) {
                visualRows.append((l, Array(row[start..<min(start + Self.maxPerRow, row.count)])))
            }
        }
        let rowWidths = visualRows.map { r in r.nodes.map { widths[$0] }.reduce(0, +) + Double(max(r.nodes.count - 1, 0)) * Self.nodeGap }
        let total = (rowWidths.max() ?? 0) + 2 * Self.margin
        var boxes: [Box] = []
        var y = Self.margin + Self.boxHeight / 2
        for (k, r) in visualRows.enumerated() {
            if k > 0 { y += Self.boxHeight + (r.layer == visualRows[k - 1].layer ? Self.rowGap : Self.layerGap) }
            var x = (total - rowWidths[k]) / 2
            for i in r.nodes {
                boxes.append(Box(node: graph.nodes[i], layer: r.layer, x: x + widths[i] / 2, y: y, width: widths[i]))
                x += widths[i] + Self.nodeGap
            }
        }
        self.boxes = boxes
        self.width = max(total, 200)
        self.height = visualRows.isEmpty ? 2 * Self.margin : y + Self.boxHeight / 2 + Self.margin
    }

    /// `row` ordered by the mean position of each node's neighbours (nodes without neighbours keep their place),
    /// with nodes of one `group` kept adjacent at their group's mean and in input (coordinate) order inside it.
    private static func sorted(_ row: [Int], by neighbours: [[Int]], position: [Double], group: [String]) -> [Int] {
        let keyed = row.enumerated().map { k, i -> (Double, Int) in
            let ns = neighbours[i]
            let key = ns.isEmpty ? Double(k) : ns.map { position[$0] }.reduce(0, +) / Double(ns.count)
            return (key, i)
        }
        var groupKey: [String: (sum: Double, count: Double)] = [:]
        for (key, i) in keyed { groupKey[group[i], default: (0, 0)].sum += key; groupKey[group[i], default: (0, 0)].count += 1 }
        func mean(_ i: Int) -> Double { groupKey[group[i]].map { $0.sum / $0.count } ?? 0 }
        return keyed.sorted { a, b in
            let ga = mean(a.1), gb = mean(b.1)
            if ga != gb { return ga < gb }
            if group[a.1] != group[b.1] { return group[a.1] < group[b.1] }
            return a.1 < b.1
        }.map(\.1)
    }

    /// The layout as SVG: boxes with instance id and kind, edges as curves with arrowheads labelled by port.
    ///
    /// - Parameter idPrefix: prefix for element ids (the arrow marker), unique per page.
    public func svg(edges: [DagGraph.Edge], title: String, idPrefix: String, standalone: Bool = false) -> String {
        let at = Dictionary(boxes.map { ($0.node.id, $0) }, uniquingKeysWith: { a, _ in a })
        let marker = Escaping.html(idPrefix + "-arrow")
        var out = [Charts.open(width: width, height: height, label: title, standalone: standalone),
                   "<title>\(Escaping.html(title))</title>",
                   "<defs><marker id=\"\(marker)\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                   + "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555555\"/></marker></defs>"]
        let r = Charts.r
        for e in edges {
            guard let a = at[e.from], let b = at[e.to] else { continue }
            let y1 = a.y + Self.boxHeight / 2, y2 = b.y - Self.boxHeight / 2
            let mid = (y1 + y2) / 2
            out.append("<path d=\"M\(r(a.x)),\(r(y1)) C\(r(a.x)),\(r(mid)) \(r(b.x)),\(r(mid)) \(r(b.x)),\(r(y2))\" fill=\"none\" "
                + "stroke=\"#777777\" stroke-width=\"1.2\" marker-end=\"url(#\(marker))\"><title>\(Escaping.html("\(e.from) → \(e.to) (\(e.port))"))</title></path>")
        }
        for b in boxes {
            let colour = Charts.palette[abs(b.node.kind.hashValueStable) % Charts.palette.count]
            out.append("<g><rect x=\"\(r(b.x - b.width / 2))\" y=\"\(r(b.y - Self.boxHeight / 2))\" width=\"\(r(b.width))\" height=\"\(r(Self.boxHeight))\" "
                + "rx=\"6\" fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
                + Charts.text(b.node.id, x: b.x, y: b.y - 3, weight: "bold")
                + Charts.text(b.node.kind, x: b.x, y: b.y + 12, size: 10.5) + "</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per run), for stable colours.
    var hashValueStable: Int {
        var h: UInt32 = 2_166_136_261
        for b in utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return Int(h % 1_000_003)
    }
}
