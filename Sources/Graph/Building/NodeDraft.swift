/// A node after its own checks, before its references are resolved and it is expanded into instances.
struct NodeDraft {
    let id: String
    /// Where the node's id stands in the file.
    let location: SourceLocation
    /// Nil when the kind is missing or unknown (already reported).
    let kind: KindRef?
    /// Checked params with defaults filled in and shared blocks merged; the matrix axes are not among them.
    var params: [String: ParamValue] = [:]
    var matrix = Matrix()
    /// Input ports sorted by name.
    var inputs: [DraftInput] = []
    /// The node's own `seed:`.
    var seed: UInt64?
    /// The node's own `resources:`.
    var resources = Resources()
}

/// One input port of a node as written: its references, and whether the port gathers several instances.
struct DraftInput {
    let port: String
    let gather: Bool
    var refs: [InputReference]
}

/// Checks one entry of `nodes:`: its keys, kind, seed, resources, inputs, matrix and params.
struct NodeDraftReader: SpecChecking {
    static let nodeKeys = ["kind", "params", "inputs", "matrix", "seed", "resources"]

    let kinds: [String: KindRef]
    /// Top-level blocks that params declaring `shared:` take their defaults from, by name.
    let shared: [String: SpecNode]
    var diagnostics: [Diagnostic] = []

    init(kinds: [String: KindRef], shared: [String: SpecNode]) {
        self.kinds = kinds
        self.shared = shared
    }

    mutating func read(id: String, keyLocation: SourceLocation, node: SpecNode) -> NodeDraft? {
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
        var draft = NodeDraft(id: id, location: keyLocation, kind: kind)
        if let s = node.child("seed") { draft.seed = seedValue(s, path: "\(id).seed") }
        if let r = node.child("resources") { draft.resources = resources(r, path: "node '\(id)': resources") }
        draft.inputs = inputs(node.child("inputs"), node: id, kind: kind, at: location)
        guard let kind else { return draft }
        var matrixReader = MatrixReader(node: id, kind: kind)
        draft.matrix = matrixReader.read(node.child("matrix"))
        diagnostics += matrixReader.diagnostics
        draft.params = params(node.child("params"), node: id, kind: kind, axes: draft.matrix.axes, at: location)
        return draft
    }

    /// Checks `params:` against the kind's specs (the matrix axes excluded), with shared top-level blocks merged in.
    private mutating func params(_ node: SpecNode?, node id: String, kind: KindRef, axes: [String], at location: SourceLocation) -> [String: ParamValue] {
        let specs = kind.type.params
        var paramPairs: [(key: String, keyLocation: SourceLocation, value: SpecNode)] = []
        var paramsLocation = location
        switch node {
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
        var checker = ParamChecker()
        let checked = checker.record(paramPairs, at: paramsLocation, fields: fields, path: "", open: kind.type.acceptsUndeclaredParams)
        diagnostics += checker.diagnostics.map { Diagnostic($0.location, "node '\(id)': \($0.message)") }
        return checked?.mapValue ?? [:]
    }

    /// Checks `inputs:`: known ports, one reference where a port takes one, every required port present.
    private mutating func inputs(_ node: SpecNode?, node id: String, kind: KindRef?, at location: SourceLocation) -> [DraftInput] {
        var out: [DraftInput] = []
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
            out.append(DraftInput(port: pair.key, gather: gather, refs: refs))
        }
        for port in ports where !port.optional && !pairs.contains(where: { $0.key == port.name }) {
            error(location, "node '\(id)': missing input '\(port.name)' (\(port.doc))")
        }
        return out.sorted { $0.port < $1.port }
    }
}
