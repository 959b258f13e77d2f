import Foundation

/// How `run` behaves.
public struct RunOptions: Sendable {
    /// Instances executed at once (independent ones only).
    public var jobs: Int = 1
    /// After a failure, keep running branches that do not depend on it.
    public var keepGoing: Bool = false
    /// Nodes or instances to run with what they need (empty: everything).
    public var only: [String] = []
    /// Nodes or instances to re-execute even if cached, with everything downstream.
    public var force: [String] = []
    /// Write `FILE.lock` beside the experiment file afterwards.
    public var writeLockFile: Bool = true
    /// Asked for each stale instance before it executes (`run --pull`), with the key's lock held: true when it
    /// put a verified entry for the key into the cache (`RemoteTransfer.fetch`).
    public var fetch: (@Sendable (_ key: String, _ instance: String) throws(GraphError) -> Bool)?

    public init(jobs: Int = 1, keepGoing: Bool = false, only: [String] = [], force: [String] = [], writeLockFile: Bool = true) {
        self.jobs = jobs
        self.keepGoing = keepGoing
        self.only = only
        self.force = force
        self.writeLockFile = writeLockFile
    }
}

/// The outcome of a run.
public struct RunSummary: Sendable {
    public let results: [InstanceResult]
    public var failed: Bool { results.contains { $0.status == .failed || $0.status == .skipped } }
    public func count(_ status: InstanceStatus) -> Int { results.filter { $0.status == status }.count }
}

/// Runs an experiment's stale instances in dependency order against a cache, `jobs` at a time.
///
/// Each instance's key is computed when its upstream is done (so an upstream that reran with identical output
/// leaves the key unchanged: early cut-off). A cached, verified entry is reused; otherwise the instance runs
/// under the key's lock into a staging directory that is committed atomically.
public final class Executor: @unchecked Sendable {
    public let experiment: Experiment
    public let store: CacheStore
    private let observer: RunObserver?

    private enum State { case pending, running, done(Manifest, URL), failed, skipped }

    private let condition = NSCondition()
    private var states: [State] = []
    private var results: [Int: InstanceResult] = [:]
    private var stopping = false

    public init(experiment: Experiment, store: CacheStore, observer: RunObserver? = nil) {
        self.experiment = experiment
        self.store = store
        self.observer = observer
    }

    /// Runs the experiment. Validation of `--only`/`--force` names throws `GraphError.usage`; node failures
    /// are reported in the summary (status `failed`, downstream `skipped`), not thrown.
    public func run(_ options: RunOptions) throws(GraphError) -> RunSummary {
        let count = experiment.instances.count
        let scope = try RunScope(experiment, options: options)

        condition.lock()
        states = Array(repeating: .pending, count: count)
        results = [:]
        stopping = false
        condition.unlock()

        let workers = max(1, min(options.jobs, scope.selected.count))
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                work(selected: scope.selected, forced: scope.forced, keepGoing: options.keepGoing, previousLock: scope.previousLock, fetch: options.fetch)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let warning = store.memo.saveOrWarning() { observer?.handle(.warning(warning)) }

        let ordered = experiment.instances.indices.compactMap { results[$0] }
        var manifests: [String: Manifest] = [:]
        for (i, state) in states.enumerated() {
            if case .done(let manifest, _) = state { manifests[experiment.instances[i].id] = manifest }
        }
        scope.recordLock(experiment, manifests: manifests, options: options, observer: observer)
        return RunSummary(results: ordered)
    }

