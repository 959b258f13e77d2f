import Foundation

/// A small JSON reader straight into `ParamValue`, keeping integers apart from reals.
///
/// Decoding `ParamValue` through `Codable` tries each type in turn and pays for a thrown error per miss
/// (about 0.7 ms per manifest); this reads a manifest's or lock file's key components in microseconds.
struct JSONReader {
    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ data: Data) throws(GraphError) -> ParamValue {
        var r = JSONReader(bytes: [UInt8](data))
        let v = try r.value()
        r.skipSpace()
        guard r.i == r.bytes.count else { throw r.failure("trailing characters") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ what: String) -> GraphError {
        GraphError.io(path: "JSON", reason: "\(what) at byte \(i)")
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: ParamValue) throws(GraphError) -> ParamValue {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw failure("bad literal") }
        i += w.count
        return v
    }

    private mutating func value() throws(GraphError) -> ParamValue {
        skipSpace()
        guard i < bytes.count else { throw failure("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var m: [String: ParamValue] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
            while true {
                skipSpace()
                let k = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                i += 1
                m[k] = try value()
                skipSpace()
                guard i < bytes.count else { throw failure("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
                i += 1
                return .map(m)
            }
        case UInt8(ascii: "["):
            i += 1
            var l: [ParamValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .list(l) }
            while true {
                l.append(try value())
                skipSpace()
                guard i < bytes.count else { throw failure("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
                i += 1
                return .list(l)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func number() throws(GraphError) -> ParamValue {
        let start = i
        var isReal = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isReal = true }
            else if !(c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || (c >= 0x30 && c <= 0x39)) { break }
            i += 1
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if !isReal, let v = Int(text) { return .int(v) }
        guard let d = Double(text) else { throw failure("bad number '\(text)'") }
        return .double(d)
    }

    private mutating func string() throws(GraphError) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw failure("expected a string") }
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            default: out.append(e)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func hex4() throws(GraphError) -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw failure("bad \\u escape")
        }
        i += 4
        return v
    }
}
