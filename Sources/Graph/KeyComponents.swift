import Foundation

/// The inputs of an instance's cache key: kind, version, resolved params (external paths replaced by their
/// content fingerprints), upstream output digests per port (with the upstream coordinates for gathered ports)
/// and the seed when the kind uses it. Nothing machine- or path-specific enters the key.
struct KeyComponents {
    let value: ParamValue
    let provenance: Provenance

    /// SHA-256 hex of the canonical JSON of `value`.
    var key: String { Hashing.sha256(value.canonicalJSON) }

    /// Assembles the components for `instance`.
    ///
    /// - Parameters:
    ///   - upstream: for each upstream instance index, its output digests by output name.
    ///   - fingerprint: content fingerprint of an absolute external path.
    static func make(_ instance: Instance, experiment: Experiment, upstream: (Int) -> [String: String]?,
                     fingerprint: (String) throws(GraphError) -> String) throws(GraphError) -> KeyComponents {
        var paths: [String: String] = [:]
        let base = ParamSet(values: instance.params, baseDirectory: experiment.directory)
        var params: [String: ParamValue] = [:]
        let specs = instance.kind.type.params
        for (name, value) in instance.params {
            let spec = specs.first { $0.name == name }
            params[name] = try replacePaths(value, type: spec?.type ?? .any, path: "params.\(name)", base: base, paths: &paths, fingerprint: fingerprint)
        }
        var inputs: [String: ParamValue] = [:]
        var inputNames: [String: [String]] = [:]
        for (port, sources) in instance.inputs {
            var list: [ParamValue] = []
            for s in sources {
                let up = experiment.instances[s.instance]
                guard let digest = upstream(s.instance)?[s.output] else {
                    throw GraphError.invariant("upstream \(up.id) of \(instance.id) has no digest for output '\(s.output)'")
                }
                list.append(.map(["coordinates": .map(up.coordinates), "digest": .string(digest)]))
            }
            inputs[port] = .list(list)
            inputNames[port] = sources.map { experiment.instances[$0.instance].id }
        }
        var value: [String: ParamValue] = [
            "kind": .string(instance.kind.name),
            "version": .int(instance.kind.type.version),
            "params": .map(params),
            "inputs": .map(inputs),
        ]
        if instance.kind.type.usesSeed { value["seed"] = .int(Int(instance.seed)) }
        return KeyComponents(value: .map(value),
                             provenance: Provenance(instance: instance.id, inputs: inputNames, paths: paths))
    }

    private static func replacePaths(_ value: ParamValue, type: ParamType, path: String, base: ParamSet,
                                     paths: inout [String: String], fingerprint: (String) throws(GraphError) -> String) throws(GraphError) -> ParamValue {
        guard type.containsPaths else { return value }
        switch (type, value) {
        case (.path, .string(let p)):
            paths[path] = p
            return .string(try fingerprint(base.resolve(p).path))
        case (.list(let element), .list(let items)):
            var out: [ParamValue] = []
            for (i, item) in items.enumerated() {
                out.append(try replacePaths(item, type: element, path: "\(path)[\(i)]", base: base, paths: &paths, fingerprint: fingerprint))
            }
            return .list(out)
        case (.record(let fields), .map(let m)):
            var out: [String: ParamValue] = [:]
            for (k, v) in m {
                let t = fields.first { $0.name == k }?.type ?? .any
                out[k] = try replacePaths(v, type: t, path: "\(path).\(k)", base: base, paths: &paths, fingerprint: fingerprint)
            }
            return .map(out)
        default:
            return value
        }
    }

