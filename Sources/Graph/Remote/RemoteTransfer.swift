import Foundation

/// One cache entry to move, with the instances it belongs to (for messages) and its size when known.
public struct TransferItem: Sendable {
    public let key: String
    public let instances: [String]
    /// Bytes of its files (0 when not known before its record is read).
    public let bytes: Int64

    public init(key: String, instances: [String], bytes: Int64 = 0) {
        self.key = key
        self.instances = instances
        self.bytes = bytes
    }
}

/// How a push or pull went, per entry.
public struct TransferReport: Sendable {
    /// Keys copied in this call.
    public var transferred: [String] = []
    /// Keys the other side already had (nothing copied).
    public var present: [String] = []
    /// Keys the source does not have (a pull from a remote without them; a push of an entry not in the cache).
    public var absent: [String] = []
    /// Entries refused or failed, with the reason naming the instance and the object.
    public var failures: [(key: String, message: String)] = []
    /// Bytes copied.
    public var bytes: Int64 = 0
    public var seconds: Double = 0
}

/// Progress while transferring: entries finished of all, bytes copied of all known.
public struct TransferProgress: Sendable {
    public let entries: Int
    public let totalEntries: Int
    public let bytes: Int64
    public let totalBytes: Int64
}

/// Copies cache entries between a `CacheStore` and a remote, `jobs` entries at a time.
///
/// Push uploads an entry's objects (skipping those the remote has: contents are shared by digest) and then its
/// record, then merges the index; so a remote never lists an entry whose objects are not all there, and an
/// interrupted push resumes by skipping what is already uploaded. Pull trusts nothing it reads: the record's
/// paths must stay inside the entry, every object must have its recorded size and SHA-256, and the staged entry
/// must verify against its key (as `CacheStore.lookup` verifies) before the store's atomic commit.
public final class RemoteTransfer: @unchecked Sendable {
    public let store: CacheStore

    public init(store: CacheStore) {
        self.store = store
    }

    // MARK: Push

