import ArgumentParser
import Foundation
import Graph
import Nodes

/// Options every experiment command shares: the file, `--set` overrides and the cache location.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override the file: node.param=value, node.matrix.axis=[…], seed=N (repeatable); validated like the file. A run with overrides does not write FILE.lock.", valueName: "path=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Cache directory (default: $PALIMPSEST_CACHE, else cache/ in the experiment's project root).", valueName: "dir"))
    var cache: String?

    var fileURL: URL { URL(fileURLWithPath: file).standardizedFileURL }

    func experiment() throws(GraphError) -> Experiment {
        try Experiment.load(file: fileURL, kinds: NodeRegistry.all, overrides: overrides)
    }

    func store() throws(GraphError) -> CacheStore {
        try CacheStore(root: CacheStore.defaultRoot(explicit: cache, experimentFile: fileURL))
    }
}

/// Saves the digest memo, printing a warning instead of failing (a full disk must not fail a finished command).
func warnIfUnsaved(_ memo: DigestMemo) {
    if let warning = memo.saveOrWarning() { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
}

/// `palimpsest run`: executes stale instances in dependency order, reusing cached ones.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: execute stale instances, reuse cached ones, write FILE.lock.",
        discussion: "Exit status: 0 when everything completed, 1 when an instance failed (its log tail is printed), 2 for usage or validation errors.")

    @OptionGroup var options: ExperimentOptions

    @Option(help: ArgumentHelp("Run only this node or instance (e.g. pain or pain[blocks=3]) and what it needs (repeatable).", valueName: "node"))
    var only: [String] = []

    @Option(help: ArgumentHelp("Re-execute this node or instance and everything downstream even if cached (repeatable).", valueName: "node"))
    var force: [String] = []

    @Flag(help: "Print the plan, with the reason each instance would run, and run nothing.")
    var dryRun = false

    @Option(name: .shortAndLong, help: "How many independent instances run at once.")
    var jobs: Int = 1

    @Flag(help: "After a failure, keep running the branches that do not depend on it.")
    var keepGoing = false

    @Flag(help: "Print one JSON object per instance (id, key, status, seconds, reason) instead of a summary.")
    var json = false

    @Flag(help: "Do not write FILE.lock (each Slurm job runs this way; the submitting run writes it).")
    var noLockFile = false

    @Option(help: ArgumentHelp("Where instances run: local (this machine) or slurm (one sbatch job per stale instance; the cache must be on a filesystem every node sees).", valueName: "local|slurm"))
    var executor: ExecutorChoice = .local

    @Flag(help: "With --executor slurm: return right after submitting; `palimpsest status` shows the jobs.")
    var detach = false

    @Option(name: .customLong("sbatch"), help: ArgumentHelp("With --executor slurm: an extra sbatch option for every job, e.g. --sbatch=--account=lab (repeatable).", valueName: "option"))
    var sbatchArguments: [String] = []

    @Option(help: ArgumentHelp("With --executor slurm: seconds between squeue polls while waiting.", valueName: "seconds"))
    var poll: Double = 1

    @Option(help: ArgumentHelp("With --executor slurm: seconds before its time limit at which a job stops its instance (keeping the epoch snapshot) and requeues itself.", valueName: "seconds"))
    var requeueGrace: Int = 60

    @Option(help: ArgumentHelp("With --executor slurm: how often a job may requeue itself at its time limit before the limit ends it.", valueName: "n"))
    var maxRequeues: Int = 3

    @Option(help: ArgumentHelp("Before executing a stale instance, fetch its entry from this remote if it has it (a name from remotes:, a directory, an http(s) URL or an archive).", valueName: "remote"))
    var pull: String?

    @Option(help: ArgumentHelp("Afterwards, upload the entries of this run's instances that the remote lacks (a name from remotes:, a directory).", valueName: "remote"))
    var push: String?

    enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    func validate() throws {
        guard jobs >= 1 else { throw Termination.usage("--jobs must be at least 1") }
        guard poll > 0 else { throw Termination.usage("--poll must be positive") }
        guard requeueGrace >= 1 else { throw Termination.usage("--requeue-grace must be at least 1 second") }
        guard maxRequeues >= 0 else { throw Termination.usage("--max-requeues must be 0 or more") }
        if executor == .local, detach || !sbatchArguments.isEmpty {
            throw Termination.usage("--detach and --sbatch need --executor slurm")
        }
        if executor == .slurm, dryRun { throw Termination.usage("--dry-run plans without any executor; drop --executor slurm") }
        if dryRun, pull != nil || push != nil { throw Termination.usage("--dry-run transfers nothing; see `palimpsest status FILE --remote REMOTE`") }
    }

    func run() throws {
        let experiment = try options.experiment()
        let store = try options.store()
        if dryRun {
            try printPlan(experiment, store: store)
            return
        }
        let observer = ConsolePrinter()
        var runOptions = RunOptions(jobs: jobs, keepGoing: keepGoing, only: only, force: force,
                                    writeLockFile: options.overrides.isEmpty && !noLockFile)
        let transfer = RemoteTransfer(store: store)
        let pushTarget = try push.map { text throws(GraphError) in try remoteLocation(text, experiment: experiment).writer() }
        let pullSource = try pull.map { text throws(GraphError) in
            try remoteLocation(text, experiment: experiment).reader(scratch: store.root.appendingPathComponent("tmp"))
        }
        let summary: RunSummary
        let interrupts = InterruptHandler(store: store)
        switch executor {
        case .local:
            if let pullSource {
                let index = try RemoteIndex.read(from: pullSource)
                runOptions.fetch = { key, instance throws(GraphError) in
                    index.entries[key] != nil ? try transfer.fetch(key, instance: instance, from: pullSource) : false
                }
            }
            summary = try Executor(experiment: experiment, store: store, observer: observer).run(runOptions)
        case .slurm:
            guard SlurmClient.isAvailable else { throw GraphError.usage("--executor slurm: sbatch is not on PATH (is this a Slurm login node?)") }
            if let pullSource {
                // Pulled before planning, so only what the remote lacks is submitted.
                let selected = try experiment.selection(only: only)
                let printer = TransferPrinter(verb: "pull")
                let report = try transfer.pull(experiment, selected: selected, from: pullSource, jobs: jobs) { printer.show($0) }
                _ = printer.finish(report, done: "pulled", present: "already in this cache", absent: "listed but missing on the remote")
            }
            var slurm = SlurmOptions(executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                                     overrides: options.overrides, sbatchArguments: sbatchArguments, detach: detach, pollInterval: poll,
                                     requeueGrace: requeueGrace, maxRequeues: maxRequeues)
            // Each job pushes its own entry, so a detached run publishes as its jobs finish.
            if let push { slurm.jobArguments = ["--push", push] }
            summary = try SlurmExecutor(experiment: experiment, store: store, observer: observer).run(runOptions, slurm: slurm)
            if detach && !json {
                print("\(experiment.name): submitted; follow with `palimpsest status \(options.file)`")
                return
            }
        }
        if let pushTarget {
            let keys = summary.results.filter { $0.status == .executed || $0.status == .cached }.compactMap { r in r.key.map { ($0, r.id) } }
            var byKey: [String: [String]] = [:]
            var order: [String] = []
            for (key, id) in keys {
                if byKey[key] == nil { order.append(key) }
                byKey[key, default: []].append(id)
            }
            let items = order.map { TransferItem(key: $0, instances: byKey[$0]!) }
            let printer = TransferPrinter(verb: "push")
            let report = try transfer.push(items, to: pushTarget, jobs: jobs) { printer.show($0) }
            if printer.finish(report, done: "pushed", present: "already on the remote", absent: nil) { throw Termination.failed }
        }
        if json {
            try printJSON(summary.results)
        } else {
            let pulled = pull == nil ? "" : ", \(summary.count(.pulled)) pulled"
            print("\(experiment.name): \(summary.count(.executed)) executed, \(summary.count(.cached)) cached\(pulled), \(summary.count(.failed)) failed, \(summary.count(.skipped)) skipped (cache \(store.root.path))")
        }
        if let sig = interrupts.received { throw Termination.interrupted(signal: sig) }
        if summary.failed { throw Termination.failed }
    }

    private func printPlan(_ experiment: Experiment, store: CacheStore) throws {
        let scope = try RunScope(experiment, options: RunOptions(only: only, force: force))
        let plan = Planner.plan(experiment, store: store, lock: scope.previousLock, selected: scope.selected, forced: scope.forced)
        warnIfUnsaved(store.memo)
        if json {
            return try printJSON(plan)
        }
        for entry in plan {
            switch entry.state {
            case .upToDate: print("  cached   \(entry.id)")
            case .stale: print("  run      \(entry.id): \(entry.reasons.joined(separator: "; "))")
            case .waiting: print("  run?     \(entry.id): \(entry.reasons.joined(separator: "; ")) (skipped if its inputs come out identical)")
            case .broken: print("  error    \(entry.id): \(entry.reasons.joined(separator: "; "))")
            }
        }
        let runs = plan.filter { $0.state == .stale || $0.state == .waiting }.count
        print("\(experiment.name): \(runs) of \(plan.count) instances would run")
    }
}
