import Foundation

/// An AWS shared INI file (`~/.aws/credentials` or `~/.aws/config`): `[section]` headers and `name = value` lines.
///
/// `#` and `;` start comment lines; names are case-sensitive as the AWS CLI reads them; an indented line under a
/// name (the CLI's nested `s3 =` settings) is skipped. A line that is none of these is an error with its line number.
struct AWSConfigFile {
    /// The file as given (for messages).
    let path: String
    /// Settings by section name (`default`, `profile work` in the config file, `work` in the credentials file).
    let sections: [String: [String: String]]

    /// Reads `path`; nil when the file does not exist.
    static func read(_ path: String) throws(GraphError) -> AWSConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw GraphError.io(path: path, reason: GraphError.reason(for: error))
        }
        return try AWSConfigFile(path: path, text: text)
    }

    init(path: String, text: String) throws(GraphError) {
        self.path = path
        var sections: [String: [String: String]] = [:]
        var current: String?
        var problems: [Diagnostic] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let location = SourceLocation(file: path, line: index + 1, column: 1)
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    problems.append(Diagnostic(location, "expected a section header such as `[default]`"))
                    continue
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            if raw.first == " " || raw.first == "\t" { continue }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append(Diagnostic(location, "expected `name = value` or a `[section]` header"))
                continue
            }
            guard let section = current else {
                problems.append(Diagnostic(location, "setting before any `[section]` header"))
                continue
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][name] = value
        }
        if !problems.isEmpty { throw GraphError.invalid(problems) }
        self.sections = sections
    }
}
