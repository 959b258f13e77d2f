import Foundation

/// Removes cache entries no experiment still reaches.
public enum GarbageCollector {
    public struct Report: Sendable {
        /// Keys kept (reachable from the experiments' current keys or their lock files).
        public let kept: Int
        /// Keys removed (or, in a dry run, that would be).
        public let removed: [String]
        /// Bytes freed (or to be freed).
        public let bytes: Int64
    }

    /// Keys reachable from an experiment: every planned key whose upstream is known, plus the keys its lock
    /// file records (so a published result stays reproducible from the cache).
    public static func reachableKeys(_ experiment: Experiment, store: CacheStore) throws(GraphError) -> Set<String> {
        let lock = try experiment.file.flatMap { f throws(GraphError) in try LockFile.read(LockFile.url(for: f)) }
        var keys = Set(Planner.plan(experiment, store: store, lock: lock).compactMap(\.key))
        for entry in lock?.instances.values ?? [:].values { keys.insert(entry.key) }
        return keys
    }

    /// Removes every entry not in `keep`, plus stale staging and partial directories whose key is unlocked.
    public static func collect(store: CacheStore, keep: Set<String>, dryRun: Bool) throws(GraphError) -> Report {
        var removed: [String] = []
        var bytes: Int64 = 0
        for key in store.allKeys().sorted() where !keep.contains(key) {
            let lock = try store.lock(key)
            guard lock.tryLock() else { continue }
            defer { lock.unlock() }
            bytes += size(of: store.entryDirectory(key).path)
            removed.append(key)
            if !dryRun { store.evict(key) }
        }
        if !dryRun {
            for sub in ["tmp", "partial"] {
                let dir = store.root.appendingPathComponent(sub)
                for name in (try? FileSystem.list(dir.path)) ?? [] {
                    let key = String(name.prefix(64))
                    if sub == "partial" && keep.contains(key) { continue }
                    let lock = try store.lock(key)
                    guard lock.tryLock() else { continue }
                    FileSystem.remove(dir.appendingPathComponent(name))
                    lock.unlock()
                }
            }
        }
        if !dryRun { _ = store.memo.prune() }
        return Report(kept: store.allKeys().count - (dryRun ? removed.count : 0), removed: removed, bytes: bytes)
    }

    static func size(of path: String) -> Int64 {
        var total: Int64 = 0
        if let e = FileManager.default.enumerator(atPath: path) {
            while let rel = e.nextObject() as? String {
                var st = stat()
                if lstat(path + "/" + rel, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int64(st.st_size) }
            }
        }
        return total
    }
}
