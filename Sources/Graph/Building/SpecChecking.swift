/// A step of building an experiment that reads part of the YAML tree and reports what is wrong with it.
///
/// Each step is a fresh value whose `diagnostics` the builder takes when the step is done.
protocol SpecChecking {
    var diagnostics: [Diagnostic] { get set }
}

extension SpecChecking {
    mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    /// Reads a seed: a non-negative integer.
    mutating func seedValue(_ node: SpecNode, path: String) -> UInt64? {
        guard case .scalar(.int(let i), _) = node, i >= 0 else {
            error(node.location, "\(path): expected a non-negative integer, found \(node.shape)")
            return nil
        }
        return UInt64(i)
    }

    /// Reads a `resources:` mapping of fields (`cpus`, `mem`, `time`, `partition`, `gres`); keys naming one of
    /// `kinds` are skipped (the top level's per-kind defaults).
    mutating func resources(_ node: SpecNode, path: String, skipping kinds: [String: KindRef] = [:]) -> Resources {
        var result = Resources()
        guard case .mapping(let pairs, _) = node else {
            error(node.location, "\(path): expected a mapping of \(Resources.fields.joined(separator: ", ")), found \(node.shape)")
            return result
        }
        for pair in pairs where kinds[pair.key] == nil {
            guard case .scalar(let value, let location) = pair.value else {
                error(pair.value.location, "\(path).\(pair.key): expected a scalar, found \(pair.value.shape)")
                continue
            }
            if let problem = Resources.problem(field: pair.key, value: value) {
                let hint = Resources.fields.contains(pair.key) ? "" : Suggestion.hint(for: pair.key, among: Resources.fields + Array(kinds.keys))
                error(Resources.fields.contains(pair.key) ? location : pair.keyLocation, "\(path).\(pair.key): \(problem)\(hint)")
            } else {
                result.set(pair.key, value)
            }
        }
        return result
    }
}
