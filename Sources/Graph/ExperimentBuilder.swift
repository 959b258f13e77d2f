import Foundation

/// Validates the located YAML tree of an experiment and expands its nodes into instances.
///
/// Every problem becomes a diagnostic; expansion only happens when the node-level checks passed.
struct ExperimentBuilder {
    struct Result {
        let name: String
        let seed: UInt64
        let replicateSeeds: [UInt64]
        let nodeIDs: [String]
        let nodeKinds: [String: KindRef]
        let nodeDependencies: [String: [String]]
        let nodeResources: [String: Resources]
        let instances: [Instance]
        let remotes: [String: String]
    }

    /// A node after its own checks, before expansion.
    private struct Draft {
        let id: String
        let location: SourceLocation
        let kind: KindRef?
        var params: [String: ParamValue]
        var ownAxes: [String]
        var combos: [[String: ParamValue]]
        var inputs: [(port: String, gather: Bool, refs: [InputReference])]
        var seed: UInt64?
        var resources = Resources()
    }

    static let topLevelKeys = ["palimpsest", "name", "seed", "seeds", "resources", "remotes", "nodes"]
    /// The coordinate that replicates carry (`head[blocks=0,seed=8]`).
    static let seedAxis = "seed"
    static let nodeKeys = ["kind", "params", "inputs", "matrix", "seed", "resources"]

    let label: String
    let kinds: [String: KindRef]
    var diagnostics: [Diagnostic] = []
    private var checker = ParamChecker()

