import Foundation

/// How `run --executor slurm` submits and follows jobs.
public struct SlurmOptions: Sendable {
    /// The `palimpsest` executable each job runs (it must be reachable from the compute nodes).
    public var executable: URL
    /// `--set` overrides, repeated in every job so that it plans the same experiment.
    public var overrides: [String]
    /// Extra `sbatch` options from the command line (`--account=x`, `--qos=y`), added to every job.
    public var sbatchArguments: [String]
    /// Return right after submitting; `status` then shows the jobs.
    public var detach: Bool
    /// Seconds between `squeue` polls while waiting.
    public var pollInterval: Double
    /// The directory jobs start in.
    public var workingDirectory: URL
    /// Seconds before its time limit at which a job stops its instance and requeues itself (`--signal=B:USR1@…`;
    /// Slurm may send the signal up to a minute early).
    public var requeueGrace: Int
    /// How often a job may requeue itself at its time limit; after that the limit ends it (TIMEOUT).
    public var maxRequeues: Int
    /// Extra `palimpsest run` arguments for every job (`--push REMOTE`).
    public var jobArguments: [String] = []

    public init(executable: URL, overrides: [String] = [], sbatchArguments: [String] = [], detach: Bool = false,
                pollInterval: Double = 1, workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                requeueGrace: Int = 60, maxRequeues: Int = 3) {
        self.executable = executable
        self.overrides = overrides
        self.sbatchArguments = sbatchArguments
        self.detach = detach
        self.pollInterval = pollInterval
        self.workingDirectory = workingDirectory
        self.requeueGrace = requeueGrace
        self.maxRequeues = maxRequeues
    }
}

/// Runs an experiment on a Slurm cluster: every stale instance becomes one batch job that runs `palimpsest run
/// FILE --only INSTANCE` against the shared cache, with `afterok` dependencies between jobs.
///
/// Planning is the local planner's: cached instances are not submitted. Scheduling, placement and retries are
/// Slurm's. Each job re-plans its instance when it starts, so an instance that became cached meanwhile (another
/// run, another user) is reused, and the cache's per-key locks and atomic commits keep entries whole when a job
/// is killed; a requeued training job resumes from its epoch snapshot like a local rerun.
///
/// Faults: a job whose node fails is requeued by Slurm (`--requeue`); a job near its time limit gets SIGUSR1
/// (`--signal=B:USR1@grace`), stops its instance (SIGTERM: the last epoch snapshot stays in `partial/`) and
/// requeues itself (`scontrol requeue`, at most `maxRequeues` times, counted by `SLURM_RESTART_COUNT`). A requeued
/// job keeps its id, so the jobs that depend on it keep waiting; the submitting run reports each requeue and why.
public final class SlurmExecutor {
    public let experiment: Experiment
    public let store: CacheStore
    private let observer: RunObserver?
    private let client: SlurmClient

    public init(experiment: Experiment, store: CacheStore, observer: RunObserver? = nil, client: SlurmClient = SlurmClient()) {
        self.experiment = experiment
        self.store = store
        self.observer = observer
        self.client = client
    }

    /// A submitted instance.
    private struct Submission {
        let index: Int
        let job: SlurmRecord.Job
        /// False when the job was already queued by an earlier submission and is reused.
        let new: Bool
    }

