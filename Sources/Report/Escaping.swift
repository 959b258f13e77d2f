import Foundation

/// Text escaping and number formatting shared by the HTML, SVG and Markdown writers.
public enum Escaping {
    /// Escapes `&`, `<`, `>`, `"` and `'` for HTML/XML text and attribute values. Control characters other
    /// than tab and newline (not allowed in XML) become U+FFFD.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isDisallowedControl(scalar) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Escapes text for a Markdown table cell or paragraph: `&`, `<` and `>` become entities (Markdown passes
    /// raw HTML through; quotes stay readable), inline markup characters (`\\ ` * _ [ ] | ~`) are backslash-escaped, and so is a
    /// leading `#`, `-` or `+` that would start a heading or list (`>` is already an entity); newlines become spaces.
    public static func markdown(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                out.append("\\")
                out.append(ch)
            case "\n", "\r", "\r\n", "\t":
                out.append(" ")
            case _ where ch.unicodeScalars.contains(where: isDisallowedControl):
                out.append("\u{FFFD}")
            case "#" where out.isEmpty, "-" where out.isEmpty, "+" where out.isEmpty:
                out.append("\\")
                out.append(ch)
            default:
                out.append(ch)
            }
        }
        return out
    }

    /// Control characters XML does not allow (all but tab and newline), which both writers replace by U+FFFD.
    static func isDisallowedControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\t" && scalar != "\n" || (0x7F...0x9F).contains(scalar.value)
    }

    /// A file-name-safe form of `s`: letters, digits, `-` and `_` kept, everything else `_`.
    public static func fileName(_ s: String) -> String {
        String(s.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "-" || c == "_")) ? Character(c) : "_"
        })
    }
}

/// Number formatting for tables and axes.
enum Fmt {
    /// Fixed-point with `digits` decimals; `–` for non-finite values.
    static func fixed(_ x: Double, _ digits: Int = 3) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "–"
    }

    /// A p-value: three decimals, or scientific notation below 0.001.
    static func p(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return x < 0.001 && x > 0 ? String(format: "%.2e", x) : String(format: "%.3f", x)
    }

    /// A spread over seeds: `0.500 (0.400–0.600)` (mean, then min–max), or the bare value for one seed.
    static func spread(_ s: Spread?, _ digits: Int = 3) -> String {
        guard let s else { return "–" }
        return s.count > 1 ? "\(fixed(s.mean, digits)) (\(fixed(s.min, digits))–\(fixed(s.max, digits)))" : fixed(s.mean, digits)
    }

    /// A list of seeds: `7, 8, 9`.
    static func seeds(_ seeds: [Int]) -> String { seeds.map(String.init).joined(separator: ", ") }

    /// Seconds as `12.3 s`, `4 min 5 s` or `1 h 2 min`.
    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "–" }
        if s < 60 { return String(format: "%.1f s", s) }
        if s < 3600 { return "\(Int(s) / 60) min \(Int(s) % 60) s" }
        return "\(Int(s) / 3600) h \((Int(s) % 3600) / 60) min"
    }

    /// An axis tick: integers bare, otherwise up to two decimals.
    static func tick(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x)
    }
}
