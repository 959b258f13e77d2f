import Foundation

/// Errors of the statistics: bad or mismatched paired data.
public enum AnalysisError: Error, Equatable, LocalizedError, CustomStringConvertible {
    /// Two paired lists of different lengths.
    case lengthMismatch(a: Int, b: Int)
    /// A test that needs at least `needed` pairs got `found`.
    case tooFewPairs(needed: Int, found: Int)
    /// Ids present in one input and not the other (a few of each shown).
    case unmatchedIDs(onlyInA: [String], onlyInB: [String], source: String)
    /// The same id twice in one input.
    case duplicateID(id: String, source: String, line: Int)
    /// A malformed CSV file: `line` is 1-based.
    case badCSV(file: String, line: Int, message: String)
    /// A file that could not be read at all (missing, permission, I/O error).
    case unreadableFile(file: String, reason: String)
    /// A probe needs at least one positive and one negative per fold.
    case tooFewPerClass(needed: Int, positives: Int, negatives: Int)
    /// A value that is not a finite number.
    case nonFinite(source: String, index: Int)
    /// Two cross-validated probes whose folds cannot be paired (`detail` says how they differ).
    case unpairedFolds(detail: String)
    /// A count or table that a test cannot use (`detail` names it and what was expected).
    case invalidCounts(detail: String)

    public var description: String {
        switch self {
        case let .lengthMismatch(a, b):
            return "paired inputs differ in length: \(a) vs \(b) values"
        case let .tooFewPairs(needed, found):
            return "the test needs at least \(needed) pairs, found \(found)"
        case let .unmatchedIDs(onlyInA, onlyInB, source):
            var parts: [String] = []
            if !onlyInA.isEmpty { parts.append("only in A: \(onlyInA.joined(separator: ", "))") }
            if !onlyInB.isEmpty { parts.append("only in B: \(onlyInB.joined(separator: ", "))") }
            return "\(source): the two inputs do not hold the same samples (\(parts.joined(separator: "; ")))"
        case let .duplicateID(id, source, line):
            return "\(source):\(line): id '\(id)' appears twice"
        case let .badCSV(file, line, message):
            return "\(file):\(line): \(message)"
        case let .unreadableFile(file, reason):
            return "\(file): cannot read the file (\(reason))"
        case let .tooFewPerClass(needed, positives, negatives):
            return "a \(needed)-fold probe needs at least \(needed) positive and \(needed) negative samples, found \(positives) and \(negatives)"
        case let .nonFinite(source, index):
            return "\(source): value \(index) is not a finite number"
        case let .unpairedFolds(detail):
            return "the two probes' folds cannot be paired: \(detail)"
        case let .invalidCounts(detail):
            return "invalid counts: \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
