import Analysis
import ArgumentParser
import Benchmarks
import Faces
import Foundation
import Graph

/// How a command that did not succeed ends: the one place that decides what is printed and the exit status.
///
/// - 2: the user's input: validation (`file:line:col: error: …`), usage and option errors, `stats` files that are
///   not the paired data they should be, `synth` parameters out of range;
/// - 1: a failure at run time: an instance failed, a file or remote could not be read or written, the scheduler
///   refused a job, a transfer or check found damage, an internal invariant broke;
/// - 128 + N: the run was stopped by signal N.
enum Termination: Error {
    /// What went wrong has been printed already (failed instances with their log tails, missing entries).
    case failed
    /// The run was stopped by signal `signal`.
    case interrupted(signal: Int32)

    /// Prints `message` as a usage error and returns exit status 2, for `validate()`: argument-parser wraps the
    /// errors it throws, except an `ExitCode`.
    static func usage(_ message: String) -> ExitCode {
        printError("error: \(message)")
        return ExitCode(2)
    }

    /// Prints what `error` says (unless that was done) and exits with the status of its class.
    static func exit(for error: any Error) -> Never {
        switch error {
        case let termination as Termination:
            switch termination {
            case .failed: Foundation.exit(1)
            case .interrupted(let signal): Foundation.exit(128 + signal)
            }
        case let graph as GraphError:
            printError(graph.description)
            Foundation.exit(graph.isUsersToFix ? 2 : 1)
        case let analysis as AnalysisError:
            printError("error: \(analysis.description)")
            if case .unreadableFile = analysis { Foundation.exit(1) }
            Foundation.exit(2)
        case let demo as DemoBenchmark.Failure:
            printError("error: \(demo.description)")
            Foundation.exit(1)
        case let faces as FacesError:
            printError("error: \(faces.description)")
            if case .invalidParameter = faces { Foundation.exit(2) }
            Foundation.exit(1)
        default:
            // Argument-parser's own usage errors exit 2 like every usage error (its default is 64).
            guard Palimpsest.exitCode(for: error) == .validationFailure else { Palimpsest.exit(withError: error) }
            printError(Palimpsest.fullMessage(for: error))
            Foundation.exit(2)
        }
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
