import Foundation

/// A place in an experiment file (or in a `--set` override): 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path as given by the user, or a label such as `--set epochs=3`.
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One validation problem found in an experiment file, with where it is and what was expected.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public let location: SourceLocation
    public let message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: \(message)" }
}

/// Everything that can go wrong in the Graph module.
///
/// `invalid` and `usage` are the user's to fix (exit status 2); `io` is a failure at run time (exit status 1).
/// Node failures are not thrown: they are results of a run (`InstanceStatus.failed`), so other branches go on.
public enum GraphError: Error, LocalizedError, CustomStringConvertible, Sendable {
    /// The experiment file (or an override) failed validation; nothing ran, nothing was written.
    case invalid([Diagnostic])
    /// A command-line argument names something the experiment does not have.
    case usage(String)
    /// A file or directory could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let diagnostics):
            return diagnostics.map(\.description).joined(separator: "\n")
        case .usage(let message):
            return "error: \(message)"
        case .io(let path, let reason):
            return "error: \(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }

    /// The process exit status the CLI uses for this error: 2 for the user's input, 1 for failures at run time.
    public var exitStatus: Int32 {
        switch self {
        case .invalid, .usage: return 2
        case .io: return 1
        }
    }
}

/// Errors a node kind's `run` may throw to fail its instance with a readable reason.
public struct NodeFailure: Error, LocalizedError, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
    public var errorDescription: String? { reason }
}
