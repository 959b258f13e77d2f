import Foundation

/// A command-line override `--set path=value`, spliced into the experiment file's tree before validation,
/// so it is checked exactly like the file.
///
/// Paths: `node.param`, `node.params.param`, `node.matrix.axis`, `node.inputs.port`, `node.seed`,
/// `seed`, `name`, or a field of a shared block such as `model.width`. Values are YAML (`[0, 5]`, `{a: 1}`).
public struct Override: Sendable {
    public let path: [String]
    public let value: SpecNode
    public let location: SourceLocation

    /// Parses `path=value`; malformed text is a usage diagnostic at the argument.
    public static func parse(_ argument: String) throws(GraphError) -> Override {
        let label = "--set \(argument)"
        guard let eq = argument.firstIndex(of: "=") else {
            throw GraphError.invalid([Diagnostic(SourceLocation(file: label, line: 1, column: 1),
                                                 "expected path=value, e.g. base.epochs=10 or frozen.matrix.blocks=[0,5]")])
        }
        let path = argument[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard path.allSatisfy(Experiment.isValidIdentifier) else {
            throw GraphError.invalid([Diagnostic(SourceLocation(file: label, line: 1, column: 1),
                                                 "'\(argument[..<eq])' is not a dotted path of snake_case names")])
        }
        let valueText = String(argument[argument.index(after: eq)...])
        let column = argument.distance(from: argument.startIndex, to: eq) + 1
        let node = try SpecNode.parse(valueText.isEmpty ? "null" : valueText, file: label, columnOffset: column)
            ?? .scalar(.null, SourceLocation(file: label, line: 1, column: column + 1))
        return Override(path: path, value: node, location: SourceLocation(file: label, line: 1, column: 1))
    }

    /// Applies overrides to the root mapping; a first segment naming a node addresses that node.
    static func apply(_ overrides: [Override], to root: SpecNode) throws(GraphError) -> SpecNode {
        var root = root
        for o in overrides {
            let nodeIDs = nodeNames(in: root)
            var path = o.path
            if nodeIDs.contains(path[0]) {
                if path.count == 1 {
                    throw GraphError.invalid([Diagnostic(o.location, "'\(path[0])' is a node; set one of its params, e.g. \(path[0]).epochs=10")])
                }
                let nodeKeys = ["kind", "params", "inputs", "matrix", "seed"]
                if !nodeKeys.contains(path[1]) { path.insert("params", at: 1) }
                path.insert("nodes", at: 0)
            } else if path.count > 1 && !topLevelKeys(in: root).contains(path[0]) && path[0] != "nodes",
                      let near = Suggestion.closest(to: path[0], among: Array(nodeIDs)) {
                // Most likely a misspelt node; anything else is checked as a top-level key (e.g. `model.width`).
                throw GraphError.invalid([Diagnostic(o.location, "no node '\(path[0])' in the experiment (did you mean '\(near)'?)")])
            }
            root = splice(o.value, at: path[...], into: root, location: o.location)
        }
        return root
    }

    private static func nodeNames(in root: SpecNode) -> Set<String> {
        guard case .mapping(let pairs, _)? = root.child("nodes") else { return [] }
        return Set(pairs.map(\.key))
    }

    private static func topLevelKeys(in root: SpecNode) -> Set<String> {
        guard case .mapping(let pairs, _) = root else { return [] }
        return Set(pairs.map(\.key))
    }

    private static func splice(_ value: SpecNode, at path: ArraySlice<String>, into node: SpecNode?, location: SourceLocation) -> SpecNode {
        guard let key = path.first else { return value }
        var pairs: [(key: String, keyLocation: SourceLocation, value: SpecNode)] = []
        var at = location
        if case .mapping(let existing, let loc)? = node {
            pairs = existing
            at = loc
        }
        if let i = pairs.lastIndex(where: { $0.key == key }) {
            pairs[i].value = splice(value, at: path.dropFirst(), into: pairs[i].value, location: location)
        } else {
            pairs.append((key, location, splice(value, at: path.dropFirst(), into: nil, location: location)))
        }
        return .mapping(pairs, at)
    }
}
