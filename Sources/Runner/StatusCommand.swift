import ArgumentParser
import Foundation
import Graph

/// `palimpsest status`: whether each instance is up to date, and if not, why.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say for each instance whether it is up to date, and if not, why (compared with FILE.lock).")

    @OptionGroup var options: ExperimentOptions

    @Flag(help: "Print the status as JSON (id, key, state, reasons, lockNotes, onRemote per instance).")
    var json = false

    @Option(help: ArgumentHelp("Also say for each stale instance whether this remote has its entry (a name from remotes:, a directory, an http(s) URL or an archive).", valueName: "remote"))
    var remote: String?

    func run() throws {
        let experiment = try options.experiment()
        let store = try options.store()
        let lock = try LockFile.read(LockFile.url(for: options.fileURL))
        let index = try remote.map { text throws(GraphError) in
            try RemoteIndex.read(from: remoteLocation(text, experiment: experiment).reader(scratch: store.root.appendingPathComponent("tmp")))
        }
        let plan = Planner.plan(experiment, store: store, lock: lock, remote: index)
        warnIfUnsaved(store.memo)
        let jobs = try SlurmJobStatus.of(plan, store: store, experimentFile: options.fileURL)
        if json {
            return try printJSON(plan.map { StatusLine(entry: $0, slurm: jobs[$0.id]) })
        }
        for entry in plan {
            let job = jobs[entry.id].map { " [\($0.summary)]" } ?? ""
            switch entry.state {
            case .upToDate:
                let notes = entry.lockNotes.isEmpty ? "" : " — differs from \(options.file).lock: " + entry.lockNotes.joined(separator: "; ")
                print("up to date  \(entry.id)\(notes)")
            case .stale, .waiting:
                let where_ = entry.onRemote.map { $0 ? " [on the remote]" : " [not on the remote]" } ?? ""
                print("stale       \(entry.id): \(entry.reasons.joined(separator: "; "))\(job)\(where_)")
            case .broken: print("error       \(entry.id): \(entry.reasons.joined(separator: "; "))")
            }
        }
        let fresh = plan.filter { $0.state == .upToDate }.count
        print("\(experiment.name): \(fresh) of \(plan.count) instances up to date" + (lock == nil ? " (no lock file yet)" : ""))
        if let remote {
            let available = plan.filter { $0.onRemote == true }.count
            print("\(available) of \(plan.count - fresh) stale instances are on \(remote)" + (available > 0 ? " (palimpsest pull \(options.file) \(remote))" : ""))
        }
    }
}

/// One instance in `status --json`: the plan entry and, when a Slurm job was submitted for it, that job.
private struct StatusLine: Encodable {
    let entry: PlanEntry
    let slurm: SlurmJobStatus?

    func encode(to encoder: Encoder) throws {
        try entry.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(slurm, forKey: .slurm)
    }

    private enum Key: String, CodingKey { case slurm }
}
