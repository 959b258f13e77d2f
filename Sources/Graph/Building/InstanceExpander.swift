/// Expands checked, resolved nodes into instances, in the nodes' topological order.
///
/// With replicates, a node whose kind uses the seed, that has no `seed:` of its own and that neither inherits
/// the `seed` axis nor consumes it (`x[seed=*]`, `x[seed=8]`, `x[*]`, `*`) gets `seed` as an axis of its own;
/// downstream nodes inherit it like any other axis, so unseeded nodes that read only unseeded ones stay shared.
struct InstanceExpander: SpecChecking {
    /// The coordinate that replicates carry (`head[blocks=0,seed=8]`).
    static let seedAxis = "seed"

    /// The seed of seeded instances without a replicate coordinate or a seed of their own.
    let defaultSeed: UInt64
    /// The seeds of `seeds:`; empty without replicates.
    let replicateSeeds: [UInt64]
    var diagnostics: [Diagnostic] = []
    private(set) var instances: [Instance] = []
    /// Instance indices of each expanded node.
    private var byNode: [String: [Int]] = [:]

    init(defaultSeed: UInt64, replicateSeeds: [UInt64]) {
        self.defaultSeed = defaultSeed
        self.replicateSeeds = replicateSeeds
    }

    /// One reference of an input, matched against the instances of the node it names.
    private struct MatchedReference {
        let ref: InputReference
        /// The upstream axes the reader inherits (neither fixed nor gathered by the reference).
        let free: [String]
        /// Upstream instances that agree with the reference's fixed values.
        let upstream: [Int]
    }

    private struct MatchedInput {
        let port: String
        let refs: [MatchedReference]
    }

    /// Expands the nodes in `order` (draft ids, upstream first); returns every instance, in that order.
    mutating func expand(_ drafts: [NodeDraft], order: [String]) -> [Instance] {
        let byID = Dictionary(drafts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for id in order { if let d = byID[id] { expand(d) } }
        return instances
    }

    private mutating func expand(_ d: NodeDraft) {
        guard let kind = d.kind else { return }
        var combos = d.matrix.combinations
        var matched: [MatchedInput] = []
        var ok = true
        var consumesSeed = false
        for input in d.inputs {
            var refs: [MatchedReference] = []
            for r in input.refs {
                let ups = byNode[r.node] ?? []
                let upAxes = ups.first.map { Array(instances[$0].coordinates.keys).sorted() } ?? []
                for axis in Array(r.fixed.keys) + Array(r.gathered) where !upAxes.contains(axis) {
                    error(r.location, "node '\(d.id)': bad matrix value: node '\(r.node)' has no axis '\(axis)'\(Suggestion.hint(for: axis, among: upAxes))\(upAxes.isEmpty ? " (it is not a matrix node)" : "; axes: " + upAxes.joined(separator: ", "))")
                    ok = false
                }
                for (axis, value) in r.fixed where upAxes.contains(axis) {
                    let known = Self.unique(ups.map { instances[$0].coordinates[axis]! })
                    if !known.contains(where: { $0.sameValue(as: value) }) {
                        error(r.location, "node '\(d.id)': bad matrix value: \(r.node) has \(axis) \(known.map(\.description).joined(separator: ", ")); not \(value)")
                        ok = false
                    }
                }
                let matching = ups.filter { u in r.fixed.allSatisfy { instances[u].coordinates[$0.key]?.sameValue(as: $0.value) ?? false } }
                let free = r.gatherAll ? [] : upAxes.filter { r.fixed[$0] == nil && !r.gathered.contains($0) }
                if upAxes.contains(Self.seedAxis) && !free.contains(Self.seedAxis) { consumesSeed = true }
                let projections = Self.uniqueCoordinates(matching.map { u in instances[u].coordinates.filter { free.contains($0.key) } })
                combos = Self.join(combos, projections)
                refs.append(MatchedReference(ref: r, free: free, upstream: matching))
            }
            matched.append(MatchedInput(port: input.port, refs: refs))
        }
        guard ok else { return }
        let replicated = !replicateSeeds.isEmpty && kind.type.usesSeed && d.seed == nil && !consumesSeed
            && !combos.contains { $0[Self.seedAxis] != nil }
        if replicated { combos = Self.join(combos, replicateSeeds.map { [Self.seedAxis: .int(Int($0))] }) }
        if combos.isEmpty {
            error(d.location, "node '\(d.id)': no instances: its matrix and its inputs' instances have no combination in common")
            return
        }
        var reported = Set<String>()
        var ids: [Int] = []
        for combo in combos {
            var params = d.params
            for axis in d.matrix.axes { params[axis] = combo[axis] }
            for message in kind.type.validate(params) where reported.insert(message).inserted {
                error(d.location, "node '\(d.id)': \(message)")
            }
            let inputs = matched.map { (port: $0.port, sources: $0.refs.flatMap { sources(of: $0, at: combo) }) }
            let index = instances.count
            let replicateSeed = replicateSeeds.isEmpty ? nil : combo[Self.seedAxis]?.intValue.map(UInt64.init)
            instances.append(Instance(index: index, id: Instance.makeID(node: d.id, coordinates: combo), node: d.id, kind: kind,
                                      coordinates: combo, params: params, inputs: inputs,
                                      seed: d.seed ?? replicateSeed ?? defaultSeed, location: d.location))
            ids.append(index)
        }
        byNode[d.id] = ids
    }

    /// The upstream instances a reference feeds to the combination `combo`, in coordinate order.
    private func sources(of m: MatchedReference, at combo: [String: ParamValue]) -> [InputSource] {
        let output = m.ref.output ?? instances[m.upstream[0]].kind.type.outputs[0].name
        let matching = m.upstream.filter { u in m.free.allSatisfy { instances[u].coordinates[$0]!.sameValue(as: combo[$0]!) } }
        let ordered = matching.sorted { Self.coordinatesPrecede(instances[$0].coordinates, instances[$1].coordinates) }
        return ordered.map { InputSource(instance: $0, output: output) }
    }

    /// Coordinate order: axes by name, numbers numerically, strings lexicographically (independent of the order
    /// values are listed in the file, so reordering a sweep does not change what a gather sees).
    private static func coordinatesPrecede(_ a: [String: ParamValue], _ b: [String: ParamValue]) -> Bool {
        for axis in Set(a.keys).union(b.keys).sorted() {
            let x = a[axis] ?? .null, y = b[axis] ?? .null
            if x.sameValue(as: y) { continue }
            if let p = x.number, let q = y.number { return p < q }
            if x.number != nil { return true }
            if y.number != nil { return false }
            return x.description < y.description
        }
        return false
    }

    private static func unique(_ values: [ParamValue]) -> [ParamValue] {
        var out: [ParamValue] = []
        for v in values where !out.contains(where: { $0.sameValue(as: v) }) { out.append(v) }
        return out
    }

    private static func uniqueCoordinates(_ list: [[String: ParamValue]]) -> [[String: ParamValue]] {
        var seen = Set<String>()
        return list.filter { seen.insert(ParamValue.map($0).canonicalJSON).inserted }
    }

    /// Natural join of coordinate sets: shared axes must agree, the others combine.
    private static func join(_ a: [[String: ParamValue]], _ b: [[String: ParamValue]]) -> [[String: ParamValue]] {
        var out: [[String: ParamValue]] = []
        for x in a {
            for y in b where y.allSatisfy({ pair in x[pair.key].map { $0.sameValue(as: pair.value) } ?? true }) {
                out.append(x.merging(y) { l, _ in l })
            }
        }
        return out
    }
}
