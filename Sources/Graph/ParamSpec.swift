import Foundation

/// The type of a node parameter, checked when the experiment file is validated.
public indirect enum ParamType: Sendable, CustomStringConvertible {
    case bool
    case int
    /// A real number; integers are accepted and widened.
    case number
    case string
    /// A file or directory outside the cache whose *content* is part of the cache key (a dataset root, a
    /// script). Relative paths are resolved against the experiment file's directory.
    case path
    case list(ParamType)
    /// A mapping with declared fields (each a `ParamSpec`), checked like top-level params.
    case record([ParamSpec])
    /// Any YAML value, unchecked.
    case any

    public var description: String {
        switch self {
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .path: return "a path"
        case .list(let element): return "a list of \(element.plural)"
        case .record: return "a mapping"
        case .any: return "any value"
        }
    }

    var plural: String {
        switch self {
        case .bool: return "booleans"
        case .int: return "integers"
        case .number: return "numbers"
        case .string: return "strings"
        case .path: return "paths"
        case .list: return "lists"
        case .record: return "mappings"
        case .any: return "values"
        }
    }

    /// Whether values of this type contain external paths to fingerprint.
    var containsPaths: Bool {
        switch self {
        case .path: return true
        case .list(let e): return e.containsPaths
        case .record(let fields): return fields.contains { $0.type.containsPaths }
        default: return false
        }
    }
}

/// One declared parameter of a node kind: its type, default, allowed values or range, and documentation.
public struct ParamSpec: Sendable {
    public let name: String
    public let type: ParamType
    /// Used when the file does not set the param; `nil` means the param is required (unless `optional`).
    public let defaultValue: ParamValue?
    /// An optional param without default resolves to `null` when absent.
    public let optional: Bool
    /// The only values accepted, if restricted.
    public let allowed: [ParamValue]?
    /// Inclusive bounds for numbers.
    public let range: ClosedRange<Double>?
    /// A further check returning a message when the value is bad (e.g. "must be a power of two").
    public let check: (@Sendable (ParamValue) -> String?)?
    /// The name of a top-level block (e.g. `model`) whose fields provide this record's defaults.
    public let shared: String?
    public let doc: String

    public init(
        _ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, optional: Bool = false,
        allowed: [ParamValue]? = nil, range: ClosedRange<Double>? = nil, shared: String? = nil,
        doc: String, check: (@Sendable (ParamValue) -> String?)? = nil
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.optional = optional
        self.allowed = allowed
        self.range = range
        self.check = check
        self.shared = shared
        self.doc = doc
    }

    /// True when the experiment must set it.
    public var isRequired: Bool {
        if case .record(let fields) = type, defaultValue == nil, !optional {
            return fields.contains { $0.isRequired }
        }
        return defaultValue == nil && !optional
    }

    public static func int(_ name: String, default d: Int? = nil, range: ClosedRange<Double>? = nil,
                           allowed: [Int]? = nil, doc: String) -> ParamSpec {
        ParamSpec(name, .int, default: d.map(ParamValue.int), allowed: allowed?.map(ParamValue.int), range: range, doc: doc)
    }

    public static func number(_ name: String, default d: Double? = nil, range: ClosedRange<Double>? = nil,
                              doc: String) -> ParamSpec {
        ParamSpec(name, .number, default: d.map(ParamValue.double), range: range, doc: doc)
    }

    public static func string(_ name: String, default d: String? = nil, allowed: [String]? = nil,
                              doc: String) -> ParamSpec {
        ParamSpec(name, .string, default: d.map(ParamValue.string), allowed: allowed?.map(ParamValue.string), doc: doc)
    }

    public static func bool(_ name: String, default d: Bool? = nil, doc: String) -> ParamSpec {
        ParamSpec(name, .bool, default: d.map(ParamValue.bool), doc: doc)
    }

    public static func path(_ name: String, optional: Bool = false, doc: String) -> ParamSpec {
        ParamSpec(name, .path, optional: optional, doc: doc)
    }

    /// Explains the type, default and constraints in one line (for `--help`-style tables and docs).
    public var summary: String {
        var parts = [type.description]
        if let d = defaultValue { parts.append("default \(d)") } else if isRequired { parts.append("required") }
        if let a = allowed { parts.append("one of " + a.map(\.description).joined(separator: ", ")) }
        if let r = range { parts.append("in \(ParamValue.double(r.lowerBound))…\(ParamValue.double(r.upperBound))") }
        if let s = shared { parts.append("defaults from top-level '\(s)'") }
        return parts.joined(separator: ", ")
    }
}

/// Converts located YAML into typed values, collecting every problem as a diagnostic.
struct ParamChecker {
    var diagnostics: [Diagnostic] = []

