import Foundation

/// `palimpsest verify`: re-hashes cache entries against their manifests, reading every byte whatever the
/// files' metadata say, and moves damaged entries to `quarantine/` so the next run recomputes them.
///
/// A lookup trusts a file whose (device, inode, size, mtime, ctime) stamp is unchanged; bit rot or an edit
/// that restores the mtime keeps the stamp, so only a full re-read finds it (as `git fsck` does).
public struct Verifier: Sendable {
    /// What one entry's check found.
    public struct Result: Sendable, Codable {
        public let key: String
        /// Instances of the experiment with this key (empty when verifying the whole cache).
        public let instances: [String]
        /// Bytes read.
        public let bytes: Int64
        /// Nil when the entry matches its manifest.
        public let damage: String?
        /// Where the damaged entry was moved.
        public let quarantined: String?
    }

    /// Progress after each entry: entries done, entries in all, bytes read so far, bytes in all.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int, _ bytes: Int64, _ totalBytes: Int64) -> Void

    public let store: CacheStore

    public init(store: CacheStore) {
        self.store = store
    }

    /// Checks `keys` (each with the instances it belongs to), in order.
    public func verify(_ keys: [(key: String, instances: [String])], progress: Progress? = nil) -> [Result] {
        let manifests = keys.map { store.manifest($0.key) }
        let totalBytes = manifests.reduce(Int64(0)) { sum, m in
            sum + (m?.outputs.values.reduce(Int64(0)) { $0 + $1.files.reduce(0) { $0 + $1.size } } ?? 0)
        }
        var results: [Result] = []
        var bytes: Int64 = 0
        for (i, entry) in keys.enumerated() {
            let (damage, read) = check(entry.key, manifest: manifests[i])
            bytes += read
            var quarantined: String?
            if damage != nil { quarantined = quarantine(entry.key) }
            results.append(Result(key: entry.key, instances: entry.instances, bytes: read, damage: damage, quarantined: quarantined))
            progress?(i + 1, keys.count, bytes, totalBytes)
        }
        return results
    }

    /// The keys of every committed entry, or of the instances of `experiment` the cache holds.
    public func keys(of experiment: Experiment?) -> [(key: String, instances: [String])] {
        guard let experiment else { return store.allKeys().sorted().map { ($0, []) } }
        let lock = experiment.file.flatMap { try? LockFile.read(LockFile.url(for: $0)) } ?? nil
        var byKey: [String: [String]] = [:]
        var order: [String] = []
        for entry in Planner.plan(experiment, store: store, lock: lock) {
            guard let key = entry.key, FileSystem.exists(store.entryDirectory(key)) else { continue }
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(entry.id)
        }
        return order.map { ($0, byKey[$0]!) }
    }

    /// Why the entry does not match its manifest (nil when it does), and the bytes read.
    private func check(_ key: String, manifest: Manifest?) -> (String?, Int64) {
        guard let manifest else { return ("manifest.json missing or unreadable", 0) }
        guard manifest.key == key, Hashing.sha256(manifest.components.canonicalJSON) == key else {
            return ("manifest.json belongs to another key", 0)
        }
        let fresh = DigestMemo(directory: nil)
        var read: Int64 = 0
        for (name, record) in manifest.outputs.sorted(by: { $0.key < $1.key }) {
            let root = store.entryDirectory(key).appendingPathComponent("outputs").appendingPathComponent(name).path
            let digest: String, files: [FileRecord]
            do { (digest, files) = try fresh.tree(root) } catch { return ("output \(name): \(error.plainDescription)", read) }
            read += files.reduce(0) { $0 + $1.size }
            guard digest != record.digest else { continue }
            let actual = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            for expected in record.files {
                guard let found = actual[expected.path] else { return ("output \(name): \(expected.path) is missing", read) }
                if found.size != expected.size {
                    return ("output \(name): \(expected.path) is \(found.size) bytes, the manifest says \(expected.size)", read)
                }
                if found.sha256 != expected.sha256 {
                    return ("output \(name): \(expected.path) does not match its SHA-256 (same size, \(found.size) bytes)", read)
                }
            }
            let extra = files.first { f in !record.files.contains { $0.path == f.path } }
            return ("output \(name): " + (extra.map { "\($0.path) is not in the manifest" } ?? "the directory listing differs"), read)
        }
        return (nil, read)
    }

    /// Moves a damaged entry to `quarantine/<key>-<time>` (kept for inspection; delete it at will) and forgets
    /// its memoised digests. Returns the new path, or nil when the entry could not be moved (then it is removed).
    private func quarantine(_ key: String) -> String? {
        let dir = store.entryDirectory(key)
        let target = store.root.appendingPathComponent("quarantine")
            .appendingPathComponent("\(key)-\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.prefix(6))")
        for name in store.manifest(key)?.outputs.keys.sorted() ?? [] {
            store.memo.forget(dir.appendingPathComponent("outputs").appendingPathComponent(name).path)
        }
        let lock = try? store.lock(key)
        lock?.lock()
        defer { lock?.unlock() }
        if (try? FileSystem.makeDirectory(target.deletingLastPathComponent())) != nil, rename(dir.path, target.path) == 0 {
            return target.path
        }
        store.evict(key)
        return nil
    }
}
