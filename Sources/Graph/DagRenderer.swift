import Foundation

/// Draws an experiment's instance graph as text, Mermaid or Graphviz dot.
public enum DagRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case text, mermaid, dot
    }

    public static func render(_ experiment: Experiment, format: Format) -> String {
        switch format {
        case .text: return text(experiment)
        case .mermaid: return mermaid(experiment)
        case .dot: return dot(experiment)
        }
    }

    /// One line per instance in run order: `id (kind) ← port: upstream, …`.
    static func text(_ e: Experiment) -> String {
        let replicates = e.replicateSeeds.isEmpty ? "" : ", replicates with seeds " + e.replicateSeeds.map(String.init).joined(separator: ", ")
        var lines = ["\(e.name): \(e.nodeIDs.count) nodes, \(e.instances.count) instances\(replicates)"]
        for inst in e.instances {
            var line = "\(inst.id) (\(inst.kind.name))"
            let ins = inst.inputs.map { port, sources in
                "\(port): " + sources.map { s in
                    let up = e.instances[s.instance]
                    return up.kind.type.outputs.first?.name == s.output ? up.id : "\(up.id).\(s.output)"
                }.joined(separator: ", ")
            }
            if !ins.isEmpty { line += " ← " + ins.joined(separator: "; ") }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func nodeID(_ index: Int) -> String { "n\(index)" }

    private static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\"", with: "'")
    }

    static func mermaid(_ e: Experiment) -> String {
        var lines = ["graph TD"]
        for inst in e.instances { lines.append("  \(nodeID(inst.index))[\"\(escaped(inst.id))<br/><i>\(inst.kind.name)</i>\"]") }
        for inst in e.instances {
            for (port, sources) in inst.inputs {
                for s in sources { lines.append("  \(nodeID(s.instance)) -->|\(port)| \(nodeID(inst.index))") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func dot(_ e: Experiment) -> String {
        var lines = ["digraph \"\(escaped(e.name))\" {", "  rankdir=TB;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for inst in e.instances { lines.append("  \(nodeID(inst.index)) [label=\"\(escaped(inst.id))\\n\(inst.kind.name)\"];") }
        for inst in e.instances {
            for (port, sources) in inst.inputs {
                for s in sources { lines.append("  \(nodeID(s.instance)) -> \(nodeID(inst.index)) [label=\"\(port)\"];") }
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