    /// Why `new` differs from `old`, in the words `status` prints: "params.epochs 8→10", "upstream base changed",
    /// "finetune v2→v3", "external params.root changed (/data/x)", "seed 7→8".
    static func reasons(old: ParamValue, oldProvenance: Provenance, new: ParamValue, newProvenance: Provenance,
                        includeInputs: Bool = true) -> [String] {
        let o = old.mapValue ?? [:], n = new.mapValue ?? [:]
        var out: [String] = []
        let oldKind = o["kind"]?.stringValue ?? "?", newKind = n["kind"]?.stringValue ?? "?"
        if oldKind != newKind {
            out.append("kind \(oldKind)→\(newKind)")
            return out
        }
        if let ov = o["version"], let nv = n["version"], !ov.sameValue(as: nv) {
            out.append("\(newKind) v\(ov)→v\(nv)")
        }
        var oldFlat: [String: ParamValue] = [:], newFlat: [String: ParamValue] = [:]
        let pathKeys = Array(oldProvenance.paths.keys) + Array(newProvenance.paths.keys)
        flatten(o["params"] ?? .map([:]), prefix: "params", pathKeys: pathKeys, into: &oldFlat)
        flatten(n["params"] ?? .map([:]), prefix: "params", pathKeys: pathKeys, into: &newFlat)
        for name in Set(oldFlat.keys).union(newFlat.keys).sorted() {
            let a = oldFlat[name], b = newFlat[name]
            if let a, let b, a.sameValue(as: b) { continue }
            if newProvenance.paths[name] != nil || oldProvenance.paths[name] != nil {
                let shown = newProvenance.paths[name] ?? oldProvenance.paths[name] ?? ""
                if oldProvenance.paths[name] == newProvenance.paths[name] || oldProvenance.paths[name] == nil {
                    out.append("external \(name) changed (\(shown))")
                } else {
                    out.append("\(name) \(oldProvenance.paths[name]!)→\(shown)")
                }
                continue
            }
            out.append("\(name) \(a.map(\.description) ?? "(unset)")→\(b.map(\.description) ?? "(unset)")")
        }
        if o["seed"].map({ s in n["seed"].map { !s.sameValue(as: $0) } ?? true }) ?? (n["seed"] != nil) {
            out.append("seed \(o["seed"]?.description ?? "(unused)")→\(n["seed"]?.description ?? "(unused)")")
        }
        if includeInputs {
            let oi = o["inputs"]?.mapValue ?? [:], ni = n["inputs"]?.mapValue ?? [:]
            for port in Set(oi.keys).union(ni.keys).sorted() {
                let a = oi[port], b = ni[port]
                if let a, let b, a.sameValue(as: b) { continue }
                let oldNames = oldProvenance.inputs[port] ?? [], newNames = newProvenance.inputs[port] ?? []
                if a == nil { out.append("new input \(port)"); continue }
                if b == nil { out.append("input \(port) removed"); continue }
                if oldNames != newNames {
                    out.append("input \(port) now \(newNames.joined(separator: ", ")) (was \(oldNames.joined(separator: ", ")))")
                } else {
                    let oldList = a?.listValue ?? [], newList = b?.listValue ?? []
                    let changed = newNames.indices.filter { i in
                        i >= oldList.count || i >= newList.count || !oldList[i].sameValue(as: newList[i])
                    }.map { newNames[$0] }
                    let shown = changed.count == 1 ? changed : changed.map(Self.nodeName).uniqued()
                    out.append("upstream \(shown.joined(separator: ", ")) changed")
                }
            }
        }
        return out
    }

    static func nodeName(_ instance: String) -> String {
        instance.firstIndex(of: "[").map { String(instance[..<$0]) } ?? instance
    }

    /// Dotted names for nested values; lists are split into `name[i]` only where they hold external paths, so
    /// each changed file is named on its own.
    private static func flatten(_ value: ParamValue, prefix: String, pathKeys: [String], into out: inout [String: ParamValue]) {
        switch value {
        case .map(let m) where !m.isEmpty:
            for (k, v) in m { flatten(v, prefix: prefix + "." + k, pathKeys: pathKeys, into: &out) }
        case .list(let l) where pathKeys.contains(where: { $0.hasPrefix(prefix + "[") }):
            for (i, v) in l.enumerated() { flatten(v, prefix: "\(prefix)[\(i)]", pathKeys: pathKeys, into: &out) }
        default:
            out[prefix] = value
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
