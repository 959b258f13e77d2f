import Foundation
import Testing
@testable import Report

@Suite struct DagLayoutTests {
    ///     a
    ///    / \
    ///   b   c
    ///    \ / \
    ///     d   |
    ///      \  |
    ///        e          (c → e skips a layer)
    @Test func layersAreLongestPathsAndBoxesDoNotOverlap() {
        let g = DagGraph(nodes: ["a", "b", "c", "d", "e"].map { DagGraph.Node(id: $0, kind: "shell") },
                         edges: [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("c", "e")].map { DagGraph.Edge(from: $0.0, to: $0.1, port: "x") })
        let layout = DagLayout(g)
        let layer = Dictionary(uniqueKeysWithValues: layout.boxes.map { ($0.node.id, $0.layer) })
        #expect(layer == ["a": 0, "b": 1, "c": 1, "d": 2, "e": 3])
        for a in layout.boxes { for b in layout.boxes where a.node.id < b.node.id && a.y == b.y {
            #expect(abs(a.x - b.x) >= (a.width + b.width) / 2, "\(a.node.id) and \(b.node.id) overlap")
        } }
        for b in layout.boxes {
            #expect(b.x - b.width / 2 >= 0 && b.x + b.width / 2 <= layout.width)
            #expect(b.y < layout.height)
        }
        let svg = layout.svg(edges: g.edges, title: "g", idPrefix: "t")
        #expect(svg.components(separatedBy: "marker-end=\"url(#t-arrow)\"").count - 1 == 6)
    }

    @Test func wideLayersWrapIntoRowsOfEight() {
        let probes = (0..<20).map { DagGraph.Node(id: "probe[\($0)]", kind: "svm_probe") }
        let g = DagGraph(nodes: [DagGraph.Node(id: "model", kind: "k")] + probes,
                         edges: probes.map { DagGraph.Edge(from: "model", to: $0.id, port: "model") })
        let layout = DagLayout(g)
        let rows = Dictionary(grouping: layout.boxes.filter { $0.layer == 1 }, by: \.y)
        #expect(rows.values.map(\.count).sorted() == [4, 8, 8])
        // Boxes 38 high: model row, layer gap 70, then rows 22 apart; margins 16.
        let first: Double = 16 + 19 + 38 + 70
        #expect(rows.keys.sorted() == [first, first + 60, first + 120])
        let height: Double = first + 120 + 19 + 16
        #expect(layout.height == height)
        for row in rows.values { for a in row { for b in row where a.node.id < b.node.id {
            #expect(abs(a.x - b.x) >= (a.width + b.width) / 2)
        } } }
    }

    @Test func instancesOfOneNodeStayTogether() {
        // Parents m0, m1; children interleave head/eval in input order: after layout each node's instances are adjacent.
        let nodes = ["m[0]", "m[1]", "head[0]", "eval[0]", "head[1]", "eval[1]"].map { DagGraph.Node(id: $0, kind: "k") }
        let edges = [("m[0]", "head[0]"), ("m[0]", "eval[0]"), ("m[1]", "head[1]"), ("m[1]", "eval[1]")].map { DagGraph.Edge(from: $0.0, to: $0.1, port: "x") }
        let order = DagLayout(DagGraph(nodes: nodes, edges: edges)).boxes.filter { $0.layer == 1 }.sorted { $0.x < $1.x }.map { $0.node.id.prefix(4) }
        #expect(order == ["eval", "eval", "head", "head"] || order == ["head", "head", "eval", "eval"], "\(order)")
    }

    @Test func barycentreOrderUncrossesEdges() {
        // Children listed in the opposite order of their parents: one sweep puts them under their parents.
        let g = DagGraph(nodes: [.init(id: "p1", kind: "k"), .init(id: "p2", kind: "k"), .init(id: "c2", kind: "k"), .init(id: "c1", kind: "k")],
                         edges: [.init(from: "p1", to: "c1", port: "x"), .init(from: "p2", to: "c2", port: "x")])
        let layout = DagLayout(g)
        let x = Dictionary(uniqueKeysWithValues: layout.boxes.map { ($0.node.id, $0.x) })
        #expect((x["p1"]! < x["p2"]!) == (x["c1"]! < x["c2"]!))
    }
}
