/// Checks that inputs name existing nodes and outputs, and replaces `*` by every node that does not
/// (transitively) read the reader.
struct ReferenceResolver: SpecChecking {
    var diagnostics: [Diagnostic] = []

    /// Resolves the references of `drafts` in place; returns the node graph (each node's upstream node ids).
    mutating func resolve(_ drafts: inout [NodeDraft]) -> DAG<String> {
        let ids = drafts.map(\.id)
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
        for i in drafts.indices {
            guard drafts[i].inputs.contains(where: { $0.refs.contains { $0.node == "*" } }) else { continue }
            let id = drafts[i].id
            let downstream = DAG(vertices: ids, parents: deps).descendants(of: id)
            let all = ids.filter { $0 != id && !downstream.contains($0) }
            for j in drafts[i].inputs.indices {
                drafts[i].inputs[j].refs = drafts[i].inputs[j].refs.flatMap { r -> [InputReference] in
                    guard r.node == "*" else { return [r] }
                    return all.map { InputReference(node: $0, output: nil, fixed: [:], gathered: [], gatherAll: true, text: r.text, location: r.location) }
                }
            }
            deps[id] = (deps[id] ?? []) + all.filter { !(deps[id] ?? []).contains($0) }
        }
        return DAG(vertices: ids, parents: deps)
    }
}
