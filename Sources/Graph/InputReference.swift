import Foundation

/// A reference to upstream outputs as written in `inputs:`: `node`, `node.output`, `node[axis=value]`,
/// `node[axis=*]` (gather along one axis), `node[*]` (gather all instances), or `*` (every other node).
public struct InputReference: Sendable, CustomStringConvertible {
    /// The node id, or `*` for every other node of the experiment.
    public let node: String
    /// A named output, or nil for the node kind's first output.
    public let output: String?
    /// Fixed axis values; selected instances must have them.
    public let fixed: [String: ParamValue]
    /// Axes gathered into a list rather than expanded.
    public let gathered: Set<String>
    /// `[*]`: every axis is gathered.
    public let gatherAll: Bool
    public let text: String
    public let location: SourceLocation

    public var description: String { text }

    /// True when the reference can yield several instances for one downstream instance.
    var gathers: Bool { gatherAll || !gathered.isEmpty || node == "*" }

    /// Parses the reference syntax; `nil` plus a diagnostic when malformed.
    static func parse(_ text: String, at location: SourceLocation, diagnostics: inout [Diagnostic]) -> InputReference? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> InputReference? {
            diagnostics.append(Diagnostic(location,
                "bad input reference '\(text)': \(why); expected node, node.output, node[axis=value], node[axis=*] or node[*]"))
            return nil
        }
        if trimmed == "*" {
            return InputReference(node: "*", output: nil, fixed: [:], gathered: [], gatherAll: true, text: text, location: location)
        }
        var head = Substring(trimmed)
        var selectorText: Substring?
        if let open = trimmed.firstIndex(of: "[") {
            guard trimmed.hasSuffix("]") else { return bad("missing ']'") }
            head = trimmed[..<open]
            selectorText = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        }
        let parts = head.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy(Experiment.isValidIdentifier) else {
            return bad("'\(head)' is not a node id")
        }
        var fixed: [String: ParamValue] = [:]
        var gathered: Set<String> = []
        var gatherAll = false
        if let selectorText {
            let body = selectorText.trimmingCharacters(in: .whitespaces)
            if body == "*" {
                gatherAll = true
            } else {
                for item in body.split(separator: ",") {
                    let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard pair.count == 2, Experiment.isValidIdentifier(pair[0]), !pair[1].isEmpty else {
                        return bad("'\(item)' is not axis=value")
                    }
                    guard fixed[pair[0]] == nil, !gathered.contains(pair[0]) else { return bad("axis '\(pair[0])' given twice") }
                    if pair[1] == "*" { gathered.insert(pair[0]) } else { fixed[pair[0]] = scalar(pair[1]) }
                }
            }
        }
        return InputReference(node: parts[0], output: parts.count == 2 ? parts[1] : nil, fixed: fixed,
                              gathered: gathered, gatherAll: gatherAll, text: text, location: location)
    }

    /// Reads a selector value the way YAML reads a plain scalar (so `blocks=5` is the integer 5).
    static func scalar(_ text: String) -> ParamValue {
        if text.count >= 2, let f = text.first, let l = text.last, (f == "\"" && l == "\"") || (f == "'" && l == "'") {
            return .string(String(text.dropFirst().dropLast()))
        }
        if let i = Int(text) { return .int(i) }
        if let d = Double(text) { return .double(d) }
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "null", "~": return .null
        default: return .string(text)
        }
    }
}
