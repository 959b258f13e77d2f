import Foundation

/// The content-addressed store of node results.
///
/// Layout under `root`:
/// - `objects/<k[0..2]>/<key>/` — `manifest.json`, `log.txt`, `outputs/<name>/…`; complete or absent.
/// - `tmp/<key>-<random>/` — entries being written; renamed into `objects` once fsynced.
/// - `locks/<key>.lock` — `flock` per key, so concurrent runs never build one key twice.
/// - `partial/<key>/` — snapshots a killed node resumes from; removed once the entry is committed.
/// - `memo/` — file digests memoised by stat stamp, one shard per tree (see `DigestMemo`).
public final class CacheStore: @unchecked Sendable {
    public let root: URL
    public let memo: DigestMemo
    /// Staging directories this process created and has not yet committed or discarded.
    private var active: Set<String> = []
    private let activeLock = NSLock()

    /// What a lookup found.
    public enum Lookup {
        case hit(Manifest, directory: URL)
        case missing
        /// An entry exists but does not match its manifest; it must be recomputed.
        case corrupt(reason: String)
    }

    /// Opens (creating if needed) the cache at `root`.
    public init(root: URL) throws(GraphError) {
        self.root = root.standardizedFileURL
        for sub in ["objects", "tmp", "locks", "partial", "memo", "trash"] {
            try FileSystem.makeDirectory(self.root.appendingPathComponent(sub))
        }
        memo = DigestMemo(directory: self.root.appendingPathComponent("memo"))
    }

    /// The cache directory for an experiment: `--cache`, else `$PALIMPSEST_CACHE`, else `cache/` in the project
    /// root (the nearest ancestor of the experiment file holding `.git`, `Package.swift` or `cache/`; else the
    /// experiment's own directory).
    public static func defaultRoot(explicit: String?, experimentFile: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let explicit { return URL(fileURLWithPath: explicit, relativeTo: cwd).standardizedFileURL }
        if let env = environment["PALIMPSEST_CACHE"], !env.isEmpty { return URL(fileURLWithPath: env, relativeTo: cwd).standardizedFileURL }
        let start = experimentFile?.deletingLastPathComponent().standardizedFileURL ?? cwd
        var dir = start
        while dir.path != "/" {
            for marker in [".git", "Package.swift", "cache"] where FileSystem.exists(dir.appendingPathComponent(marker)) {
                return dir.appendingPathComponent("cache")
            }
            dir = dir.deletingLastPathComponent()
        }
        return start.appendingPathComponent("cache")
    }

    public func entryDirectory(_ key: String) -> URL {
        root.appendingPathComponent("objects").appendingPathComponent(String(key.prefix(2))).appendingPathComponent(key)
    }

    func partialDirectory(_ key: String) -> URL {
        root.appendingPathComponent("partial").appendingPathComponent(key)
    }

    /// A new lock object for `key` (not yet held).
    func lock(_ key: String) throws(GraphError) -> FileLock {
        try FileLock(path: root.appendingPathComponent("locks/\(key).lock").path)
    }

    /// Finds and verifies the entry for `key`: manifest readable and for this key, every output file present
    /// with its recorded size and digest, no extra files.
    public func lookup(_ key: String) -> Lookup {
        verify(entryDirectory(key), key: key)
    }

    /// Checks an entry directory (committed or staged) against `key` like `lookup`.
    func verify(_ dir: URL, key: String) -> Lookup {
        let manifestURL = dir.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: manifestURL) else {
            return FileSystem.exists(dir) ? .corrupt(reason: "manifest.json missing or unreadable") : .missing
        }
        let manifest: Manifest
        do { manifest = try Manifest.decode(data) } catch { return .corrupt(reason: "manifest.json does not parse: \(GraphError.describe(error))") }
        guard manifest.key == key, Hashing.sha256(manifest.components.canonicalJSON) == key else {
            return .corrupt(reason: "manifest.json belongs to another key")
        }
        do {
            for (name, record) in manifest.outputs {
                let outDir = dir.appendingPathComponent("outputs").appendingPathComponent(name).path
                let (digest, files) = try memo.tree(outDir)
                if digest != record.digest {
                    let expected = Dictionary(record.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
                    let bad = files.first { expected[$0.path] != $0 }?.path
                        ?? record.files.first { f in !files.contains { $0.path == f.path } }.map { "\($0.path) missing" }
                        ?? "directory listing"
                    return .corrupt(reason: "output \(name): \(bad) does not match its digest")
                }
            }
        } catch {
            return .corrupt(reason: GraphError.describe(error))
        }
        return .hit(manifest, directory: dir)
    }

    /// Reads a manifest without verifying outputs (for `show`, `gc`).
    public func manifest(_ key: String) -> Manifest? {
        (try? Data(contentsOf: entryDirectory(key).appendingPathComponent("manifest.json"))).flatMap { try? Manifest.decode($0) }
    }

    /// A fresh staging directory for `key` with `outputs/<name>/`, `work/` and `log.txt`; stale staging
    /// directories of the same key (from killed runs) are removed first. Call with the key's lock held.
    func stage(_ key: String, outputs: [String]) throws(GraphError) -> URL {
        let dir = freshStagingPath(key)
        do {
            for name in outputs { try FileSystem.makeDirectory(dir.appendingPathComponent("outputs").appendingPathComponent(name)) }
            try FileSystem.makeDirectory(dir.appendingPathComponent("work"))
            try FileSystem.makeDirectory(partialDirectory(key))
        } catch {
            discard(dir)
            throw error
        }
        return dir
    }

