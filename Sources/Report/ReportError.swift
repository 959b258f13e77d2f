import Foundation

/// Why an artifact could not be read into a report.
public enum ReportError: Error, LocalizedError, CustomStringConvertible {
    /// The file exists but could not be read or parsed.
    case unreadable(file: String, reason: String)
    /// A field is missing or has the wrong type or value.
    case invalid(file: String, field: String, expected: String, found: String)
    /// Writing the report failed.
    case write(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .invalid(let file, let field, let expected, let found): return "\(file): field '\(field)': expected \(expected), found \(found)"
        case .write(let file, let reason): return "cannot write \(file): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
