import Foundation

/// Where an instance stands before a run, as `status` and `run --dry-run` print it.
public struct PlanEntry: Sendable, Codable {
    public enum State: String, Sendable, Codable {
        /// A verified entry for the current key is in the cache.
        case upToDate = "up-to-date"
        /// Its key is known and not in the cache (or it is forced): it will run.
        case stale
        /// An upstream instance will run first, so its key is not known yet; it runs unless the upstream
        /// output turns out identical (early cut-off).
        case waiting
        /// Its key cannot be computed (an external input is missing).
        case broken
    }

    public let id: String
    public let key: String?
    public let state: State
    /// Why it is stale or waiting ("params.epochs 8→10", "upstream base will run", "never run"), or notes.
    public let reasons: [String]
    /// Notes comparing with `FILE.lock` for up-to-date instances (a reader checking published results).
    public let lockNotes: [String]
    /// For a stale instance planned against a remote's index: whether the remote has its entry (nil otherwise).
    public var onRemote: Bool?

    init(id: String, key: String?, state: State, reasons: [String], lockNotes: [String], onRemote: Bool? = nil) {
        self.id = id
        self.key = key
        self.state = state
        self.reasons = reasons
        self.lockNotes = lockNotes
        self.onRemote = onRemote
    }
}

/// Computes keys and staleness without running anything.
public enum Planner {
    /// Plans `selected` instances (all when nil); `forced` instances count as stale.
    ///
    /// - Parameter remote: a remote's index: a stale instance whose entry it lists is marked `onRemote`, and its
    ///   downstream instances get keys from the output digests the index records (what a pull would bring).
    public static func plan(_ experiment: Experiment, store: CacheStore, lock: LockFile?, selected: Set<Int>? = nil,
                            forced: Set<Int> = [], remote: RemoteIndex? = nil) -> [PlanEntry] {
        var digests: [Int: [String: String]] = [:]
        var broken = Set<Int>()
        var entries: [PlanEntry] = []
        for inst in experiment.instances where selected?.contains(inst.index) ?? true {
            let previous = lock?.instances[inst.id]
            let pendingUpstream = inst.dependencies.filter { digests[$0] == nil }.map { experiment.instances[$0].id }
            let components: KeyComponents
            do {
                components = try KeyComponents.make(inst, experiment: experiment,
                                                    upstream: { digests[$0] ?? placeholder(experiment.instances[$0]) },
                                                    fingerprint: { p throws(GraphError) in try store.memo.tree(p).digest })
            } catch {
                broken.insert(inst.index)
                entries.append(PlanEntry(id: inst.id, key: nil, state: .broken, reasons: [GraphError.describe(error)], lockNotes: []))
                continue
            }
            if let bad = inst.dependencies.first(where: broken.contains) {
                broken.insert(inst.index)
                entries.append(PlanEntry(id: inst.id, key: nil, state: .broken,
                                         reasons: ["upstream \(experiment.instances[bad].id) cannot run"], lockNotes: []))
                continue
            }
            if !pendingUpstream.isEmpty {
                var reasons = previous.map {
                    KeyComponents.reasons(old: $0.components, oldProvenance: $0.provenance, new: components.value,
                                          newProvenance: components.provenance, includeInputs: false)
                } ?? ["never run"]
                if forced.contains(inst.index) { reasons.insert("forced", at: 0) }
                let shown = pendingUpstream.map(KeyComponents.nodeName).uniqued()
                reasons.append("upstream \(shown.joined(separator: ", ")) will run first")
                entries.append(PlanEntry(id: inst.id, key: nil, state: .waiting, reasons: reasons, lockNotes: []))
                continue
            }
            let key = components.key
            switch store.lookup(key) {
            case .hit(let manifest, _) where !forced.contains(inst.index):
                digests[inst.index] = manifest.outputs.mapValues(\.digest)
                var notes: [String] = []
                if let previous {
                    if previous.key != key {
                        notes = KeyComponents.reasons(old: previous.components, oldProvenance: previous.provenance,
                                                      new: components.value, newProvenance: components.provenance)
                        if notes.isEmpty { notes = ["key differs from the lock file"] }
                    } else if previous.outputs != manifest.outputs.mapValues(\.digest) {
                        notes = ["outputs differ from the lock file (same key, different bytes: the node is not deterministic here)"]
                    }
                }
                entries.append(PlanEntry(id: inst.id, key: key, state: .upToDate, reasons: [], lockNotes: notes))
            case .hit:
                entries.append(PlanEntry(id: inst.id, key: key, state: .stale, reasons: ["forced"], lockNotes: []))
            case .corrupt(let reason):
                let onRemote = remote.map { $0.entries[key] != nil }
                if let recorded = remote?.entries[key]?.outputs { digests[inst.index] = recorded }
                entries.append(PlanEntry(id: inst.id, key: key, state: .stale, reasons: ["cache entry corrupt: \(reason)"], lockNotes: [], onRemote: onRemote))
            case .missing:
                var reasons = ["never run"]
                if let previous {
                    reasons = KeyComponents.reasons(old: previous.components, oldProvenance: previous.provenance,
                                                    new: components.value, newProvenance: components.provenance)
                    if reasons.isEmpty { reasons = previous.key == key ? ["not in this cache"] : ["key changed"] }
                }
                if forced.contains(inst.index) { reasons.insert("forced", at: 0) }
                let onRemote = remote.map { $0.entries[key] != nil }
                if !forced.contains(inst.index), let recorded = remote?.entries[key]?.outputs { digests[inst.index] = recorded }
                entries.append(PlanEntry(id: inst.id, key: key, state: .stale, reasons: reasons, lockNotes: [], onRemote: onRemote))
            }
        }
        return entries
    }

    /// Stand-in digests for an upstream whose output is not known yet (only used for the own-params diff).
    private static func placeholder(_ upstream: Instance) -> [String: String] {
        Dictionary(uniqueKeysWithValues: upstream.kind.type.outputs.map { ($0.name, "pending") })
    }
}
