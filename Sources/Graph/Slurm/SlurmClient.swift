import Foundation

/// A Slurm job's state as `squeue` reports it.
public struct SlurmJobState: Sendable, Equatable {
    /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `TIMEOUT`, `CANCELLED`, `NODE_FAIL`, `OUT_OF_MEMORY`, …
    public let state: String
    /// Slurm's reason column (`Dependency`, `DependencyNeverSatisfied`, `NonZeroExitCode`, `None`, …).
    public let reason: String

    /// States after which the job will not run again (a requeued job goes back to PENDING instead).
    static let terminal: Set<String> = ["COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL", "OUT_OF_MEMORY",
                                        "BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT", "REVOKED"]

    public var isTerminal: Bool { Self.terminal.contains(state) }
    public var isRunning: Bool { state == "RUNNING" || state == "COMPLETING" || state == "CONFIGURING" }
    /// Slurm cancelled the job because a job it depended on failed (`--kill-on-invalid-dep=yes`).
    public var cancelledByDependency: Bool { state == "CANCELLED" && reason.hasPrefix("Dependency") }
}

/// The Slurm commands the executor uses (`sbatch`, `squeue`, `scancel`), run as child processes.
public struct SlurmClient: Sendable {
    public init() {}

    /// Submits a batch script; returns the job id (`sbatch --parsable`).
    public func submit(script: URL, arguments: [String]) throws(GraphError) -> String {
        let (status, out, err) = run("sbatch", ["--parsable"] + arguments + [script.path])
        guard status == 0 else {
            throw GraphError.scheduler("sbatch failed (status \(status)): \(err.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        // `--parsable` prints `id` or `id;cluster`.
        let id = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw GraphError.scheduler("sbatch printed no job id (output: \(out.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return id
    }

    /// States of the given jobs that the controller still knows; unknown ids are absent from the result.
    public func states(_ ids: [String]) throws(GraphError) -> [String: SlurmJobState] {
        guard !ids.isEmpty else { return [:] }
        let (status, out, err) = run("squeue", ["-h", "-t", "all", "-o", "%i|%T|%r", "-j", ids.joined(separator: ",")])
        if status != 0 {
            // squeue refuses the whole list when one id is unknown ("Invalid job id specified"): ask one by one.
            if ids.count > 1, err.contains("Invalid job id") {
                var result: [String: SlurmJobState] = [:]
                for id in ids { result.merge(try states([id])) { a, _ in a } }
                return result
            }
            if err.contains("Invalid job id") { return [:] }
            throw GraphError.scheduler("squeue failed (status \(status)): \(err.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var result: [String: SlurmJobState] = [:]
        for line in out.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            result[fields[0]] = SlurmJobState(state: fields[1].split(separator: " ").first.map(String.init) ?? fields[1], reason: fields[2])
        }
        return result
    }

    /// Cancels jobs (unknown ids are ignored by Slurm).
    public func cancel(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        _ = run("scancel", ids)
    }

    /// Whether the Slurm client tools are on PATH.
    public static var isAvailable: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/sbatch")
        }
    }

    private func run(_ tool: String, _ arguments: [String]) -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "", "cannot start \(tool): \(GraphError.reason(for: error))") }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
