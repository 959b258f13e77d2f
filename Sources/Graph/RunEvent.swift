import Foundation

/// What happened to one instance in a run (reported once per instance).
public enum InstanceStatus: String, Codable, Sendable {
    case executed, cached, failed, skipped
    /// Fetched from a remote (`run --pull`) instead of executed.
    case pulled
}

/// The outcome of one instance, as printed by `run --json`.
public struct InstanceResult: Codable, Sendable {
    public let id: String
    public let key: String?
    public let status: InstanceStatus
    public let seconds: Double
    /// Why it ran, why it was skipped, or why it failed.
    public let reason: String?
}

/// State changes a run reports to its observer (the console printer, or a test).
public enum RunEvent: Sendable {
    /// About to execute, with the reason (e.g. "params.epochs 8→10", "never run").
    case started(instance: String, reason: String)
    case cached(instance: String, key: String)
    /// Fetched from a remote and verified instead of executed.
    case pulled(instance: String, key: String, seconds: Double)
    case finished(instance: String, key: String, seconds: Double)
    /// Failed, with the reason and the last lines of its log.
    case failed(instance: String, reason: String, logTail: [String])
    case skipped(instance: String, reason: String)
    /// Another run holds the key's lock; this run waits for it.
    case waiting(instance: String)
    /// A cache entry did not verify and will be recomputed.
    case corrupt(instance: String, key: String, reason: String)
    case progress(instance: String, update: ProgressUpdate, elapsed: Double)
    /// Submitted to a batch scheduler as job `job`, with the reason it runs.
    case submitted(instance: String, job: String, reason: String)
    /// The scheduler put a started job back in its queue (node failure, time limit, preemption); `why` in words
    /// ("its node failed"). It resumes from its snapshot.
    case requeued(instance: String, job: String, why: String)
    /// Something failed that the results do not depend on (e.g. the digest memo could not be saved).
    case warning(String)
}

/// Receives run events; called from worker threads, so implementations synchronise themselves.
public protocol RunObserver: Sendable {
    func handle(_ event: RunEvent)
}

/// Prints events for people: one line per state change; on a terminal, a bar with ETA for long nodes.
public final class ConsolePrinter: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let isTTY: Bool
    private let output: FileHandle
    private var lastPlain: [String: Int] = [:]
    private var barShown = false

    /// - Parameter output: where lines go (standard error by default, so `--json` output stays clean).
    public init(output: FileHandle = .standardError, isTTY: Bool? = nil) {
        self.output = output
        self.isTTY = isTTY ?? (isatty(output.fileDescriptor) == 1)
    }

    public func handle(_ event: RunEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .started(let id, let reason): line("▶ \(id): running (\(reason))")
        case .cached(let id, let key): line("✓ \(id): cached \(key.prefix(12))")
        case .pulled(let id, let key, let s): line("⇣ \(id): pulled in \(Self.duration(s)) \(key.prefix(12))")
        case .finished(let id, let key, let s): line("✓ \(id): done in \(Self.duration(s)) \(key.prefix(12))")
        case .failed(let id, let reason, let tail):
            line("✗ \(id): FAILED: \(reason)")
            if !tail.isEmpty { line("  last log lines of \(id):\n" + tail.map { "  | " + $0 }.joined(separator: "\n")) }
        case .skipped(let id, let reason): line("- \(id): skipped (\(reason))")
        case .submitted(let id, let job, let reason): line("⇡ \(id): submitted as Slurm job \(job) (\(reason))")
        case .requeued(let id, let job, let why): line("↻ \(id): Slurm job \(job) requeued (\(why)); it resumes from its last snapshot")
        case .warning(let message): line("warning: \(message)")
        case .waiting(let id): line("… \(id): waiting for another run that is building it")
        case .corrupt(let id, let key, let reason): line("! \(id): cache entry \(key.prefix(12)) is corrupt (\(reason)); recomputing")
        case .progress(let id, let update, let elapsed):
            let eta = update.fraction > 0.001 ? elapsed * (1 - update.fraction) / update.fraction : nil
            if isTTY {
                guard elapsed >= 2 else { return }
                let width = 24
                let filled = Int(update.fraction * Double(width))
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                let text = "\r\u{1B}[K  \(id) [\(bar)] \(Int(update.fraction * 100))% \(update.message)" + (eta.map { " ETA \(Self.duration($0))" } ?? "")
                try? output.write(contentsOf: Data(text.utf8))
                barShown = true
            } else {
                let decile = Int(update.fraction * 10)
                if decile > (lastPlain[id] ?? 0) {
                    lastPlain[id] = decile
                    line("  \(id): \(decile * 10)% \(update.message)" + (eta.map { ", ETA \(Self.duration($0))" } ?? ""))
                }
            }
        }
    }

    private func line(_ text: String) {
        if barShown {
            try? output.write(contentsOf: Data("\r\u{1B}[K".utf8))
            barShown = false
        }
        try? output.write(contentsOf: Data((text + "\n").utf8))
    }

    /// `0.42s`, `3m05s`, `1h02m`.
    public static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.2fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
}
