import Foundation
import Report

/// A JSON object read from an artifact file, with typed getters that name the file and field on failure.
struct JSONFields {
    let file: String
    let path: String
    let values: [String: Any]

    /// Parses `url` as a JSON object.
    static func load(_ url: URL) throws -> JSONFields {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ReportError.unreadable(file: url.path, reason: error.localizedDescription) }
        guard let object = try? JSONSerialization.jsonObject(with: data) else {
            throw ReportError.unreadable(file: url.path, reason: "not valid JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw ReportError.invalid(file: name, field: "(top level)", expected: "an object", found: kind(of: object))
        }
        return JSONFields(file: url.path, path: "", values: dict)
    }

    func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    private func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func fail(_ key: String, _ expected: String) -> ReportError {
        .invalid(file: file, field: field(key), expected: expected, found: values[key].map(Self.kind) ?? "nothing")
    }

    /// A number; `null` and the strings `nan`/`inf`/`-inf` (how undefined statistics are written) are accepted.
    func double(_ key: String) throws -> Double {
        guard let x = Self.number(values[key]) else { throw fail(key, "a number") }
        return x
    }

    /// How `double` reads one value; `nil` when it is not a number.
    private static func number(_ value: Any?) -> Double? {
        switch value {
        case let n as NSNumber: return n.doubleValue
        case is NSNull: return .nan
        case let s as String where ["nan", "inf", "-inf"].contains(s.lowercased()): return Double(s.lowercased()) ?? .nan
        default: return nil
        }
    }

    func int(_ key: String) throws -> Int {
        guard let n = values[key] as? NSNumber, n.doubleValue == n.doubleValue.rounded() else { throw fail(key, "an integer") }
        return n.intValue
    }

    func string(_ key: String) throws -> String {
        guard let s = values[key] as? String else { throw fail(key, "a string") }
        return s
    }

    /// A string, or `nil` when the field is absent or `null`.
    func optionalString(_ key: String) throws -> String? {
        has(key) ? try string(key) : nil
    }

    /// A number, or `nil` when the field is absent or `null` (fields added by later kind versions).
    func optionalDouble(_ key: String) throws -> Double? {
        has(key) ? try double(key) : nil
    }

    func optionalInt(_ key: String) throws -> Int? {
        has(key) ? try int(key) : nil
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard has(key) else { return nil }
        guard let b = values[key] as? Bool else { throw fail(key, "true or false") }
        return b
    }

    /// An object, or `nil` when the field is absent or `null`.
    func optionalObject(_ key: String) throws -> JSONFields? {
        has(key) ? try object(key) : nil
    }

    /// A list of numbers (`null` and `nan`/`inf` strings as in `double`).
    func doubles(_ key: String) throws -> [Double] {
        guard let list = values[key] as? [Any] else { throw fail(key, "a list of numbers") }
        return try list.enumerated().map { i, item in
            guard let x = Self.number(item) else {
                throw ReportError.invalid(file: file, field: "\(field(key))[\(i)]", expected: "a number", found: Self.kind(of: item))
            }
            return x
        }
    }

    func strings(_ key: String) throws -> [String] {
        guard let list = values[key] as? [Any], let strings = list as? [String] else { throw fail(key, "a list of strings") }
        return strings
    }

    func object(_ key: String) throws -> JSONFields {
        guard let d = values[key] as? [String: Any] else { throw fail(key, "an object") }
        return JSONFields(file: file, path: field(key), values: d)
    }

    func objects(_ key: String) throws -> [JSONFields] {
        guard let list = values[key] as? [Any] else { throw fail(key, "a list of objects") }
        return try list.enumerated().map { i, item in
            guard let d = item as? [String: Any] else {
                throw ReportError.invalid(file: file, field: "\(field(key))[\(i)]", expected: "an object", found: Self.kind(of: item))
            }
            return JSONFields(file: file, path: "\(field(key))[\(i)]", values: d)
        }
    }

    /// The object's keys with their values as lists of objects (e.g. `per_class` of a ranking), keys sorted.
    func objectLists(_ key: String) throws -> [(String, [JSONFields])] {
        let inner = try object(key)
        return try inner.values.keys.sorted().map { ($0, try inner.objects($0)) }
    }

    static func kind(of value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let n as NSNumber: return "the number \(n)"
        case let s as String: return "the string \"\(s.prefix(40))\""
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        default: return "\(type(of: value))"
        }
    }
}
