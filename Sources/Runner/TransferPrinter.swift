import Foundation
import Graph

/// Opens the remote a REMOTE argument names (a name of the experiment's or the config file's `remotes:`, a
/// directory, an HTTP(S) URL or an archive).
func remoteLocation(_ text: String, experiment: Experiment) throws(GraphError) -> RemoteLocation {
    try RemoteLocation.resolve(text, experiment: experiment, configured: try RemoteLocation.configuredRemotes())
}

/// Transfer progress on standard error: a bar with bytes, rate and ETA on a terminal (redrawn at most ten times
/// a second), nothing otherwise; then a summary line on standard output.
final class TransferPrinter: @unchecked Sendable {
    private let verb: String
    private let isTTY: Bool
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var shown = false

    init(verb: String, isTTY: Bool = isatty(FileHandle.standardError.fileDescriptor) == 1) {
        self.verb = verb
        self.isTTY = isTTY
    }

    func show(_ p: TransferProgress) {
        guard isTTY else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || p.entries == p.totalEntries else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let fraction = p.totalBytes > 0 ? Double(p.bytes) / Double(p.totalBytes) : Double(p.entries) / Double(max(p.totalEntries, 1))
        let rate = elapsed > 0 ? Double(p.bytes) / elapsed : 0
        let eta = rate > 0 && p.totalBytes > p.bytes ? " ETA " + ConsolePrinter.duration(Double(p.totalBytes - p.bytes) / rate) : ""
        let width = 24
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let text = String(format: "\r\u{1B}[K  %@ [%@] %d%% %.1f of %.1f MiB, %d/%d entries, %.1f MB/s%@", verb, bar,
                          Int(fraction * 100), Double(p.bytes) / 1_048_576, Double(p.totalBytes) / 1_048_576,
                          p.entries, p.totalEntries, rate / 1e6, eta)
        FileHandle.standardError.write(Data(text.utf8))
        shown = true
    }

    /// Clears the bar, prints each failure on standard error and the summary on standard output.
    /// - Returns: whether any entry failed.
    func finish(_ report: TransferReport, done: String, present: String, absent: String?) -> Bool {
        lock.lock()
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
        lock.unlock()
        for failure in report.failures { FileHandle.standardError.write(Data("✗ \(failure.message)\n".utf8)) }
        let seconds = max(report.seconds, 1e-6)
        let count = report.transferred.count
        var text = String(format: "%@ %d %@ (%.1f MiB in %.2f s: %.1f entries/s, %.1f MB/s)", done, count, count == 1 ? "entry" : "entries",
                          Double(report.bytes) / 1_048_576, report.seconds, Double(count) / seconds,
                          Double(report.bytes) / seconds / 1e6)
        text += "; \(report.present.count) \(present)"
        if let absent, !report.absent.isEmpty { text += "; \(report.absent.count) \(absent)" }
        if !report.failures.isEmpty { text += "; \(report.failures.count) failed" }
        print(text)
        return !report.failures.isEmpty
    }
}
