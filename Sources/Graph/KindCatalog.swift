import Foundation

/// Documentation generated from node kinds' declarations (for the README's table of kinds and params).
public enum KindCatalog {
    /// A Markdown section per kind: summary, version, inputs, outputs and a params table.
    public static func markdown(_ kinds: [KindRef]) -> String {
        var out = ""
        for k in kinds.sorted(by: { $0.name < $1.name }) {
            let t = k.type
            out += "### `\(t.kind)` (v\(t.version))\n\n\(t.summary)\n\n"
            if !t.inputs.isEmpty {
                out += "Inputs: " + t.inputs.map { "`\($0.name)`\($0.gather ? " (gathers)" : "")\($0.optional ? " (optional)" : ""): \($0.doc)" }
                    .joined(separator: "; ") + "\n\n"
            } else if t.acceptsUndeclaredInputs {
                out += "Inputs: any port name (each gathers).\n\n"
            }
            out += "Outputs: " + t.outputs.map { "`\($0.name)`: \($0.doc)" }.joined(separator: "; ") + "\n\n"
            if !t.params.isEmpty {
                out += "| param | type | meaning |\n|---|---|---|\n"
                for p in t.params { out += "| `\(p.name)` | \(p.summary) | \(p.doc) |\n" }
                out += "\n"
            }
            if t.acceptsUndeclaredParams { out += "Any other param is accepted.\n\n" }
        }
        return out
    }
}
