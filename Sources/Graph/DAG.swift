/// A directed graph given by each vertex's parents (the vertices it reads from), with vertices in a fixed order
/// (file order for nodes, topological order for instances) that breaks ties.
///
/// The builder orders nodes and finds cycles with it; `--only`, `--force` and `show` select instances with it.
struct DAG<Vertex: Hashable> {
    /// Every vertex, in the order that breaks ties.
    let vertices: [Vertex]
    /// The vertices each vertex reads from; parents that are not in `vertices` are ignored.
    let parents: [Vertex: [Vertex]]

    /// Kahn's order with the vertex order as tie-break, or the first cycle found.
    enum Order {
        case sorted([Vertex])
        /// `path[0]` reads `path[1]`, … and the last element is `path[0]` again.
        case cycle(path: [Vertex])
    }

    /// The vertices in an order where every vertex comes after its parents; on a cycle, one cycle.
    var order: Order {
        var remaining = vertices.map { Set(parents[$0] ?? []) }
        var done = Set<Vertex>()
        var order: [Vertex] = []
        while order.count < vertices.count {
            guard let next = vertices.indices.first(where: { !done.contains(vertices[$0]) && remaining[$0].isEmpty }) else {
                return .cycle(path: cycle(avoiding: done))
            }
            order.append(vertices[next])
            done.insert(vertices[next])
            for i in remaining.indices { remaining[i].remove(vertices[next]) }
        }
        return .sorted(order)
    }

    /// From the first vertex not in `done`, follows first parents not in `done` until one repeats.
    private func cycle(avoiding done: Set<Vertex>) -> [Vertex] {
        guard let start = vertices.first(where: { !done.contains($0) }) else { return [] }
        var path = [start]
        var current = start
        while let next = (parents[current] ?? []).first(where: { !done.contains($0) }) {
            if let at = path.firstIndex(of: next) { return Array(path[at...]) + [next] }
            path.append(next)
            current = next
        }
        return []
    }

    /// `set` and every vertex upstream of it (parents, their parents, …).
    func withAncestors(_ set: Set<Vertex>) -> Set<Vertex> { set.union(reach(from: set, along: parents)) }

    /// `set` and every vertex downstream of it (readers, their readers, …).
    func withDescendants(_ set: Set<Vertex>) -> Set<Vertex> { set.union(reach(from: set, along: children)) }

    /// The vertices strictly downstream of `vertex` (itself only if it lies on a cycle).
    func descendants(of vertex: Vertex) -> Set<Vertex> { reach(from: [vertex], along: children) }

    private var children: [Vertex: [Vertex]] {
        var out: [Vertex: [Vertex]] = [:]
        for v in vertices { for p in parents[v] ?? [] { out[p, default: []].append(v) } }
        return out
    }

    /// The vertices one or more `edges` away from `start`.
    private func reach(from start: Set<Vertex>, along edges: [Vertex: [Vertex]]) -> Set<Vertex> {
        var out = Set<Vertex>()
        var stack = Array(start)
        while let v = stack.popLast() {
            for next in edges[v] ?? [] where out.insert(next).inserted { stack.append(next) }
        }
        return out
    }
}
