import Foundation
import Yams

/// A YAML node with its source location, detached from Yams so overrides can be spliced in.
public indirect enum SpecNode: Sendable {
    /// A scalar with its resolved YAML type (a quoted `"5"` stays a string).
    case scalar(ParamValue, SourceLocation)
    /// Key/value pairs in file order, each key with its own location.
    case mapping([(key: String, keyLocation: SourceLocation, value: SpecNode)], SourceLocation)
    case sequence([SpecNode], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, let l), .mapping(_, let l), .sequence(_, let l): return l
        }
    }

    /// What kind of YAML value this is, for "expected X, found Y" messages.
    var shape: String {
        switch self {
        case .scalar(let v, _):
            switch v {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .double: return "a real number"
            case .string(let s): return "the string \"\(s)\""
            case .list, .map: return "a value"
            }
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// The value under `key` in a mapping, if present.
    func child(_ key: String) -> SpecNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.last(where: { $0.key == key })?.value
    }

    /// Converts to a plain value without type checks (used for `any`-typed params and selector values).
    var plainValue: ParamValue {
        switch self {
        case .scalar(let v, _): return v
        case .sequence(let items, _): return .list(items.map(\.plainValue))
        case .mapping(let pairs, _):
            var m: [String: ParamValue] = [:]
            for p in pairs { m[p.key] = p.value.plainValue }
            return .map(m)
        }
    }

    /// Parses YAML text into a located tree; YAML syntax errors, aliases, deep nesting and oversized text
    /// (`YAMLBounds`) become diagnostics.
    ///
    /// - Parameters:
    ///   - text: the YAML document.
    ///   - file: the name used in locations (the path the user gave, or an override label).
    ///   - columnOffset: added to Yams' columns (for an override's value embedded in a longer argument).
    static func parse(_ text: String, file: String, columnOffset: Int = 0) throws(GraphError) -> SpecNode? {
        try YAMLBounds.check(text, file: file, columnOffset: columnOffset)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw GraphError.invalid([yamlDiagnostic(error, text: text, file: file, columnOffset: columnOffset)])
        } catch {
            throw GraphError.invalid([Diagnostic(SourceLocation(file: file, line: 1, column: 1), GraphError.describe(error))])
        }
        guard let root else { return nil }
        return try convert(root, file: file, columnOffset: columnOffset)
    }

    private static func location(_ mark: Mark?, file: String, columnOffset: Int) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: (mark?.column ?? 1) + columnOffset)
    }

    private static func convert(_ node: Node, file: String, columnOffset: Int) throws(GraphError) -> SpecNode {
        let loc = location(node.mark, file: file, columnOffset: columnOffset)
        switch node {
        case .scalar(let scalar):
            return .scalar(scalarValue(node, scalar), loc)
        case .sequence(let seq):
            var items: [SpecNode] = []
            for item in seq { items.append(try convert(item, file: file, columnOffset: columnOffset)) }
            return .sequence(items, loc)
        case .mapping(let mapping):
            var pairs: [(key: String, keyLocation: SourceLocation, value: SpecNode)] = []
            for (k, v) in mapping {
                let keyLoc = location(k.mark, file: file, columnOffset: columnOffset)
                guard case .scalar(let ks) = k else {
                    throw GraphError.invalid([Diagnostic(keyLoc, "mapping keys must be plain strings")])
                }
                pairs.append((ks.string, keyLoc, try convert(v, file: file, columnOffset: columnOffset)))
            }
            return .mapping(pairs, loc)
        case .alias:
            // Yams resolves aliases while composing, and `YAMLBounds` refuses them before that.
            throw GraphError.invalid([Diagnostic(loc, "YAML aliases are not supported in experiment files")])
        }
    }

    private static func scalarValue(_ node: Node, _ scalar: Node.Scalar) -> ParamValue {
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return .null
        case .bool: return node.bool.map(ParamValue.bool) ?? .string(scalar.string)
        case .int: return node.int.map(ParamValue.int) ?? .string(scalar.string)
        case .float: return node.float.map(ParamValue.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    private static func yamlDiagnostic(_ error: YamlError, text: String, file: String, columnOffset: Int) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text): " } ?? ""
            return Diagnostic(location(mark, file: file, columnOffset: columnOffset), "YAML syntax: \(detail)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let first = location(context.mark, file: file, columnOffset: columnOffset)
            let second = secondOccurrence(of: key, after: context.mark, in: text).map {
                SourceLocation(file: file, line: $0.line, column: $0.column + columnOffset)
            }
            let what = "duplicate key '\(key)'"
            if let second {
                return Diagnostic(second, "\(what) (first defined at \(first.line):\(first.column))")
            }
            return Diagnostic(first, what)
        default:
            return Diagnostic(SourceLocation(file: file, line: 1, column: 1), "YAML: \(error)")
        }
    }

    /// Yams reports a duplicated key at its first occurrence; the user needs the repeat, found by a text scan.
    private static func secondOccurrence(of key: String, after mark: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var lineIndex = mark.line
        while lineIndex < lines.count {
            let line = Array(lines[lineIndex].unicodeScalars)
            let indent = mark.column - 1
            if line.count > indent {
                let rest = String(String.UnicodeScalarView(line[indent...]))
                for candidate in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(candidate) {
                    let after = rest.dropFirst(candidate.count).drop(while: { $0 == " " })
                    if after.hasPrefix(":") { return (lineIndex + 1, mark.column) }
                }
            }
            lineIndex += 1
        }
        return nil
    }
}
