import ArgumentParser
import Foundation
import Graph
import Nodes

/// `palimpsest gc`: deletes cache entries no named experiment reaches.
struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove cache entries not reachable from the experiment files named with --keep (nor their lock files).")

    @Option(help: ArgumentHelp("An experiment file whose current and locked results are kept (repeatable; at least one).", valueName: "file"))
    var keep: [String] = []

    @Flag(help: "List what would be removed, remove nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Cache directory (default: $PALIMPSEST_CACHE, else cache/ in the first experiment's project root).", valueName: "dir"))
    var cache: String?

    func validate() throws {
        guard !keep.isEmpty else { throw Termination.usage("name at least one experiment with --keep FILE (gc keeps what those reach)") }
    }

    func run() throws {
        let files = keep.map { URL(fileURLWithPath: $0).standardizedFileURL }
        let store = try CacheStore(root: CacheStore.defaultRoot(explicit: cache, experimentFile: files[0]))
        var reachable = Set<String>()
        for file in files {
            let experiment = try Experiment.load(file: file, kinds: NodeRegistry.all)
            reachable.formUnion(try GarbageCollector.reachableKeys(experiment, store: store))
        }
        let report = try GarbageCollector.collect(store: store, keep: reachable, dryRun: dryRun)
        for key in report.removed { print("\(dryRun ? "would remove" : "removed") \(key)") }
        let mib = Double(report.bytes) / 1_048_576
        print(String(format: "%@ %d entries (%.1f MiB); %d kept in %@", dryRun ? "would remove" : "removed",
                     report.removed.count, mib, report.kept, store.root.path))
    }
}