    /// A new staging path `tmp/<key>-<random>` (not yet created), registered as active; stale staging directories
    /// of the same key, from killed runs or pulls, are removed first. Call with the key's lock held.
    private func freshStagingPath(_ key: String) -> URL {
        let tmp = root.appendingPathComponent("tmp")
        for name in (try? FileSystem.list(tmp.path)) ?? [] where name.hasPrefix(key + "-") {
            FileSystem.remove(tmp.appendingPathComponent(name))
        }
        let dir = tmp.appendingPathComponent("\(key)-\(UUID().uuidString.prefix(8))")
        activeLock.lock()
        active.insert(dir.path)
        activeLock.unlock()
        return dir
    }

    /// Removes a staging directory that will not be committed.
    func discard(_ staging: URL) {
        FileSystem.remove(staging)
        activeLock.lock()
        active.remove(staging.path)
        activeLock.unlock()
    }

    /// Removes every staging directory of this process not yet committed or discarded (an interrupted run's).
    public func discardActiveStaging() {
        activeLock.lock()
        let all = active
        active = []
        activeLock.unlock()
        for path in all { FileSystem.remove(URL(fileURLWithPath: path)) }
    }

    /// Makes a staged entry durable and visible: writes the manifest, fsyncs everything, renames the staging
    /// directory into `objects/` (moving any previous, corrupt or forced-out entry to `trash/` first).
    func commit(staging: URL, manifest: Manifest) throws(GraphError) -> URL {
        FileSystem.remove(staging.appendingPathComponent("work"))
        let data: Data
        do { data = try manifest.encoded() } catch { throw GraphError.io(path: staging.path, reason: GraphError.describe(error)) }
        let manifestURL = staging.appendingPathComponent("manifest.json")
        do { try data.write(to: manifestURL) } catch {
            throw GraphError.io(path: manifestURL.path, reason: "cannot write the manifest: " + GraphError.reason(for: error))
        }
        try FileSystem.fsyncTree(staging.path)
        let final = entryDirectory(manifest.key)
        let parent = final.deletingLastPathComponent()
        try FileSystem.makeDirectory(parent)
        if FileSystem.exists(final) { evict(manifest.key) }
        guard rename(staging.path, final.path) == 0 else {
            throw GraphError.io(path: final.path, reason: "rename: " + String(cString: strerror(errno)))
        }
        activeLock.lock()
        active.remove(staging.path)
        activeLock.unlock()
        try FileSystem.fsync(parent.path)
        for name in manifest.outputs.keys {
            let rel = "outputs/\(name)"
            memo.move(from: staging.appendingPathComponent(rel).path, to: final.appendingPathComponent(rel).path)
        }
        FileSystem.remove(partialDirectory(manifest.key))
        return final
    }

    /// A fresh, empty staging directory for an entry arriving from a remote or an archive (stale ones of the same
    /// key, from killed pulls, are removed first). Call with the key's lock held.
    func stageImport(_ key: String) throws(GraphError) -> URL {
        let dir = freshStagingPath(key)
        do { try FileSystem.makeDirectory(dir) } catch {
            discard(dir)
            throw error
        }
        return dir
    }

    /// Commits an imported entry: verified like `lookup` (its manifest is for `key`, its components hash to
    /// `key`, every output matches its digest, nothing extra) while still staged, then fsynced and renamed into
    /// `objects/`. A staging that does not verify is removed and the reason thrown. Call with the key's lock held.
    func commitImport(staging: URL, key: String) throws(GraphError) -> Manifest {
        let manifest: Manifest
        switch verify(staging, key: key) {
        case .hit(let m, _): manifest = m
        case .corrupt(let reason):
            discard(staging)
            throw GraphError.io(path: staging.path, reason: reason)
        case .missing:
            discard(staging)
            throw GraphError.io(path: staging.path, reason: "manifest.json missing")
        }
        let final = entryDirectory(key)
        do {
            try FileSystem.fsyncTree(staging.path)
            try FileSystem.makeDirectory(final.deletingLastPathComponent())
        } catch {
            discard(staging)
            throw error
        }
        if FileSystem.exists(final) { evict(key) }
        guard rename(staging.path, final.path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard(staging)
            throw GraphError.io(path: final.path, reason: "rename: " + reason)
        }
        activeLock.lock()
        active.remove(staging.path)
        activeLock.unlock()
        try? FileSystem.fsync(final.deletingLastPathComponent().path)
        for name in manifest.outputs.keys {
            let rel = "outputs/\(name)"
            memo.move(from: staging.appendingPathComponent(rel).path, to: final.appendingPathComponent(rel).path)
        }
        return manifest
    }

    /// Removes an entry: renamed into `trash/` first (atomic), then deleted.
    func evict(_ key: String) {
        let dir = entryDirectory(key)
        let trash = root.appendingPathComponent("trash/\(key)-\(UUID().uuidString.prefix(8))")
        if rename(dir.path, trash.path) == 0 { FileSystem.remove(trash) } else { FileSystem.remove(dir) }
    }

    /// Every committed key.
    public func allKeys() -> [String] {
        let objects = root.appendingPathComponent("objects").path
        return ((try? FileSystem.list(objects)) ?? []).flatMap { shard in
            ((try? FileSystem.list(objects + "/" + shard)) ?? []).filter { $0.count == 64 }
        }
    }
}