    /// Submits the stale instances and, unless detached, waits for their jobs.
    ///
    /// - Returns: the per-instance outcome (for a detached run: cached instances only; the rest is still queued).
    public func run(_ options: RunOptions, slurm: SlurmOptions) throws(GraphError) -> RunSummary {
        guard let file = experiment.file else { throw GraphError.usage("the Slurm executor needs an experiment file") }
        let scope = try RunScope(experiment, options: options)
        let forced = scope.forced
        let plan = Planner.plan(experiment, store: store, lock: scope.previousLock, selected: scope.selected, forced: forced)
        if let warning = store.memo.saveOrWarning() { observer?.handle(.warning(warning)) }

        let recordURL = SlurmRecord.url(store: store, experimentFile: file)
        var record = SlurmRecord.read(recordURL) ?? SlurmRecord(experimentFile: file.path)
        let earlier = try client.states(record.jobs.values.map(\.id))
        let index = Dictionary(uniqueKeysWithValues: experiment.instances.map { ($0.id, $0.index) })

        var results: [Int: InstanceResult] = [:]
        var submissions: [Int: Submission] = [:]
        var blocked = Set<Int>()
        let jobDirectory = store.root.appendingPathComponent("slurm").appendingPathComponent("jobs")
        try FileSystem.makeDirectory(jobDirectory)
        for entry in plan {
            let i = index[entry.id]!
            let inst = experiment.instances[i]
            switch entry.state {
            case .upToDate:
                observer?.handle(.cached(instance: inst.id, key: entry.key ?? ""))
                results[i] = InstanceResult(id: inst.id, key: entry.key, status: .cached, seconds: 0, reason: nil)
                continue
            case .broken:
                blocked.insert(i)
                let reason = entry.reasons.joined(separator: "; ")
                observer?.handle(.failed(instance: inst.id, reason: reason, logTail: []))
                results[i] = InstanceResult(id: inst.id, key: nil, status: .failed, seconds: 0, reason: reason)
                continue
            case .stale, .waiting:
                break
            }
            if let bad = inst.dependencies.first(where: blocked.contains) {
                blocked.insert(i)
                let reason = "upstream \(experiment.instances[bad].id) cannot run"
                observer?.handle(.skipped(instance: inst.id, reason: reason))
                results[i] = InstanceResult(id: inst.id, key: nil, status: .skipped, seconds: 0, reason: reason)
                continue
            }
            // A job an earlier submission queued for this instance and that has not finished: depend on it
            // rather than computing the instance twice (unless the user forces a rerun).
            if !forced.contains(i), let job = record.jobs[inst.id], let state = earlier[job.id], !state.isTerminal {
                submissions[i] = Submission(index: i, job: job, new: false)
                observer?.handle(.started(instance: inst.id, reason: "already queued as Slurm job \(job.id) (\(state.state))"))
                continue
            }
            // Only jobs submitted or confirmed queued in this call are named as dependencies: Slurm treats an id
            // it no longer knows as satisfied.
            let dependencies = inst.dependencies.compactMap { submissions[$0]?.job.id }
            let job = try submit(inst, file: file, forced: forced.contains(i), dependencies: dependencies,
                                 slurm: slurm, jobDirectory: jobDirectory)
            submissions[i] = Submission(index: i, job: job, new: true)
            record.jobs[inst.id] = job
            observer?.handle(.submitted(instance: inst.id, job: job.id, reason: entry.reasons.joined(separator: "; ")))
        }
        try record.write(to: recordURL)
        if slurm.detach || submissions.isEmpty {
            scope.recordLock(experiment, manifests: manifests(of: results), options: options, observer: observer)
            return RunSummary(results: experiment.instances.indices.compactMap { results[$0] })
        }

        let finished = try wait(for: Array(submissions.values), slurm: slurm)
        let after = Planner.plan(experiment, store: store, lock: nil)
        let keys = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0) })
        for submission in submissions.values {
            let inst = experiment.instances[submission.index]
            let state = finished[submission.index]
            let entry = keys[inst.id]
            if state?.state == "COMPLETED", entry?.state == .upToDate, let key = entry?.key, case .hit(let manifest, _) = store.lookup(key) {
                results[submission.index] = InstanceResult(id: inst.id, key: key, status: .executed, seconds: manifest.seconds,
                                                           reason: "Slurm job \(submission.job.id)")
            } else if let state, state.cancelledByDependency {
                results[submission.index] = InstanceResult(id: inst.id, key: nil, status: .skipped, seconds: 0,
                                                           reason: "Slurm job \(submission.job.id) cancelled: an upstream job failed")
            } else {
                let reason = failureReason(submission, state)
                if state?.state == "UNKNOWN" || state?.state == "COMPLETED" {
                    observer?.handle(.failed(instance: inst.id, reason: reason + "; no cache entry was made",
                                             logTail: Executor.tail(of: URL(fileURLWithPath: submission.job.log), lines: 20)))
                }
                results[submission.index] = InstanceResult(id: inst.id, key: entry?.key, status: .failed, seconds: 0, reason: reason)
            }
        }
        let summary = RunSummary(results: experiment.instances.indices.compactMap { results[$0] })
        scope.recordLock(experiment, manifests: manifests(of: results), options: options, observer: observer)
        return summary
    }

    /// The cache entries of the instances that completed (executed or cached), by instance id, for `FILE.lock`.
    private func manifests(of results: [Int: InstanceResult]) -> [String: Manifest] {
        var manifests: [String: Manifest] = [:]
        for r in results.values where r.status == .executed || r.status == .cached {
            if let key = r.key, case .hit(let manifest, _) = store.lookup(key) { manifests[r.id] = manifest }
        }
        return manifests
    }

    /// Writes the job script and submits it.
    private func submit(_ inst: Instance, file: URL, forced: Bool, dependencies: [String], slurm: SlurmOptions,
                        jobDirectory: URL) throws(GraphError) -> SlurmRecord.Job {
        let safe = String(inst.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        let stamp = String(UInt64(Date().timeIntervalSince1970 * 1000))
        let script = jobDirectory.appendingPathComponent("\(experiment.name)-\(safe)-\(stamp).sh")
        let log = jobDirectory.appendingPathComponent("\(experiment.name)-\(safe)-\(stamp).log")
        var command = [slurm.executable.path, "run", file.path, "--cache", store.root.path, "--only", inst.id, "--no-lock-file"]
        if forced { command += ["--force", inst.id] }
        for o in slurm.overrides { command += ["--set", o] }
        command += slurm.jobArguments
        try FileSystem.writeAtomically(Data(Self.jobScript(instance: inst.id, file: file, command: command, slurm: slurm).utf8), to: script)
        var arguments = ["--job-name=palimpsest:\(experiment.name):\(inst.id)", "--output=\(log.path)", "--open-mode=append",
                         "--requeue", "--kill-on-invalid-dep=yes", "--chdir=\(slurm.workingDirectory.path)",
                         "--signal=B:USR1@\(slurm.requeueGrace)"]
        if !dependencies.isEmpty { arguments.append("--dependency=afterok:" + dependencies.joined(separator: ":")) }
        arguments += experiment.nodeResources[inst.node, default: Resources()].sbatchArguments
        arguments += slurm.sbatchArguments
        let id = try client.submit(script: script, arguments: arguments)
        return SlurmRecord.Job(id: id, log: log.path, submitted: ISO8601DateFormatter().string(from: Date()))
    }

    /// Polls `squeue` until every job has ended, reporting state changes; returns the final states.
    private func wait(for submissions: [Submission], slurm: SlurmOptions) throws(GraphError) -> [Int: SlurmJobState] {
        var last: [Int: SlurmJobState] = [:]
        var final: [Int: SlurmJobState] = [:]
        while final.count < submissions.count {
            let open = submissions.filter { final[$0.index] == nil }
            let states = try client.states(open.map(\.job.id))
            for s in open {
                let inst = experiment.instances[s.index]
                // A job the controller forgot has ended; its outcome is in the cache (or not).
                let state = states[s.job.id] ?? SlurmJobState(state: "UNKNOWN", reason: "job no longer known to Slurm")
                if state.isRunning, last[s.index]?.isRunning != true {
                    observer?.handle(.started(instance: inst.id, reason: "Slurm job \(s.job.id) running"))
                }
                if state.state == "PENDING", last[s.index]?.isRunning == true {
                    observer?.handle(.requeued(instance: inst.id, job: s.job.id,
                                               why: Self.requeueCause(logTail: Executor.tail(of: URL(fileURLWithPath: s.job.log), lines: 40))))
                }
                last[s.index] = state
                guard state.isTerminal || state.state == "UNKNOWN" else { continue }
                final[s.index] = state
                report(s, state)
            }
            if final.count < submissions.count { Thread.sleep(forTimeInterval: slurm.pollInterval) }
        }
        return final
    }

    private func report(_ s: Submission, _ state: SlurmJobState) {
        let inst = experiment.instances[s.index]
        if state.state == "UNKNOWN" {
            return  // judged from the cache once every job has ended
        } else if state.state == "COMPLETED" {
            let entry = Planner.plan(experiment, store: store, lock: nil,
                                     selected: Selection.withAncestors([s.index], in: experiment)).last
            if let key = entry?.key, entry?.state == .upToDate, case .hit(let manifest, _) = store.lookup(key) {
                observer?.handle(.finished(instance: inst.id, key: key, seconds: manifest.seconds))
            }
        } else if state.cancelledByDependency {
            observer?.handle(.skipped(instance: inst.id, reason: "Slurm cancelled job \(s.job.id): an upstream job failed"))
        } else {
            observer?.handle(.failed(instance: inst.id, reason: failureReason(s, state),
                                     logTail: Executor.tail(of: URL(fileURLWithPath: s.job.log), lines: 20)))
        }
    }

    private func failureReason(_ s: Submission, _ state: SlurmJobState?) -> String {
        let what = state.map { "\($0.state)" + ($0.reason == "None" ? "" : " (\($0.reason))") } ?? "ended without a cache entry"
        var reason = "Slurm job \(s.job.id) \(what); log \(s.job.log)"
        if state?.state == "TIMEOUT" {
            let log = (try? String(contentsOf: URL(fileURLWithPath: s.job.log), encoding: .utf8)) ?? ""
            let requeues = log.components(separatedBy: "\(Self.requeueMarker): time limit near; stopping").count - 1
            reason += "; the time limit ended it after \(requeues) requeue\(requeues == 1 ? "" : "s") at the limit "
                + "(raise resources.time or --max-requeues; its snapshot stays for the next run)"
        }
        return reason
    }

    /// The batch script of one instance: runs `command` in the background and, on SIGUSR1 (the time limit is
    /// near), stops it with SIGTERM, waits for it and requeues the job unless it has been requeued `maxRequeues`
    /// times already. `wait` returns early when the trapped signal arrives, hence the loop.
    static func jobScript(instance: String, file: URL, command: [String], slurm: SlurmOptions) -> String {
        """
        #!/bin/sh
        # Palimpsest job: instance \(instance) of \(file.path)
        cd \(quoted(slurm.workingDirectory.path)) || exit 1
        restarts=${SLURM_RESTART_COUNT:-0}
        near_limit() {
            if [ "$restarts" -ge \(slurm.maxRequeues) ]; then
                echo "\(requeueMarker): time limit near; not requeueing (requeued $restarts times already, --max-requeues \(slurm.maxRequeues))"
                return
            fi
            echo "\(requeueMarker): time limit near; stopping the instance and requeueing job $SLURM_JOB_ID (requeue $((restarts + 1)) of \(slurm.maxRequeues))"
            kill -TERM "$child" 2>/dev/null
            while kill -0 "$child" 2>/dev/null; do wait "$child"; done
            scontrol requeue "$SLURM_JOB_ID"
        }
        trap near_limit USR1
        \(command.map(quoted).joined(separator: " ")) &
        child=$!
        while :; do
            wait "$child"
            status=$?
            kill -0 "$child" 2>/dev/null || break
        done
        exit $status

        """
    }

    /// What the job script prints when it requeues itself.
    static let requeueMarker = "palimpsest-job"

    /// Why a job went back to the queue, from the tail of its log: its own requeue at the time limit, a node
    /// failure (Slurm's "DUE TO NODE FAILURE"), or Slurm's decision (preemption, an administrator).
    static func requeueCause(logTail: [String]) -> String {
        for line in logTail.reversed() {
            if line.contains("\(requeueMarker): time limit near; stopping") { return "its time limit was near" }
            if line.contains("DUE TO NODE FAILURE") { return "its node failed" }
            if line.contains("DUE TO PREEMPTION") { return "it was preempted" }
        }
        return "Slurm requeued it"
    }

    /// Single-quotes a word for /bin/sh.
    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