    /// Uploads the entries of `items` the remote lacks, then merges them into its index.
    public func push(_ items: [TransferItem], to remote: RemoteWriter, jobs: Int = 1,
                     progress: (@Sendable (TransferProgress) -> Void)? = nil) throws(GraphError) -> TransferReport {
        let start = Date()
        var sized: [TransferItem] = []
        for item in items {
            let bytes = store.manifest(item.key).map { m in m.outputs.values.reduce(Int64(0)) { $0 + $1.files.reduce(0) { $0 + $1.size } } } ?? 0
            sized.append(TransferItem(key: item.key, instances: item.instances, bytes: bytes))
        }
        let tally = Tally(items: sized, progress: progress)
        Self.parallel(sized, jobs: jobs) { item in
            do {
                let (entry, copied) = try self.pushEntry(item, to: remote, tally: tally)
                if let entry { tally.index(item.key, entry) }
                tally.finish(item, copied ? .transferred : (entry == nil ? .absent : .present))
            } catch {
                tally.fail(item, Self.name(item) + ": " + GraphError.describe(error))
            }
        }
        try updateIndex(of: remote, adding: tally.indexed)
        var report = tally.report
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Uploads one entry unless the remote has its record. Returns its index entry (nil when it is not in the
    /// cache) and whether anything was uploaded.
    private func pushEntry(_ item: TransferItem, to remote: RemoteWriter, tally: Tally) throws(GraphError) -> (RemoteIndex.Entry?, Bool) {
        guard case .hit(let manifest, let dir) = store.lookup(item.key) else { return (nil, false) }
        let indexEntry = RemoteIndex.Entry(bytes: item.bytes, files: manifest.outputs.values.reduce(0) { $0 + $1.files.count },
                                           outputs: manifest.outputs.mapValues(\.digest))
        let recordKey = RemoteLayout.recordKey(item.key)
        if try remote.exists(recordKey) { return (indexEntry, false) }
        var files: [EntryFile] = []
        for name in ["manifest.json", "log.txt"] {
            let url = dir.appendingPathComponent(name)
            guard FileSystem.exists(url) else { continue }
            let (stamp, _) = try DigestMemo.stamp(url.path)
            files.append(EntryFile(path: name, size: stamp.size, sha256: try Hashing.sha256(file: url.path)))
        }
        var directories: [String] = []
        for (name, record) in manifest.outputs.sorted(by: { $0.key < $1.key }) {
            for f in record.files { files.append(EntryFile(path: "outputs/\(name)/\(f.path)", size: f.size, sha256: f.sha256)) }
            directories += try Self.emptyDirectories(dir.appendingPathComponent("outputs/\(name)").path).map { "outputs/\(name)/\($0)" }
        }
        for file in files {
            let objectKey = RemoteLayout.objectKey(file.sha256)
            if try remote.exists(objectKey) {
                tally.skip(file.size)
                continue
            }
            try remote.upload(dir.appendingPathComponent(file.path), to: objectKey) { tally.add($0) }
        }
        let record = EntryRecord(format: RemoteLayout.format, key: item.key, files: files, directories: directories)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(record) } catch { throw GraphError.remote(location: remote.location, reason: GraphError.describe(error)) }
        try remote.write(data, to: recordKey)
        return (indexEntry, true)
    }

    /// Empty directories under `root`, relative, each with a trailing `/` (as tree digests list them).
    private static func emptyDirectories(_ root: String) throws(GraphError) -> [String] {
        var out: [String] = []
        var stack = [""]
        while let rel = stack.popLast() {
            let names = try FileSystem.list(rel.isEmpty ? root : root + "/" + rel)
            if names.isEmpty && !rel.isEmpty { out.append(rel + "/") }
            for name in names {
                let child = rel.isEmpty ? name : rel + "/" + name
                if try DigestMemo.stamp(root + "/" + child).isDirectory { stack.append(child) }
            }
        }
        return out.sorted()
    }

    /// Rewrites the remote's index: what it listed, plus `adding`, plus any entry record it lacks (left by a
    /// push that was interrupted before its index update, or by a concurrent push).
    private func updateIndex(of remote: RemoteWriter, adding: [String: RemoteIndex.Entry]) throws(GraphError) {
        var index = try RemoteIndex.readIfPresent(from: remote) ?? RemoteIndex()
        let before = index.entries.count
        for (key, entry) in adding { index.entries[key] = entry }
        for recordKey in try remote.list(prefix: "entries/") where recordKey.hasSuffix(".json") {
            let key = String(recordKey.split(separator: "/").last!.dropLast(5))
            guard RemoteLayout.isDigest(key), index.entries[key] == nil else { continue }
            if let entry = try? remoteIndexEntry(key, remote: remote) { index.entries[key] = entry }
        }
        if index.entries.count != before || !adding.isEmpty {
            try remote.write(index.encoded(), to: RemoteLayout.indexKey)
        }
    }

    /// The index entry of a record already on the remote, read from its record and manifest.
    private func remoteIndexEntry(_ key: String, remote: RemoteReader) throws(GraphError) -> RemoteIndex.Entry? {
        guard let record = try readRecord(key, from: remote), let m = record.files.first(where: { $0.path == "manifest.json" }),
              let data = try remote.read(RemoteLayout.objectKey(m.sha256), limit: RemoteLayout.recordLimit),
              Hashing.sha256(data: data) == m.sha256, let manifest = try? Manifest.decode(data), manifest.key == key else { return nil }
        return RemoteIndex.Entry(bytes: record.bytes, files: record.files.filter { $0.path.hasPrefix("outputs/") }.count, outputs: manifest.outputs.mapValues(\.digest))
    }

    // MARK: Pull

    /// Downloads the entries of `items` this cache lacks, each verified before it is committed.
    public func pull(_ items: [TransferItem], from remote: RemoteReader, jobs: Int = 1,
                     progress: (@Sendable (TransferProgress) -> Void)? = nil) -> TransferReport {
        let start = Date()
        let tally = Tally(items: items, progress: progress)
        Self.parallel(items, jobs: jobs) { item in
            do {
                tally.finish(item, try self.pullEntry(item, from: remote, lockHeld: false, tally: tally))
            } catch {
                tally.fail(item, GraphError.describe(error))
            }
        }
        var report = tally.report
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Pulls one entry for a run that already holds the key's lock (`run --pull`); false when the remote has
    /// no such entry. A rejected entry throws (and leaves nothing in the cache).
    public func fetch(_ key: String, instance: String, from remote: RemoteReader) throws(GraphError) -> Bool {
        let tally = Tally(items: [], progress: nil)
        return try pullEntry(TransferItem(key: key, instances: [instance]), from: remote, lockHeld: true, tally: tally) == .transferred
    }

    enum Outcome { case transferred, present, absent }

    private func pullEntry(_ item: TransferItem, from remote: RemoteReader, lockHeld: Bool, tally: Tally) throws(GraphError) -> Outcome {
        let key = item.key
        if case .hit = store.lookup(key) { return .present }
        let lock = lockHeld ? nil : try store.lock(key)
        lock?.lock()
        defer { lock?.unlock() }
        if case .hit = store.lookup(key) { return .present }
        guard let record = try readRecord(key, from: remote) else { return .absent }
        let who = Self.name(item)
        if let problem = record.problem(expectedKey: key) {
            throw GraphError.remote(location: remote.location, reason: "\(who): rejected: \(problem)")
        }
        let staging = try store.stageImport(key)
        do throws(GraphError) {
            let manifestFile = record.files.first { $0.path == "manifest.json" }!
            try fetchObject(manifestFile, into: staging, from: remote, who: who, tally: tally)
            let manifest: Manifest
            do { manifest = try Manifest.decode(Data(contentsOf: staging.appendingPathComponent("manifest.json"))) } catch {
                throw GraphError.remote(location: remote.location, reason: "\(who): rejected: manifest.json does not parse: \(GraphError.describe(error))")
            }
            guard manifest.key == key, Hashing.sha256(manifest.components.canonicalJSON) == key else {
                throw GraphError.remote(location: remote.location,
                                        reason: "\(who): rejected: manifest.json claims key \(manifest.key.prefix(12)) and components hashing to \(Hashing.sha256(manifest.components.canonicalJSON).prefix(12)), not \(key.prefix(12))")
            }
            for name in manifest.outputs.keys { try FileSystem.makeDirectory(staging.appendingPathComponent("outputs/\(name)")) }
            let outputNames = Set(manifest.outputs.keys)
            for path in record.files.map(\.path) + record.directories where path.hasPrefix("outputs/") {
                let name = String(path.dropFirst(8).prefix { $0 != "/" })
                guard outputNames.contains(name), path.count > 9 + name.count else {
                    throw GraphError.remote(location: remote.location, reason: "\(who): rejected: '\(path)' is not inside an output of the manifest")
                }
            }
            for d in record.directories { try FileSystem.makeDirectory(staging.appendingPathComponent(d)) }
            for file in record.files where file.path != "manifest.json" {
                try fetchObject(file, into: staging, from: remote, who: who, tally: tally)
            }
            do { _ = try store.commitImport(staging: staging, key: key) } catch {
                throw GraphError.remote(location: remote.location, reason: "\(who): rejected: \(error.plainDescription)")
            }
        } catch {
            store.discard(staging)
            throw error
        }
        return .transferred
    }

    /// Downloads one object to its path in the staging directory and checks its size and SHA-256.
    private func fetchObject(_ file: EntryFile, into staging: URL, from remote: RemoteReader, who: String, tally: Tally) throws(GraphError) {
        let target = staging.appendingPathComponent(file.path)
        let parent = target.deletingLastPathComponent()
        if !FileSystem.exists(parent) { try FileSystem.makeDirectory(parent) }
        let object = "object \(file.path) (\(file.sha256.prefix(12)))"
        let found: Bool
        do { found = try remote.download(RemoteLayout.objectKey(file.sha256), to: target, limit: file.size) { tally.add($0) } } catch {
            throw GraphError.remote(location: remote.location, reason: "\(who): rejected \(object): \(Self.reason(error))")
        }
        guard found else { throw GraphError.remote(location: remote.location, reason: "\(who): \(object) is missing on the remote") }
        let (stamp, _) = try DigestMemo.stamp(target.path)
        guard stamp.size == file.size else {
            throw GraphError.remote(location: remote.location, reason: "\(who): rejected \(object): truncated (\(stamp.size) of \(file.size) bytes)")
        }
        guard try Hashing.sha256(file: target.path) == file.sha256 else {
            throw GraphError.remote(location: remote.location, reason: "\(who): rejected \(object): its content does not match its SHA-256")
        }
        // The bytes were just hashed: the commit's tree check stats them instead of reading them again.
        if file.path.hasPrefix("outputs/") {
            let name = file.path.dropFirst(8).prefix { $0 != "/" }
            let root = staging.appendingPathComponent("outputs/\(name)").path
            try store.memo.remember(root: root, relative: String(file.path.dropFirst(9 + name.count)), file: target.path, sha256: file.sha256)
        }
    }

    private func readRecord(_ key: String, from remote: RemoteReader) throws(GraphError) -> EntryRecord? {
        guard let data = try remote.read(RemoteLayout.recordKey(key), limit: RemoteLayout.recordLimit) else { return nil }
        do { return try JSONDecoder().decode(EntryRecord.self, from: data) } catch {
            throw GraphError.remote(location: remote.location, reason: "entry \(key.prefix(12)): the entry record does not parse: \(GraphError.describe(error))")
        }
    }

    // MARK: Shared

    private static func name(_ item: TransferItem) -> String {
        (item.instances.isEmpty ? "entry" : item.instances.joined(separator: ", ")) + " (key \(item.key.prefix(12)))"
    }

    private static func reason(_ error: GraphError) -> String {
        if case .remote(_, let reason) = error { return reason }
        return error.plainDescription
    }

    /// Runs `body` for each item on `jobs` threads (8 MiB stacks, like the executor's workers).
    private static func parallel(_ items: [TransferItem], jobs: Int, _ body: @escaping @Sendable (TransferItem) -> Void) {
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, items.count)) {
            group.enter()
            let thread = Thread {
                while let i = next.take(below: items.count) { body(items[i]) }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
    }

    /// The next index to process, shared by the worker threads.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func take(below limit: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }

    /// Counts bytes and outcomes across worker threads and reports progress.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private let progress: (@Sendable (TransferProgress) -> Void)?
        private let totalEntries: Int
        private var totalBytes: Int64
        private var done = 0
        private(set) var report = TransferReport()
        private(set) var indexed: [String: RemoteIndex.Entry] = [:]

        init(items: [TransferItem], progress: (@Sendable (TransferProgress) -> Void)?) {
            self.progress = progress
            totalEntries = items.count
            totalBytes = items.reduce(0) { $0 + $1.bytes }
        }

        func add(_ bytes: Int64) {
            lock.lock()
            report.bytes += bytes
            let snapshot = TransferProgress(entries: done, totalEntries: totalEntries, bytes: report.bytes, totalBytes: max(totalBytes, report.bytes))
            lock.unlock()
            progress?(snapshot)
        }

        /// Bytes the other side already had (an object shared with another entry): not copied, not waited for.
        func skip(_ bytes: Int64) {
            lock.lock()
            totalBytes -= bytes
            lock.unlock()
        }

        func index(_ key: String, _ entry: RemoteIndex.Entry) {
            lock.lock()
            indexed[key] = entry
            lock.unlock()
        }

        func finish(_ item: TransferItem, _ outcome: Outcome) {
            lock.lock()
            switch outcome {
            case .transferred: report.transferred.append(item.key)
            case .present:
                report.present.append(item.key)
                totalBytes -= item.bytes
            case .absent:
                report.absent.append(item.key)
                totalBytes -= item.bytes
            }
            done += 1
            let snapshot = TransferProgress(entries: done, totalEntries: totalEntries, bytes: report.bytes, totalBytes: max(totalBytes, report.bytes))
            lock.unlock()
            progress?(snapshot)
        }

        func fail(_ item: TransferItem, _ message: String) {
            lock.lock()
            report.failures.append((item.key, message))
            done += 1
            lock.unlock()
        }
    }
}
