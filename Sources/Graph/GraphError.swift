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

/// Everything that can go wrong in the Graph module, one case per failure class.
///
/// `invalid` and `usage` are the user's to fix; `io`, `remote`, `scheduler` and `invariant` are failures at run
/// time (the CLI's exit statuses 2 and 1, decided in `Termination`). Node failures are not thrown: they are results
/// of a run (`InstanceStatus.failed`), so other branches go on.
public enum GraphError: Error, LocalizedError, CustomStringConvertible, Sendable {
    /// The experiment file (or an override) failed validation; nothing ran, nothing was written.
    case invalid([Diagnostic])
    /// A command-line argument names something the experiment does not have.
    case usage(String)
    /// A file or directory could not be read or written.
    case io(path: String, reason: String)
    /// A remote (directory, HTTP server, archive) could not be reached, or what it sent did not verify.
    case remote(location: String, reason: String)
    /// The batch scheduler refused or failed a command (`sbatch`, `squeue`).
    case scheduler(String)
    /// An invariant of the code itself broke: a bug in Palimpsest, not something the user can fix.
    case invariant(String)

    public var description: String {
        switch self {
        case .invalid(let diagnostics):
            return diagnostics.map(\.description).joined(separator: "\n")
        case .usage(let message):
            return "error: \(message)"
        case .io(let path, let reason):
            return "error: \(path): \(reason)"
        case .remote(let location, let reason):
            return "error: remote \(location): \(reason)"
        case .scheduler(let message):
            return "error: \(message)"
        case .invariant(let message):
            return "error: internal: \(message)"
        }
    }

    public var errorDescription: String? { description }

    /// The message without the `error: ` prefix, for warnings and sentences.
    public var plainDescription: String {
        let text = description
        return text.hasPrefix("error: ") ? String(text.dropFirst(7)) : text
    }

    /// Whether the user's input is at fault (validation, usage) rather than something at run time.
    public var isUsersToFix: Bool {
        switch self {
        case .invalid, .usage: return true
        case .io, .remote, .scheduler, .invariant: return false
        }
    }
}

extension GraphError {
    /// Why a Foundation file operation failed, in words: the system's errno text (`No space left on device`)
    /// when the error carries one, never Foundation's `Error Domain=…` dump.
    public static func reason(for error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            return reason(for: underlying)
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
            case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
            case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
            case .fileWriteFileExists: return String(cString: strerror(EEXIST))
            case .fileReadInapplicableStringEncoding, .fileReadCorruptFile: return "the file is not valid UTF-8 text"
            case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
            default: break
            }
        }
        let text = ns.localizedFailureReason ?? ns.localizedDescription
        return text.contains("Error Domain=") ? "system error \(ns.code)" : text
    }

    /// Any error as a sentence for a user: Foundation's file and process errors as what failed, on which path,
    /// and why (`cannot read /x/y: No such file or directory`); decoding errors by field; our own errors as they are.
    public static func describe(_ error: any Error) -> String {
        if let graph = error as? GraphError { return graph.plainDescription }
        if let decoding = error as? DecodingError { return describe(decoding) }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        let what: String
        switch ns.code {
        case 256..<512: what = "cannot read"
        case 512..<768: what = "cannot write"
        default: what = "failed"
        }
        return (path.map { "\(what) \($0)" } ?? what) + ": " + reason(for: error)
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path.hasPrefix(".") ? String(path.dropFirst()) : path)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)'\(at(context))"
        case .typeMismatch(let type, let context): return "expected \(type)\(at(context)): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "missing \(type) value\(at(context))"
        case .dataCorrupted(let context): return "not valid JSON\(at(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
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
