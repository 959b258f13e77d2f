import Foundation

extension RemoteTransfer {
    /// The committed entries of an experiment's instances (of `selected`, all when nil), one item per key with
    /// the instances sharing it, in instance order: what `push` and `export` send.
    public func entries(of experiment: Experiment, selected: Set<Int>? = nil) -> (items: [TransferItem], missing: [String]) {
        let lock = experiment.file.flatMap { try? LockFile.read(LockFile.url(for: $0)) } ?? nil
        var byKey: [String: [String]] = [:]
        var order: [String] = []
        var missing: [String] = []
        for entry in Planner.plan(experiment, store: store, lock: lock, selected: selected) {
            guard entry.state == .upToDate, let key = entry.key else {
                missing.append(entry.id)
                continue
            }
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(entry.id)
        }
        return (order.map { TransferItem(key: $0, instances: byKey[$0]!) }, missing)
    }

    /// Pulls every entry of the experiment's instances (of `selected`) the remote has and the cache lacks.
    ///
    /// Keys of downstream instances depend on upstream output digests, so the plan uses the digests the remote's
    /// index records; after each round it is made again from what was pulled (an index that lied about a
    /// digest only leads to keys the remote does not have), until a round brings nothing new.
    public func pull(_ experiment: Experiment, selected: Set<Int>? = nil, from remote: RemoteReader, jobs: Int = 1,
                     progress: (@Sendable (TransferProgress) -> Void)? = nil) throws(GraphError) -> TransferReport {
        let index = try RemoteIndex.read(from: remote)
        var total = TransferReport()
        var tried = Set<String>()
        var first = true
        while true {
            let plan = Planner.plan(experiment, store: store, lock: nil, selected: selected, remote: index)
            if first {
                // Entries already here count as present, so that a second pull says so.
                total.present = Array(Set(plan.filter { $0.state == .upToDate }.compactMap(\.key)))
                first = false
            }
            var byKey: [String: [String]] = [:]
            var order: [String] = []
            for entry in plan where entry.onRemote == true {
                guard let key = entry.key, !tried.contains(key) else { continue }
                if byKey[key] == nil { order.append(key) }
                byKey[key, default: []].append(entry.id)
            }
            if order.isEmpty { break }
            tried.formUnion(order)
            let items = order.map { TransferItem(key: $0, instances: byKey[$0]!, bytes: index.entries[$0]?.bytes ?? 0) }
            let round = pull(items, from: remote, jobs: jobs, progress: progress)
            total.transferred += round.transferred
            total.present += round.present
            total.absent += round.absent
            total.failures += round.failures
            total.bytes += round.bytes
            total.seconds += round.seconds
        }
        return total
    }
}
