import Foundation

/// Turns `--only`/`--force`/`show` arguments (node ids or instance ids) into instance indices.
enum Selection {
    static func resolve(_ names: [String], in experiment: Experiment) throws(GraphError) -> Set<Int> {
        var out = Set<Int>()
        for name in names {
            let byNode = experiment.instances(of: name)
            if !byNode.isEmpty { out.formUnion(byNode); continue }
            if let exact = experiment.instances.first(where: { $0.id == name || $0.id.replacingOccurrences(of: " ", with: "") == name.replacingOccurrences(of: " ", with: "") }) {
                out.insert(exact.index); continue
            }
            let partial = partialMatches(name, in: experiment)
            if !partial.isEmpty { out.formUnion(partial); continue }
            let candidates = experiment.nodeIDs + experiment.instances.map(\.id)
            throw GraphError.usage("no node or instance '\(name)' in \(experiment.name)\(Suggestion.hint(for: name, among: candidates))")
        }
        return out
    }

    /// `node[axis=value,…]` naming some of an instance's axes selects every instance of the node that has those
    /// values (`head[seed=8]` is the head of every freeze depth of seed 8).
    private static func partialMatches(_ name: String, in experiment: Experiment) -> [Int] {
        var ignored: [Diagnostic] = []
        let location = SourceLocation(file: "argument", line: 1, column: 1)
        guard name.contains("["), let r = InputReference.parse(name, at: location, diagnostics: &ignored),
              r.output == nil, !r.gathers, !r.fixed.isEmpty else { return [] }
        return experiment.instances(of: r.node).filter { i in
            r.fixed.allSatisfy { experiment.instances[i].coordinates[$0.key]?.sameValue(as: $0.value) ?? false }
        }
    }

    /// The given instances and everything upstream of them.
    static func withAncestors(_ set: Set<Int>, in experiment: Experiment) -> Set<Int> {
        experiment.instanceGraph.withAncestors(set)
    }

    /// The given instances and everything downstream of them.
    static func withDescendants(_ set: Set<Int>, in experiment: Experiment) -> Set<Int> {
        experiment.instanceGraph.withDescendants(set)
    }
}

extension Experiment {
    /// The instances as a graph: each instance's parents are the instances it reads.
    var instanceGraph: DAG<Int> {
        DAG(vertices: Array(instances.indices), parents: Dictionary(uniqueKeysWithValues: instances.map { ($0.index, $0.dependencies) }))
    }

    /// Instance indices of the named nodes/instances and everything upstream (`--only`).
    public func withAncestors(of names: [String]) throws(GraphError) -> Set<Int> {
        Selection.withAncestors(try Selection.resolve(names, in: self), in: self)
    }

    /// `withAncestors(of:)` for an `--only` list, or nil (every instance) when the list is empty.
    public func selection(only names: [String]) throws(GraphError) -> Set<Int>? {
        names.isEmpty ? nil : try withAncestors(of: names)
    }

    /// Instance indices of the named nodes/instances and everything downstream (`--force`).
    public func withDescendants(of names: [String]) throws(GraphError) -> Set<Int> {
        Selection.withDescendants(try Selection.resolve(names, in: self), in: self)
    }

    /// Instance indices of the named nodes/instances.
    public func select(_ names: [String]) throws(GraphError) -> Set<Int> {
        try Selection.resolve(names, in: self)
    }
}
