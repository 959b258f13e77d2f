import Foundation

/// A column of values keyed by sample id, as read from a user's `id,<value>` CSV file or a node's output.
public struct IdentifiedValues: Sendable, Equatable {
    /// Where the values came from (a file path or a node name), for error messages.
    public var source: String
    public var ids: [String]
    public var values: [Double]

    public init(source: String, ids: [String], values: [Double]) {
        precondition(ids.count == values.count, "one value per id")
        self.source = source
        self.ids = ids
        self.values = values
    }

    /// Reads a CSV whose header starts with `id` and names `column` (other columns are ignored), one row per sample.
    /// - Parameter allowed: when given, the only values accepted (e.g. 0 and 1 for correctness).
    public static func readCSV(at url: URL, column: String, allowed: Set<Double>? = nil) throws -> IdentifiedValues {
        let file = url.path
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw AnalysisError.unreadableFile(file: file, reason: error.localizedDescription)
        }
        // "\r\n" is one Character in Swift, so split on any newline character.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let header = lines.first else {
            throw AnalysisError.badCSV(file: file, line: 1, message: "empty file; expected the header 'id,\(column)'")
        }
        let headerFields = header.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard headerFields.first == "id", let index = headerFields.firstIndex(of: column), index > 0 else {
            throw AnalysisError.badCSV(file: file, line: 1, message: "expected the header 'id,\(column)', found '\(header)'")
        }
        var ids: [String] = []
        var values: [Double] = []
        var seen: [String: Int] = [:]
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == headerFields.count, !fields[0].isEmpty else {
                throw AnalysisError.badCSV(file: file, line: number, message: "expected \(headerFields.count) fields '\(headerFields.joined(separator: ","))', found '\(line)'")
            }
            let value = Double(fields[index])
            if let allowed, value.map({ !allowed.contains($0) }) ?? true {
                let list = allowed.sorted().map { String(format: "%g", $0) }.joined(separator: " or ")
                throw AnalysisError.badCSV(file: file, line: number, message: "\(column) must be \(list), found '\(fields[index])'")
            }
            guard let value, value.isFinite else {
                throw AnalysisError.badCSV(file: file, line: number, message: "\(column) '\(fields[index])' is not a finite number")
            }
            if seen[fields[0]] != nil { throw AnalysisError.duplicateID(id: fields[0], source: file, line: number) }
            seen[fields[0]] = number
            ids.append(fields[0])
            values.append(value)
        }
        return IdentifiedValues(source: file, ids: ids, values: values)
    }

    /// Pairs `a` and `b` by id, in `a`'s order. Every id must appear in both, once.
    public static func pair(_ a: IdentifiedValues, _ b: IdentifiedValues) throws -> (a: [Double], b: [Double], ids: [String]) {
        let indexB = try b.index()
        let indexA = try a.index()
        let onlyA = a.ids.filter { indexB[$0] == nil }
        let onlyB = b.ids.filter { indexA[$0] == nil }
        guard onlyA.isEmpty && onlyB.isEmpty else {
            throw AnalysisError.unmatchedIDs(onlyInA: Array(onlyA.prefix(5)), onlyInB: Array(onlyB.prefix(5)),
                                             source: "\(a.source) vs \(b.source)")
        }
        return (a.values, a.ids.map { b.values[indexB[$0]!] }, a.ids)
    }

    private func index() throws -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, id) in ids.enumerated() {
            if index[id] != nil { throw AnalysisError.duplicateID(id: id, source: source, line: i + 2) }
            index[id] = i
        }
        return index
    }
}