    /// Checks `node` against `type`, returning the normalised value (or nil after recording a diagnostic).
    mutating func value(_ node: SpecNode, as type: ParamType, spec: ParamSpec?, path: String) -> ParamValue? {
        guard let value = typed(node, as: type, path: path) else { return nil }
        if let spec, !constraintsHold(value, spec: spec, at: node.location, path: path) { return nil }
        return value
    }

    private mutating func typed(_ node: SpecNode, as type: ParamType, path: String) -> ParamValue? {
        func fail() -> ParamValue? {
            diagnostics.append(Diagnostic(node.location, "\(path): expected \(type), found \(node.shape)"))
            return nil
        }
        switch type {
        case .any:
            return node.plainValue
        case .bool:
            guard case .scalar(.bool(let b), _) = node else { return fail() }
            return .bool(b)
        case .int:
            guard case .scalar(let v, _) = node, case .int(let i) = v else { return fail() }
            return .int(i)
        case .number:
            guard case .scalar(let v, _) = node, let d = v.number else { return fail() }
            return .double(d)
        case .string, .path:
            guard case .scalar(let v, _) = node else { return fail() }
            guard case .string(let s) = v else { return fail() }
            return .string(s)
        case .list(let element):
            let items: [SpecNode]
            switch node {
            case .sequence(let s, _): items = s
            case .scalar(.null, _): return fail()
            case .scalar, .mapping: items = [node]
            }
            var out: [ParamValue] = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let v = self.value(item, as: element, spec: nil, path: "\(path)[\(i)]") { out.append(v) } else { ok = false }
            }
            return ok ? .list(out) : nil
        case .record(let fields):
            guard case .mapping(let pairs, let loc) = node else { return fail() }
            return record(pairs, at: loc, fields: fields, path: path, open: false)
        }
    }

    /// Checks a mapping against declared fields: unknown keys (with a suggestion), missing required ones,
    /// defaults filled in. With `open`, undeclared keys are kept as plain values.
    mutating func record(_ pairs: [(key: String, keyLocation: SourceLocation, value: SpecNode)], at location: SourceLocation,
                         fields: [ParamSpec], path: String, open: Bool) -> ParamValue? {
        var out: [String: ParamValue] = [:]
        var ok = true
        var reported = Set<String>()
        let prefix = path.isEmpty ? "" : path + "."
        for pair in pairs {
            if let field = fields.first(where: { $0.name == pair.key }) {
                if let v = value(pair.value, as: field.type, spec: field, path: prefix + pair.key) {
                    out[pair.key] = v
                } else {
                    ok = false
                    reported.insert(pair.key)
                }
            } else if open {
                out[pair.key] = pair.value.plainValue
            } else {
                let hint = Suggestion.hint(for: pair.key, among: fields.map(\.name))
                let known = fields.map(\.name).joined(separator: ", ")
                diagnostics.append(Diagnostic(pair.keyLocation,
                    "unknown param '\(prefix)\(pair.key)'\(hint); expected one of: \(known.isEmpty ? "(none)" : known)"))
                ok = false
            }
        }
        for field in fields where out[field.name] == nil && !reported.contains(field.name) {
            if let d = field.defaultValue {
                out[field.name] = d
            } else if case .record(let sub) = field.type, !field.isRequired {
                out[field.name] = record([], at: location, fields: sub, path: prefix + field.name, open: false)
            } else if field.optional {
                out[field.name] = .null
            } else {
                diagnostics.append(Diagnostic(location, "missing required param '\(prefix)\(field.name)' (\(field.type)): \(field.doc)"))
                ok = false
            }
        }
        return ok ? .map(out) : nil
    }

    private mutating func constraintsHold(_ value: ParamValue, spec: ParamSpec, at location: SourceLocation, path: String) -> Bool {
        if let allowed = spec.allowed, !allowed.contains(where: { $0.sameValue(as: value) }) {
            let hint = value.stringValue.map { Suggestion.hint(for: $0, among: allowed.compactMap(\.stringValue)) } ?? ""
            diagnostics.append(Diagnostic(location,
                "\(path): \(value) is not allowed\(hint); expected one of: \(allowed.map(\.description).joined(separator: ", "))"))
            return false
        }
        if let range = spec.range, let n = value.number, !range.contains(n) {
            diagnostics.append(Diagnostic(location,
                "\(path): \(value) is out of range; expected \(ParamValue.double(range.lowerBound))…\(ParamValue.double(range.upperBound))"))
            return false
        }
        if let check = spec.check, let message = check(value) {
            diagnostics.append(Diagnostic(location, "\(path): \(message)"))
            return false
        }
        return true
    }
}