    init(label: String, kinds: [KindRef]) {
        self.label = label
        for k in kinds {
            precondition(!k.type.outputs.isEmpty, "node kind \(k.name) declares no outputs")
            precondition(kinds.filter { $0.name == k.name }.count == 1, "node kind \(k.name) is registered twice")
        }
        self.kinds = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    private mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    mutating func build(_ root: SpecNode) -> Result? {
        guard case .mapping(let top, let rootLocation) = root else {
            error(root.location, "expected a mapping with palimpsest, name, seed and nodes; found \(root.shape)")
            return nil
        }
        let sharedNames = Set(kinds.values.flatMap { $0.type.params.compactMap(\.shared) })
        var shared: [String: SpecNode] = [:]
        for pair in top where !Self.topLevelKeys.contains(pair.key) {
            if sharedNames.contains(pair.key) {
                shared[pair.key] = pair.value
            } else {
                let allowed = Self.topLevelKeys + sharedNames.sorted()
                error(pair.keyLocation, "unknown top-level key '\(pair.key)'\(Suggestion.hint(for: pair.key, among: allowed)); expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        switch root.child("palimpsest") {
        case nil:
            error(rootLocation, "missing 'palimpsest: \(Experiment.schemaVersion)' (the schema version)")
        case .scalar(.int(Experiment.schemaVersion), _)?:
            break
        case let node?:
            error(node.location, "palimpsest: expected schema version \(Experiment.schemaVersion), found \(node.shape)")
        }
        var name = (label as NSString).lastPathComponent
        if let n = root.child("name") {
            if case .scalar(.string(let s), _) = n { name = s } else { error(n.location, "name: expected a string, found \(n.shape)") }
        }
        var replicateSeeds: [UInt64] = []
        if let s = root.child("seeds") { replicateSeeds = seedList(s) }
        if let s = root.child("seed"), root.child("seeds") != nil {
            error(s.location, "seed: set either 'seed: N' (one run) or 'seeds: [N, …]' (replicates), not both")
        }
        let seed = replicateSeeds.first ?? root.child("seed").flatMap { seedValue($0, path: "seed") } ?? 0
        let (defaultResources, kindResources) = resourceDefaults(root.child("resources"))
        let remotes = remoteNames(root.child("remotes"))

        guard case .mapping(let nodePairs, _)? = root.child("nodes") else {
            if let n = root.child("nodes") { error(n.location, "nodes: expected a mapping of node id to node, found \(n.shape)") }
            else { error(rootLocation, "missing 'nodes:' (a mapping of node id to node)") }
            return nil
        }
        var drafts: [Draft] = []
        for pair in nodePairs {
            if !Experiment.isValidIdentifier(pair.key) || pair.key == "*" {
                error(pair.keyLocation, "bad node id '\(pair.key)': expected letters, digits, '_' or '-', starting with a letter")
                continue
            }
            if let d = draft(id: pair.key, keyLocation: pair.keyLocation, node: pair.value, shared: shared) { drafts.append(d) }
        }
        diagnostics += checker.diagnostics
        checker.diagnostics = []
        if !replicateSeeds.isEmpty {
            for d in drafts where d.ownAxes.contains(Self.seedAxis) {
                error(d.location, "node '\(d.id)': matrix axis 'seed' is the replicate axis of 'seeds:'; set the node's 'seed:' or rename the axis")
            }
        }
        let ids = drafts.map(\.id)
        let dependencies = resolveReferences(&drafts, ids: ids)
        let order = topologicalOrder(drafts, dependencies: dependencies)
        guard diagnostics.isEmpty, let order else { return nil }
        let instances = expand(drafts, order: order, defaultSeed: seed, replicateSeeds: replicateSeeds)
        diagnostics += checker.diagnostics
        guard diagnostics.isEmpty else { return nil }
        var kindsByNode: [String: KindRef] = [:]
        var resourcesByNode: [String: Resources] = [:]
        for d in drafts {
            kindsByNode[d.id] = d.kind
            let kindDefaults = d.kind.flatMap { kindResources[$0.name] } ?? Resources()
            resourcesByNode[d.id] = d.resources.over(kindDefaults.over(defaultResources))
        }
        return Result(name: name, seed: seed, replicateSeeds: replicateSeeds, nodeIDs: ids, nodeKinds: kindsByNode,
                      nodeDependencies: dependencies, nodeResources: resourcesByNode, instances: instances, remotes: remotes)
    }

    private mutating func seedValue(_ node: SpecNode, path: String) -> UInt64? {
        guard case .scalar(.int(let i), _) = node, i >= 0 else {
            error(node.location, "\(path): expected a non-negative integer, found \(node.shape)")
            return nil
        }
        return UInt64(i)
    }

    /// Reads `seeds: [7, 8, 9]`: distinct non-negative integers, at least one.
    private mutating func seedList(_ node: SpecNode) -> [UInt64] {
        guard case .sequence(let items, let location) = node else {
            error(node.location, "seeds: expected a list of non-negative integers (one replicate per seed), found \(node.shape)")
            return []
        }
        if items.isEmpty { error(location, "seeds: expected at least one seed") }
        var out: [UInt64] = []
        for item in items {
            guard let s = seedValue(item, path: "seeds") else { continue }
            if out.contains(s) { error(item.location, "seeds: \(s) appears twice") } else { out.append(s) }
        }
        return out
    }

    // MARK: Scheduler resources

    /// Reads a `resources:` mapping of fields (`cpus`, `mem`, `time`, `partition`, `gres`).
    private mutating func resources(_ node: SpecNode, path: String, allowingKinds: Bool = false) -> Resources {
        var result = Resources()
        guard case .mapping(let pairs, _) = node else {
            error(node.location, "\(path): expected a mapping of \(Resources.fields.joined(separator: ", ")), found \(node.shape)")
            return result
        }
        for pair in pairs where !(allowingKinds && kinds[pair.key] != nil) {
            guard case .scalar(let value, let location) = pair.value else {
                error(pair.value.location, "\(path).\(pair.key): expected a scalar, found \(pair.value.shape)")
                continue
            }
            if let problem = Resources.problem(field: pair.key, value: value) {
                let hint = Resources.fields.contains(pair.key) ? "" : Suggestion.hint(for: pair.key, among: Resources.fields + (allowingKinds ? Array(kinds.keys) : []))
                error(Resources.fields.contains(pair.key) ? location : pair.keyLocation, "\(path).\(pair.key): \(problem)\(hint)")
            } else {
                result.set(pair.key, value)
            }
        }
        return result
    }

    /// The top-level `resources:`: defaults for every node, and per kind under the kind's name.
    /// Reads `remotes: {name: location}` (where `push`/`pull`/`run --pull` find a remote by name); not part of any key.
    private mutating func remoteNames(_ node: SpecNode?) -> [String: String] {
        guard let node else { return [:] }
        guard case .mapping(let pairs, _) = node else {
            error(node.location, "remotes: expected a mapping of remote name to a directory or URL, found \(node.shape)")
            return [:]
        }
        var out: [String: String] = [:]
        for pair in pairs {
            if !Experiment.isValidIdentifier(pair.key) {
                error(pair.keyLocation, "remotes: bad name '\(pair.key)': expected letters, digits, '_' or '-', starting with a letter")
            } else if case .scalar(.string(let location), _) = pair.value, !location.isEmpty {
                out[pair.key] = location
            } else {
                error(pair.value.location, "remotes.\(pair.key): expected a directory, file://, http(s):// URL or .tar archive, found \(pair.value.shape)")
            }
        }
        return out
    }

    private mutating func resourceDefaults(_ node: SpecNode?) -> (Resources, [String: Resources]) {
        guard let node else { return (Resources(), [:]) }
        let all = resources(node, path: "resources", allowingKinds: true)
        var perKind: [String: Resources] = [:]
        if case .mapping(let pairs, _) = node {
            for pair in pairs where kinds[pair.key] != nil {
                perKind[pair.key] = resources(pair.value, path: "resources.\(pair.key)")
            }
        }
        return (all, perKind)
    }

    // MARK: One node

    private mutating func draft(id: String, keyLocation: SourceLocation, node: SpecNode, shared: [String: SpecNode]) -> Draft? {
        guard case .mapping(let pairs, let location) = node else {
            error(node.location, "node '\(id)': expected a mapping with kind, params, inputs, matrix; found \(node.shape)")
            return nil
        }
        for pair in pairs where !Self.nodeKeys.contains(pair.key) {
            error(pair.keyLocation, "node '\(id)': unknown key '\(pair.key)'\(Suggestion.hint(for: pair.key, among: Self.nodeKeys)); expected one of: \(Self.nodeKeys.joined(separator: ", "))")
        }
        var kind: KindRef?
        switch node.child("kind") {
        case nil:
            error(location, "node '\(id)': missing 'kind:'; known kinds: \(kinds.keys.sorted().joined(separator: ", "))")
        case .scalar(.string(let k), let l)?:
            kind = kinds[k]
            if kind == nil {
                error(l, "node '\(id)': unknown kind '\(k)'\(Suggestion.hint(for: k, among: Array(kinds.keys))); known kinds: \(kinds.keys.sorted().joined(separator: ", "))")
            }
        case let k?:
            error(k.location, "node '\(id)': kind: expected a kind name, found \(k.shape)")
        }
        var draft = Draft(id: id, location: keyLocation, kind: kind, params: [:], ownAxes: [], combos: [[:]], inputs: [], seed: nil)
        if let s = node.child("seed") { draft.seed = seedValue(s, path: "\(id).seed") }
        if let r = node.child("resources") { draft.resources = resources(r, path: "node '\(id)': resources") }
        draft.inputs = inputs(node.child("inputs"), node: id, kind: kind, at: location)
        guard let kind else { return draft }
        let specs = kind.type.params
        let (axes, combos) = matrix(node.child("matrix"), node: id, kind: kind)
        draft.ownAxes = axes
        draft.combos = combos
        var paramPairs: [(key: String, keyLocation: SourceLocation, value: SpecNode)] = []
        var paramsLocation = location
        switch node.child("params") {
        case nil: break
        case .mapping(let p, let l)?: paramPairs = p; paramsLocation = l
        case let p?: error(p.location, "node '\(id)': params: expected a mapping, found \(p.shape)")
        }
        for pair in paramPairs where axes.contains(pair.key) {
            error(pair.keyLocation, "node '\(id)': '\(pair.key)' is set in both params and matrix")
        }
        paramPairs.removeAll { axes.contains($0.key) }
        for spec in specs {
            guard let sharedName = spec.shared, let block = shared[sharedName], case .mapping(let sharedPairs, _) = block else { continue }
            if let i = paramPairs.firstIndex(where: { $0.key == spec.name }) {
                if case .mapping(let own, let l) = paramPairs[i].value {
                    let merged = sharedPairs.filter { s in !own.contains { $0.key == s.key } } + own
                    paramPairs[i].value = .mapping(merged, l)
                }
            } else if !axes.contains(spec.name) {
                paramPairs.append((spec.name, block.location, block))
            }
        }
        let fields = specs.filter { !axes.contains($0.name) }
        checker.diagnostics = []
        let checked = checker.record(paramPairs, at: paramsLocation, fields: fields, path: "", open: kind.type.acceptsUndeclaredParams)
        diagnostics += checker.diagnostics.map { Diagnostic($0.location, "node '\(id)': \($0.message)") }
        checker.diagnostics = []
        draft.params = checked?.mapValue ?? [:]
        return draft
    }

    /// Checks a node's `matrix:` and returns its axes (file order) and combinations (first axis slowest).
    private mutating func matrix(_ node: SpecNode?, node id: String, kind: KindRef) -> ([String], [[String: ParamValue]]) {
        guard let node else { return ([], [[:]]) }
        guard case .mapping(let pairs, let location) = node else {
            error(node.location, "node '\(id)': matrix: expected a mapping of axis to list of values, found \(node.shape)")
            return ([], [[:]])
        }
        var axes: [String] = []
        var values: [String: [ParamValue]] = [:]
        var specsByAxis: [String: ParamSpec] = [:]
        let specs = kind.type.params
        for pair in pairs where pair.key != "exclude" && pair.key != "include" {
            let spec = specs.first { $0.name == pair.key }
            if spec == nil && !kind.type.acceptsUndeclaredParams {
                error(pair.keyLocation, "node '\(id)': unknown param '\(pair.key)' in matrix\(Suggestion.hint(for: pair.key, among: specs.map(\.name))); \(kind.name) params: \(specs.map(\.name).joined(separator: ", "))")
                continue
            }
            specsByAxis[pair.key] = spec
            let items: [SpecNode]
            if case .sequence(let s, _) = pair.value { items = s } else { items = [pair.value] }
            if items.isEmpty { error(pair.value.location, "node '\(id)': bad matrix value: axis '\(pair.key)' has no values") }
            var list: [ParamValue] = []
            for item in items {
                guard let v = axisValue(item, spec: spec, node: id, axis: pair.key) else { continue }
                if list.contains(where: { $0.sameValue(as: v) }) {
                    error(item.location, "node '\(id)': bad matrix value: \(pair.key)=\(v) appears twice")
                } else { list.append(v) }
            }
            axes.append(pair.key)
            values[pair.key] = list
        }
        var combos: [[String: ParamValue]] = [[:]]
        for axis in axes {
            combos = combos.flatMap { c in values[axis]!.map { v in c.merging([axis: v]) { a, _ in a } } }
        }
        if case .sequence(let entries, _)? = node.child("exclude") {
            for entry in entries {
                guard let partial = matrixEntry(entry, axes: axes, specs: specsByAxis, node: id, what: "exclude") else { continue }
                let before = combos.count
                combos.removeAll { c in partial.allSatisfy { c[$0.key]!.sameValue(as: $0.value) } }
                if combos.count == before { error(entry.location, "node '\(id)': bad matrix value: exclude entry matches no combination") }
            }
        } else if let e = node.child("exclude") {
            error(e.location, "node '\(id)': matrix.exclude: expected a list of axis mappings, found \(e.shape)")
        }
        if case .sequence(let entries, _)? = node.child("include") {
            for entry in entries {
                guard let full = matrixEntry(entry, axes: axes, specs: specsByAxis, node: id, what: "include") else { continue }
                if full.count != axes.count {
                    error(entry.location, "node '\(id)': bad matrix value: include entry must set every axis (\(axes.joined(separator: ", ")))")
                } else if !combos.contains(where: { c in full.allSatisfy { c[$0.key]!.sameValue(as: $0.value) } }) {
                    combos.append(full)
                }
            }
        } else if let i = node.child("include") {
            error(i.location, "node '\(id)': matrix.include: expected a list of axis mappings, found \(i.shape)")
        }
        if combos.isEmpty && !values.values.contains(where: \.isEmpty) {
            error(location, "node '\(id)': the matrix has no combinations left")
        }
        return (axes, combos)
    }

    private mutating func axisValue(_ item: SpecNode, spec: ParamSpec?, node id: String, axis: String) -> ParamValue? {
        if let spec {
            checker.diagnostics = []
            let v = checker.value(item, as: spec.type, spec: spec, path: "matrix.\(axis)")
            diagnostics += checker.diagnostics.map { Diagnostic($0.location, "node '\(id)': bad matrix value: \($0.message)") }
            checker.diagnostics = []
            return v
        }
        guard case .scalar(let v, _) = item, v != .null else {
            error(item.location, "node '\(id)': bad matrix value: matrix.\(axis): expected a scalar, found \(item.shape)")
            return nil
        }
        return v
    }

    private mutating func matrixEntry(_ entry: SpecNode, axes: [String], specs: [String: ParamSpec], node id: String, what: String) -> [String: ParamValue]? {
        guard case .mapping(let pairs, _) = entry else {
            error(entry.location, "node '\(id)': matrix.\(what): expected a mapping of axis to value, found \(entry.shape)")
            return nil
        }
        var out: [String: ParamValue] = [:]
        for pair in pairs {
            guard axes.contains(pair.key) else {
                error(pair.keyLocation, "node '\(id)': matrix.\(what): unknown axis '\(pair.key)'\(Suggestion.hint(for: pair.key, among: axes)); axes: \(axes.joined(separator: ", "))")
                return nil
            }
            guard let v = axisValue(pair.value, spec: specs[pair.key], node: id, axis: pair.key) else { return nil }
            out[pair.key] = v
        }
        return out
    }

    private mutating func inputs(_ node: SpecNode?, node id: String, kind: KindRef?, at location: SourceLocation) -> [(port: String, gather: Bool, refs: [InputReference])] {
        var out: [(port: String, gather: Bool, refs: [InputReference])] = []
        var pairs: [(key: String, keyLocation: SourceLocation, value: SpecNode)] = []
        switch node {
        case nil: break
        case .mapping(let p, _)?: pairs = p
        case let n?: error(n.location, "node '\(id)': inputs: expected a mapping of port to node reference, found \(n.shape)")
        }
        let ports = kind?.type.inputs ?? []
        for pair in pairs {
            let port = ports.first { $0.name == pair.key }
            if port == nil, let kind, !kind.type.acceptsUndeclaredInputs {
                error(pair.keyLocation, "node '\(id)': unknown input port '\(pair.key)'\(Suggestion.hint(for: pair.key, among: ports.map(\.name))); \(kind.name) inputs: \(ports.map(\.name).joined(separator: ", "))")
                continue
            }
            if !Experiment.isValidIdentifier(pair.key) {
                error(pair.keyLocation, "node '\(id)': bad port name '\(pair.key)'")
                continue
            }
            let gather = port?.gather ?? true
            var items: [SpecNode] = []
            if case .sequence(let s, let l) = pair.value {
                if !gather { error(l, "node '\(id)': input '\(pair.key)' takes one reference, found a list") }
                items = s
            } else { items = [pair.value] }
            var refs: [InputReference] = []
            for item in items {
                guard case .scalar(.string(let text), let l) = item else {
                    error(item.location, "node '\(id)': input '\(pair.key)': expected a node reference string, found \(item.shape)")
                    continue
                }
                if let r = InputReference.parse(text, at: l, diagnostics: &diagnostics) {
                    if r.gathers && !gather {
                        error(l, "node '\(id)': input '\(pair.key)' takes one instance; '\(text)' gathers several (use a gathering port or select one with node[axis=value])")
                    }
                    refs.append(r)
                }
            }
            out.append((pair.key, gather, refs))
        }
        for port in ports where !port.optional && !pairs.contains(where: { $0.key == port.name }) {
            error(location, "node '\(id)': missing input '\(port.name)' (\(port.doc))")
        }
        return out.sorted { $0.port < $1.port }
    }

    // MARK: References and order

    /// Checks that references name existing nodes and outputs; returns each node's upstream node ids.
    private mutating func resolveReferences(_ drafts: inout [Draft], ids: [String]) -> [String: [String]] {
        let byID = Dictionary(drafts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var deps: [String: [String]] = [:]
        for d in drafts {
            var list: [String] = []
            for input in d.inputs {
                for r in input.refs where r.node != "*" {
                    guard let upstream = byID[r.node] else {
                        error(r.location, "node '\(d.id)': input '\(input.port)' refers to unknown node '\(r.node)'\(Suggestion.hint(for: r.node, among: ids))")
                        continue
                    }
                    if let output = r.output, let kind = upstream.kind {
                        let names = kind.type.outputs.map(\.name)
                        if !names.contains(output) {
                            error(r.location, "node '\(d.id)': node '\(r.node)' (\(kind.name)) has no output '\(output)'\(Suggestion.hint(for: output, among: names)); outputs: \(names.joined(separator: ", "))")
                        }
                    }
                    if !list.contains(r.node) { list.append(r.node) }
                }
            }
            deps[d.id] = list
        }
        // `*` reads every node that does not (transitively) read this one.
        for i in drafts.indices {
            guard drafts[i].inputs.contains(where: { $0.refs.contains { $0.node == "*" } }) else { continue }
            let id = drafts[i].id
            let downstream = Self.downstream(of: id, deps: deps)
            let all = ids.filter { $0 != id && !downstream.contains($0) }
            for j in drafts[i].inputs.indices {
                drafts[i].inputs[j].refs = drafts[i].inputs[j].refs.flatMap { r -> [InputReference] in
                    guard r.node == "*" else { return [r] }
                    return all.map { InputReference(node: $0, output: nil, fixed: [:], gathered: [], gatherAll: true, text: r.text, location: r.location) }
                }
            }
            deps[id] = (deps[id] ?? []) + all.filter { !(deps[id] ?? []).contains($0) }
        }
        return deps
    }

    private static func downstream(of id: String, deps: [String: [String]]) -> Set<String> {
        var out: Set<String> = []
        var changed = true
        while changed {
            changed = false
            for (node, ups) in deps where !out.contains(node) && ups.contains(where: { $0 == id || out.contains($0) }) {
                out.insert(node)
                changed = true
            }
        }
        return out
    }

    /// Kahn's order with file order as tie-break; on a cycle, reports it and returns nil.
    private mutating func topologicalOrder(_ drafts: [Draft], dependencies: [String: [String]]) -> [Int]? {
        let index = Dictionary(uniqueKeysWithValues: drafts.enumerated().map { ($1.id, $0) })
        var remaining = drafts.map { Set(dependencies[$0.id] ?? []) }
        var done = Set<String>()
        var order: [Int] = []
        while order.count < drafts.count {
            guard let next = drafts.indices.first(where: { !done.contains(drafts[$0].id) && remaining[$0].isEmpty }) else {
                reportCycle(drafts, dependencies: dependencies, done: done, index: index)
                return nil
            }
            order.append(next)
            done.insert(drafts[next].id)
            for i in remaining.indices { remaining[i].remove(drafts[next].id) }
        }
        return order
    }

    private mutating func reportCycle(_ drafts: [Draft], dependencies: [String: [String]], done: Set<String>, index: [String: Int]) {
        guard let start = drafts.first(where: { !done.contains($0.id) })?.id else { return }
        var path = [start]
        var current = start
        while true {
            guard let next = (dependencies[current] ?? []).first(where: { !done.contains($0) }) else { return }
            if let at = path.firstIndex(of: next) {
                let cycle = Array(path[at...]) + [next]
                let reader = cycle[0]
                let read = cycle[1]
                let location = drafts[index[reader]!].inputs.flatMap(\.refs).first { $0.node == read }?.location ?? drafts[index[reader]!].location
                let shown = cycle.reversed().joined(separator: " → ")
                error(location, "cycle in the graph: \(shown) (each node reads the one before it)")
                return
            }
            path.append(next)
            current = next
        }
    }

    // MARK: Expansion

    /// Expands nodes into instances in `order`.
    ///
    /// With replicates, a node whose kind uses the seed, that has no `seed:` of its own and that neither inherits
    /// the `seed` axis nor consumes it (`x[seed=*]`, `x[seed=8]`, `x[*]`, `*`) gets `seed` as an axis of its own;
    /// downstream nodes inherit it like any other axis, so unseeded nodes that read only unseeded ones stay shared.
    private mutating func expand(_ drafts: [Draft], order: [Int], defaultSeed: UInt64, replicateSeeds: [UInt64]) -> [Instance] {
        var instances: [Instance] = []
        var byNode: [String: [Int]] = [:]
        for n in order {
            let d = drafts[n]
            guard let kind = d.kind else { continue }
            var combos = d.combos
            var resolved: [(port: String, refs: [(ref: InputReference, free: [String], upstream: [Int])])] = []
            var ok = true
            var consumesSeed = false
            for input in d.inputs {
                var refs: [(ref: InputReference, free: [String], upstream: [Int])] = []
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
                    refs.append((r, free, matching))
                }
                resolved.append((input.port, refs))
            }
            guard ok else { continue }
            let replicated = !replicateSeeds.isEmpty && kind.type.usesSeed && d.seed == nil && !consumesSeed
                && !combos.contains { $0[Self.seedAxis] != nil }
            if replicated { combos = Self.join(combos, replicateSeeds.map { [Self.seedAxis: .int(Int($0))] }) }
            if combos.isEmpty {
                error(d.location, "node '\(d.id)': no instances: its matrix and its inputs' instances have no combination in common")
                continue
            }
            var reported = Set<String>()
            var ids: [Int] = []
            for combo in combos {
                var params = d.params
                for axis in d.ownAxes { params[axis] = combo[axis] }
                for message in kind.type.validate(params) where reported.insert(message).inserted {
                    error(d.location, "node '\(d.id)': \(message)")
                }
                var inputs: [(port: String, sources: [InputSource])] = []
                for (port, refs) in resolved {
                    var sources: [InputSource] = []
                    for (r, free, ups) in refs {
                        let output = r.output ?? instances[ups[0]].kind.type.outputs[0].name
                        let matching = ups.filter { u in free.allSatisfy { instances[u].coordinates[$0]!.sameValue(as: combo[$0]!) } }
                        let ordered = matching.sorted { Self.coordinatesPrecede(instances[$0].coordinates, instances[$1].coordinates) }
                        sources += ordered.map { InputSource(instance: $0, output: output) }
                    }
                    inputs.append((port, sources))
                }
                let index = instances.count
                let replicateSeed = replicateSeeds.isEmpty ? nil : combo[Self.seedAxis]?.intValue.map(UInt64.init)
                instances.append(Instance(index: index, id: Instance.makeID(node: d.id, coordinates: combo), node: d.id, kind: kind,
                                          coordinates: combo, params: params, inputs: inputs,
                                          seed: d.seed ?? replicateSeed ?? defaultSeed, location: d.location))
                ids.append(index)
            }
            byNode[d.id] = ids
        }
        return instances
    }

    /// Coordinate order: axes by name, numbers numerically, strings lexicographically (independent of the order
    /// values are listed in the file, so reordering a sweep does not change what a gather sees).
    static func coordinatesPrecede(_ a: [String: ParamValue], _ b: [String: ParamValue]) -> Bool {
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
