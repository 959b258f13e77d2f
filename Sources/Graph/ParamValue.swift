import Foundation

/// A parameter or matrix value after validation: the JSON data model, with integers kept apart from reals.
public enum ParamValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ParamValue])
    case map([String: ParamValue])

    /// The value as a `Double` when it is a number (an `int` widens).
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9.0e15: return Int(d)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var listValue: [ParamValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    public var mapValue: [String: ParamValue]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// Sorted-key JSON with normalised numbers (an integral real prints as an integer): the form that is hashed.
    public var canonicalJSON: String {
        var out = ""
        Self.writeCanonical(self, into: &out)
        return out
    }

    private static func writeCanonical(_ value: ParamValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += canonicalNumber(d)
        case .string(let s): writeString(s, into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                writeCanonical(item, into: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (i, key) in entries.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                writeCanonical(entries[key]!, into: &out)
            }
            out += "}"
        }
    }

    /// Integral reals print without a fraction; NaN and infinities (not JSON numbers) print as strings.
    static func canonicalNumber(_ d: Double) -> String {
        if d.isNaN { return "\"nan\"" }
        if d.isInfinite { return d > 0 ? "\"inf\"" : "\"-inf\"" }
        if d == d.rounded() && abs(d) < 9.0e15 { return String(Int(d)) }
        return "\(d)"
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Whether two values denote the same thing once numbers are normalised (`5` and `5.0` match).
    public func sameValue(as other: ParamValue) -> Bool {
        canonicalJSON == other.canonicalJSON
    }
}

extension ParamValue: CustomStringConvertible {
    /// A short human form: scalars bare, lists `[a, b]`, maps `{k: v}` (used in messages and instance ids).
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 9.0e15 ? String(Int(d)) : "\(d)"
        case .string(let s): return s
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]!.description)" }.joined(separator: ", ") + "}"
        }
    }
}

extension ParamValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int.self) { self = .int(i) }
        else if let d = try? container.decode(Double.self) { self = .double(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let l = try? container.decode([ParamValue].self) { self = .list(l) }
        else { self = .map(try container.decode([String: ParamValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d):
            if d.isFinite { try container.encode(d) } else { try container.encode(ParamValue.canonicalNumber(d)) }
        case .string(let s): try container.encode(s)
        case .list(let l): try container.encode(l)
        case .map(let m): try container.encode(m)
        }
    }
}