    /// A worker: takes the first ready instance in order, processes it, repeats until nothing is left.
    private func work(selected: Set<Int>, forced: Set<Int>, keepGoing: Bool, previousLock: LockFile?,
                      fetch: (@Sendable (String, String) throws(GraphError) -> Bool)?) {
        while true {
            condition.lock()
            var next: Int?
            while next == nil {
                var remaining = false
                for i in experiment.instances.indices where selected.contains(i) {
                    guard case .pending = states[i] else { continue }
                    let deps = experiment.instances[i].dependencies
                    if CommandGroups.shared.interrupted {
                        skip(i, reason: "not started: the run was interrupted")
                        continue
                    }
                    if stopping {
                        skip(i, reason: "not started: an earlier instance failed")
                        continue
                    }
                    if let bad = deps.first(where: { if case .failed = states[$0] { return true }; if case .skipped = states[$0] { return true }; return false }) {
                        skip(i, reason: "upstream \(experiment.instances[bad].id) did not complete")
                        continue
                    }
                    remaining = true
                    if deps.allSatisfy({ if case .done = states[$0] { return true }; return false }) {
                        next = i
                        break
                    }
                }
                if next == nil {
                    if !remaining { condition.broadcast(); condition.unlock(); return }
                    condition.wait()
                }
            }
            let i = next!
            states[i] = .running
            let upstream = Dictionary(uniqueKeysWithValues: experiment.instances[i].dependencies.map { d -> (Int, (Manifest, URL)) in
                guard case .done(let m, let u) = states[d] else { preconditionFailure("scheduled before its upstream") }
                return (d, (m, u))
            })
            condition.unlock()

            let (state, result) = process(i, upstream: upstream, forced: forced.contains(i), previous: previousLock?.instances[experiment.instances[i].id],
                                          fetch: fetch)

            condition.lock()
            states[i] = state
            results[i] = result
            if case .failed = state, !keepGoing { stopping = true }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Marks an instance skipped (call with the condition held).
    private func skip(_ i: Int, reason: String) {
        states[i] = .skipped
        results[i] = InstanceResult(id: experiment.instances[i].id, key: nil, status: .skipped, seconds: 0, reason: reason)
        observer?.handle(.skipped(instance: experiment.instances[i].id, reason: reason))
    }

    private func process(_ i: Int, upstream: [Int: (Manifest, URL)], forced: Bool, previous: LockFile.Entry?,
                         fetch: (@Sendable (String, String) throws(GraphError) -> Bool)?) -> (State, InstanceResult) {
        let inst = experiment.instances[i]
        let start = Date()
        func fail(_ key: String?, _ reason: String, tail: [String] = []) -> (State, InstanceResult) {
            observer?.handle(.failed(instance: inst.id, reason: reason, logTail: tail))
            return (.failed, InstanceResult(id: inst.id, key: key, status: .failed, seconds: Date().timeIntervalSince(start), reason: reason))
        }
        let components: KeyComponents
        do {
            components = try KeyComponents.make(inst, experiment: experiment, upstream: { upstream[$0]?.0.outputs.mapValues(\.digest) },
                                                fingerprint: { p throws(GraphError) in try store.memo.tree(p).digest })
        } catch {
            return fail(nil, GraphError.describe(error))
        }
        let key = components.key
        var reason = forced ? "forced" : "never run"
        if !forced {
            switch store.lookup(key) {
            case .hit(let manifest, let dir):
                observer?.handle(.cached(instance: inst.id, key: key))
                return (.done(manifest, dir), InstanceResult(id: inst.id, key: key, status: .cached, seconds: Date().timeIntervalSince(start), reason: nil))
            case .corrupt(let why):
                observer?.handle(.corrupt(instance: inst.id, key: key, reason: why))
                reason = "cache entry corrupt"
            case .missing:
                if let previous {
                    let r = KeyComponents.reasons(old: previous.components, oldProvenance: previous.provenance,
                                                  new: components.value, newProvenance: components.provenance)
                    reason = r.isEmpty ? "not in this cache" : r.joined(separator: "; ")
                }
            }
        }
        let keyLock: FileLock
        do { keyLock = try store.lock(key) } catch { return fail(key, GraphError.describe(error)) }
        if !keyLock.tryLock() {
            observer?.handle(.waiting(instance: inst.id))
            keyLock.lock()
        }
        defer { keyLock.unlock() }
        if !forced {
            switch store.lookup(key) {
            case .hit(let manifest, let dir):
                observer?.handle(.cached(instance: inst.id, key: key))
                return (.done(manifest, dir), InstanceResult(id: inst.id, key: key, status: .cached, seconds: Date().timeIntervalSince(start), reason: nil))
            case .corrupt: store.evict(key)
            case .missing: break
            }
            if let fetch {
                do {
                    if try fetch(key, inst.id), case .hit(let manifest, let dir) = store.lookup(key) {
                        let seconds = Date().timeIntervalSince(start)
                        observer?.handle(.pulled(instance: inst.id, key: key, seconds: seconds))
                        return (.done(manifest, dir), InstanceResult(id: inst.id, key: key, status: .pulled, seconds: seconds, reason: nil))
                    }
                } catch {
                    observer?.handle(.warning("\(error.plainDescription); computing \(inst.id) here instead"))
                }
            }
        }
        observer?.handle(.started(instance: inst.id, reason: reason))
        do {
            let manifest = try execute(inst, key: key, components: components, upstream: upstream, start: start)
            let seconds = Date().timeIntervalSince(start)
            observer?.handle(.finished(instance: inst.id, key: key, seconds: seconds))
            return (.done(manifest, store.entryDirectory(key)), InstanceResult(id: inst.id, key: key, status: .executed, seconds: seconds, reason: reason))
        } catch let failure as ExecutionFailure {
            return fail(key, failure.reason, tail: failure.logTail)
        } catch {
            return fail(key, GraphError.describe(error))
        }
    }

    private struct ExecutionFailure: Error {
        let reason: String
        let logTail: [String]
    }

    /// Runs the kind in a staging directory and commits the entry; staging is removed on failure
    /// (the `partial/` snapshot directory is kept for a resumed attempt).
    private func execute(_ inst: Instance, key: String, components: KeyComponents, upstream: [Int: (Manifest, URL)], start: Date) throws -> Manifest {
        let outputNames = inst.kind.type.outputs.map(\.name)
        let staging = try store.stage(key, outputs: outputNames)
        let logURL = staging.appendingPathComponent("log.txt")
        // O_APPEND, so lines from the node and from child processes it starts interleave instead of overwriting.
        let logFD = open(logURL.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logFD >= 0 else {
            let reason = String(cString: strerror(errno))
            store.discard(staging)
            throw GraphError.io(path: logURL.path, reason: "cannot create the log: " + reason)
        }
        let logHandle = FileHandle(fileDescriptor: logFD, closeOnDealloc: true)
        var inputs: [String: [InputArtifact]] = [:]
        for (port, sources) in inst.inputs {
            inputs[port] = sources.map { s in
                let (m, dir) = upstream[s.instance]!
                let up = experiment.instances[s.instance]
                return InputArtifact(instance: up.id, kind: up.kind.name, output: s.output, coordinates: up.coordinates,
                                      directory: dir.appendingPathComponent("outputs").appendingPathComponent(s.output),
                                      digest: m.outputs[s.output]?.digest ?? "", metrics: m.metrics, manifest: m)
            }
        }
        let observer = self.observer
        let id = inst.id
        let context = NodeContext(
            instance: inst.id, node: inst.node, coordinates: inst.coordinates,
            params: ParamSet(values: inst.params, baseDirectory: experiment.directory), inputs: inputs,
            outputs: outputNames.map { ($0, staging.appendingPathComponent("outputs").appendingPathComponent($0)) },
            partialDirectory: store.partialDirectory(key), workDirectory: staging.appendingPathComponent("work"),
            seed: inst.seed, experimentName: experiment.name, logFile: logURL, logHandle: logHandle,
            onProgress: { update in observer?.handle(.progress(instance: id, update: update, elapsed: Date().timeIntervalSince(start))) })
        context.log("# \(inst.id) (\(inst.kind.name) v\(inst.kind.type.version)) key \(key)")
        do {
            try inst.kind.type.run(context)
        } catch {
            let reason = GraphError.describe(error)
            context.log("error: \(reason)")
            try? logHandle.close()
            let tail = Self.tail(of: logURL, lines: 20)
            store.discard(staging)
            throw ExecutionFailure(reason: reason, logTail: tail)
        }
        try? logHandle.close()
        do {
            var outputs: [String: OutputRecord] = [:]
            for name in outputNames {
                let (digest, files) = try store.memo.tree(staging.appendingPathComponent("outputs").appendingPathComponent(name).path)
                outputs[name] = OutputRecord(digest: digest, files: files)
            }
            let formatter = ISO8601DateFormatter()
            let manifest = Manifest(key: key, components: components.value, provenance: components.provenance, outputs: outputs,
                                    metrics: context.metrics, started: formatter.string(from: start),
                                    seconds: Date().timeIntervalSince(start), host: ProcessInfo.processInfo.hostName,
                                    toolVersion: ToolVersion.string, log: "log.txt")
            _ = try store.commit(staging: staging, manifest: manifest)
            return manifest
        } catch {
            // A full disk fails here; the staging goes at once, not at the next run of this key.
            store.discard(staging)
            throw error
        }
    }

    /// The last `lines` lines of a text file.
    static func tail(of url: URL, lines: Int) -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        let all = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return Array(all.suffix(lines))
    }
}
