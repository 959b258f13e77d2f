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
        for a in layout.boxes { for b in layout.boxes where a.node.id < b.node.id && a.layer == b.layer {
            #expect(abs(a.x - b.x) >= (a.width + b.width) / 2, "\(a.node.id) and \(b.node.id) overlap")
        } }
        for b in layout.boxes {
            #expect(b.x - b.width / 2 >= 0 && b.x + b.width / 2 <= layout.width)
            #expect(b.y < layout.height)
        }
        let svg = layout.svg(edges: g.edges, title: "g", idPrefix: "t")
        #expect(svg.components(separatedBy: "marker-end=\"url(#t-arrow)\"").count - 1 == 6)
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
