/// A node's own `matrix:`: its axes in file order and their combinations (first axis slowest).
struct Matrix {
    var axes: [String] = []
    /// One coordinate mapping per combination; a node without a matrix has the one empty combination.
    var combinations: [[String: ParamValue]] = [[:]]
}

/// Checks one node's `matrix:` (axes typed like the params they sweep, `exclude:` and `include:` entries).
struct MatrixReader: SpecChecking {
    var diagnostics: [Diagnostic] = []
    /// The node id, for messages.
    let id: String
    let kind: KindRef

    init(node id: String, kind: KindRef) {
        self.id = id
        self.kind = kind
    }

    mutating func read(_ node: SpecNode?) -> Matrix {
        guard let node else { return Matrix() }
        guard case .mapping(let pairs, let location) = node else {
            error(node.location, "node '\(id)': matrix: expected a mapping of axis to list of values, found \(node.shape)")
            return Matrix()
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
                guard let v = axisValue(item, spec: spec, axis: pair.key) else { continue }
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
                guard let partial = entryValues(entry, axes: axes, specs: specsByAxis, what: "exclude") else { continue }
                let before = combos.count
                combos.removeAll { c in partial.allSatisfy { c[$0.key]!.sameValue(as: $0.value) } }
                if combos.count == before { error(entry.location, "node '\(id)': bad matrix value: exclude entry matches no combination") }
            }
        } else if let e = node.child("exclude") {
            error(e.location, "node '\(id)': matrix.exclude: expected a list of axis mappings, found \(e.shape)")
        }
        if case .sequence(let entries, _)? = node.child("include") {
            for entry in entries {
                guard let full = entryValues(entry, axes: axes, specs: specsByAxis, what: "include") else { continue }
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
        return Matrix(axes: axes, combinations: combos)
    }

    /// One value of an axis: checked against the param it sweeps, or any scalar for an undeclared param.
    private mutating func axisValue(_ item: SpecNode, spec: ParamSpec?, axis: String) -> ParamValue? {
        if let spec {
            var checker = ParamChecker()
            let v = checker.value(item, as: spec.type, spec: spec, path: "matrix.\(axis)")
            diagnostics += checker.diagnostics.map { Diagnostic($0.location, "node '\(id)': bad matrix value: \($0.message)") }
            return v
        }
        guard case .scalar(let v, _) = item, v != .null else {
            error(item.location, "node '\(id)': bad matrix value: matrix.\(axis): expected a scalar, found \(item.shape)")
            return nil
        }
        return v
    }

    /// An `exclude:`/`include:` entry: a mapping of axis to value.
    private mutating func entryValues(_ entry: SpecNode, axes: [String], specs: [String: ParamSpec], what: String) -> [String: ParamValue]? {
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
            guard let v = axisValue(pair.value, spec: specs[pair.key], axis: pair.key) else { return nil }
            out[pair.key] = v
        }
        return out
    }
}
