import ArgumentParser
import Foundation
import Graph
import Nodes

/// `palimpsest verify`: re-reads every byte of cache entries and quarantines the ones that no longer match.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash cache entries (every entry, or an experiment's) against their manifests, whatever the files' metadata; move damaged ones to quarantine/ so the next run recomputes them.",
        discussion: "Exit status: 0 when every entry matched, 1 when some were damaged (and quarantined), 2 for usage errors.")

    @Argument(help: "An experiment file: verify only its instances' entries (default: the whole cache).")
    var file: String?

    @Option(help: ArgumentHelp("Cache directory (default: $PALIMPSEST_CACHE, else cache/ in the experiment's (or this directory's) project root).", valueName: "dir"))
    var cache: String?

    @Flag(help: "Print one JSON object: every entry checked (key, instances, bytes, damage, quarantined) and the totals.")
    var json = false

    struct Report: Encodable {
        let cache: String
        let entries: [Verifier.Result]
        let checked: Int
        let damaged: Int
        let bytes: Int64
    }

    func run() throws {
        let fileURL = file.map { URL(fileURLWithPath: $0).standardizedFileURL }
        let experiment = try fileURL.map { url throws(GraphError) in try Experiment.load(file: url, kinds: NodeRegistry.all) }
        let store = try CacheStore(root: CacheStore.defaultRoot(explicit: cache, experimentFile: fileURL))
        let verifier = Verifier(store: store)
        let keys = verifier.keys(of: experiment)
        let progress = VerifyProgress(isTTY: isatty(FileHandle.standardError.fileDescriptor) == 1)
        let results = verifier.verify(keys) { done, total, bytes, totalBytes in
            progress.show(done: done, total: total, bytes: bytes, totalBytes: totalBytes)
        }
        progress.finish()
        let damaged = results.filter { $0.damage != nil }
        for r in damaged {
            let who = r.instances.isEmpty ? "" : " (\(r.instances.joined(separator: ", ")))"
            let moved = r.quarantined.map { "moved to \($0)" } ?? "removed"
            FileHandle.standardError.write(Data("✗ \(r.key.prefix(12))\(who): \(r.damage ?? ""); \(moved)\n".utf8))
        }
        let bytes = results.reduce(Int64(0)) { $0 + $1.bytes }
        if json {
            try printJSON(Report(cache: store.root.path, entries: results, checked: results.count, damaged: damaged.count, bytes: bytes))
        } else {
            print(String(format: "verified %d entries (%.1f MiB): %d damaged%@ (cache %@)", results.count,
                         Double(bytes) / 1_048_576, damaged.count,
                         damaged.isEmpty ? "" : ", quarantined; the next run recomputes them", store.root.path))
        }
        if !damaged.isEmpty { throw Termination.failed }
    }
}

/// Verification progress on standard error: a bar on a terminal, a line per tenth otherwise.
final class VerifyProgress: @unchecked Sendable {
    private let isTTY: Bool
    private var lastDecile = 0
    private var shown = false

    init(isTTY: Bool) {
        self.isTTY = isTTY
    }

    func show(done: Int, total: Int, bytes: Int64, totalBytes: Int64) {
        let fraction = totalBytes > 0 ? Double(bytes) / Double(totalBytes) : Double(done) / Double(max(total, 1))
        let text = String(format: "%d/%d entries, %.1f of %.1f MiB", done, total, Double(bytes) / 1_048_576, Double(totalBytes) / 1_048_576)
        if isTTY {
            let width = 24
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K  verify [\(bar)] \(Int(fraction * 100))% \(text)".utf8))
            shown = true
        } else if Int(fraction * 10) > lastDecile {
            lastDecile = Int(fraction * 10)
            FileHandle.standardError.write(Data("  verify: \(lastDecile * 10)% (\(text))\n".utf8))
        }
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
