import Crypto
import Foundation

/// SHA-256 helpers: hex digests of bytes, strings and files.
enum Hashing {
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(_ string: String) -> String {
        hex(SHA256.hash(data: Data(string.utf8)))
    }

    static func sha256(data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Streams a file through SHA-256 in 1 MiB reads.
    static func sha256(file path: String) throws(GraphError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GraphError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var hasher = SHA256()
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw GraphError.io(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hex(hasher.finalize())
    }
}

/// One file of a directory tree: path relative to the tree root, size in bytes, SHA-256 hex.
public struct FileRecord: Codable, Sendable, Hashable {
    public let path: String
    public let size: Int64
    public let sha256: String
}

/// Content digests of file trees, memoised by (device, inode, size, mtime, ctime) per file so unchanged files
/// are not re-read: a 300 000-file dataset is re-checked with one `stat` per file.
///
/// The memo is sharded by tree root (`<dir>/<h[0..2]>/<h>.tsv`, `h` = SHA-256 of the root path), loaded only
/// for the trees a run touches, and rewritten (atomically) after a walk that changed something. Any shard may
/// be deleted at any time; it only costs a re-read.
public final class DigestMemo: @unchecked Sendable {
    struct Stamp: Hashable {
        let device: UInt64, inode: UInt64, size: Int64, mtime: Int64, ctime: Int64
    }

    /// The memo of one tree: stamps and digests by path relative to the root.
    private struct Shard {
        var entries: [String: (Stamp, String)]
        var dirty: Bool
    }

    private let directory: URL?
    private let lock = NSLock()
    private var shards: [String: Shard] = [:]

    /// A memo stored under `directory` (nil: memory only).
    public init(directory: URL?) {
        self.directory = directory
    }

    private func shardFile(_ root: String) -> URL? {
        let h = Hashing.sha256(root)
        return directory?.appendingPathComponent(String(h.prefix(2))).appendingPathComponent(h + ".tsv")
    }

    private func loadShard(_ root: String) -> Shard {
        lock.lock()
        if let s = shards[root] { lock.unlock(); return s }
        lock.unlock()
        var entries: [String: (Stamp, String)] = [:]
        if let file = shardFile(root), let data = try? Data(contentsOf: file) { entries = Self.parse(data) }
        return Shard(entries: entries, dirty: false)
    }

    /// Reads `dev ino size mtime ctime sha path` lines (tab-separated) straight from bytes.
    private static func parse(_ data: Data) -> [String: (Stamp, String)] {
        var out: [String: (Stamp, String)] = [:]
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            let n = bytes.count
            func number() -> Int64? {
                var v: Int64 = 0, neg = false, any = false
                if i < n, bytes[i] == UInt8(ascii: "-") { neg = true; i += 1 }
                while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 { v = v &* 10 &+ Int64(bytes[i] - 0x30); i += 1; any = true }
                guard any, i < n, bytes[i] == 0x09 else { return nil }
                i += 1
                return neg ? -v : v
            }
            while i < n {
                let lineStart = i
                if let dev = number(), let ino = number(), let size = number(), let mt = number(), let ct = number(), i + 65 <= n, bytes[i + 64] == 0x09 {
                    let digest = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<i + 64]), as: UTF8.self)
                    i += 65
                    let pathStart = i
                    while i < n, bytes[i] != 0x0A { i += 1 }
                    let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[pathStart..<i]), as: UTF8.self)
                    out[path] = (Stamp(device: UInt64(bitPattern: dev), inode: UInt64(bitPattern: ino), size: size, mtime: mt, ctime: ct), digest)
                } else {
                    i = lineStart
                    while i < n, bytes[i] != 0x0A { i += 1 }
                }
                i += 1
            }
        }
        return out
    }

    static func stamp(_ path: String) throws(GraphError) -> (Stamp, isDirectory: Bool) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw GraphError.io(path: path, reason: String(cString: strerror(errno))) }
        let stamp = Stamp(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                          mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                          ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
        return (stamp, (st.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Re-keys the memo of a tree that moved (a staged entry renamed into `objects/`); stamps survive a rename.
    func move(from oldRoot: String, to newRoot: String) {
        lock.lock(); defer { lock.unlock() }
        if var s = shards.removeValue(forKey: oldRoot) {
            s.dirty = true
            shards[newRoot] = s
        }
    }

    /// Records the digest of a file just written and hashed (an object a pull downloaded), so that verifying its
    /// tree stats it instead of reading it again; `relative` is its path under the tree `root`.
    func remember(root: String, relative: String, file: String, sha256: String) throws(GraphError) {
        let (stamp, _) = try Self.stamp(file)
        var shard = loadShard(root)
        shard.entries[relative] = (stamp, sha256)
        shard.dirty = true
        lock.lock()
        shards[root] = shard
        lock.unlock()
    }

    /// Drops the memo of a tree (in memory and on disk), so its files are re-read next time.
    func forget(_ root: String) {
        lock.lock()
        shards.removeValue(forKey: root)
        lock.unlock()
        if let file = shardFile(root) { FileSystem.remove(file) }
    }

    /// Deletes shards whose tree no longer exists (entries removed by `gc`, datasets moved away).
    /// Returns how many were removed.
    func prune() -> Int {
        guard let directory else { return 0 }
        var removed = 0
        for shardDir in (try? FileSystem.list(directory.path)) ?? [] {
            let dir = directory.appendingPathComponent(shardDir)
            for name in (try? FileSystem.list(dir.path)) ?? [] where name.hasSuffix(".tsv") {
                let file = dir.appendingPathComponent(name)
                guard let handle = FileHandle(forReadingAtPath: file.path) else { continue }
                let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
                try? handle.close()
                guard let first = head.split(separator: "\n").first, first.hasPrefix("#\t") else { continue }
                if !FileManager.default.fileExists(atPath: String(first.dropFirst(2))) {
                    FileSystem.remove(file)
                    removed += 1
                }
            }
        }
        return removed
    }

    /// Saves, turning a failure (a full disk) into a warning's text: the memo only spares re-hashing, so no
    /// result depends on it. Nil when saved.
    public func saveOrWarning() -> String? {
        do { try save() } catch {
            return "the digest memo was not saved (the next run re-hashes unchanged files): \(error.plainDescription)"
        }
        return nil
    }

    /// Writes the shards that changed, each atomically (a concurrent writer's shard is equally valid).
    public func save() throws(GraphError) {
        lock.lock()
        let dirty = shards.filter { $0.value.dirty }
        for key in dirty.keys { shards[key]?.dirty = false }
        lock.unlock()
        for (root, shard) in dirty {
            guard let file = shardFile(root) else { continue }
            try FileSystem.makeDirectory(file.deletingLastPathComponent())
            var text = "#\t\(root)\n"
            text.reserveCapacity(shard.entries.count * 120)
            for (path, (s, d)) in shard.entries {
                text += "\(s.device)\t\(s.inode)\t\(s.size)\t\(s.mtime)\t\(s.ctime)\t\(d)\t\(path)\n"
            }
            try FileSystem.writeAtomically(Data(text.utf8), to: file)
        }
    }

    /// The fingerprint of a file or directory tree and its file records (paths relative to `root`).
    ///
    /// A directory's digest covers every file's relative path, size and content digest and every empty
    /// directory; symbolic links are followed. A single file's digest is its content digest.
    public func tree(_ root: String) throws(GraphError) -> (digest: String, files: [FileRecord]) {
        var shard = loadShard(root)
        var seen: [String: (Stamp, String)] = [:]
        var changed = false
        func digest(_ path: String, _ rel: String, _ stamp: Stamp) throws(GraphError) -> String {
            if let (s, d) = shard.entries[rel], s == stamp {
                seen[rel] = (s, d)
                return d
            }
            let d = try Hashing.sha256(file: path)
            seen[rel] = (stamp, d)
            changed = true
            return d
        }
        let (rootStamp, isDir) = try Self.stamp(root)
        let result: (String, [FileRecord])
        if !isDir {
            let d = try digest(root, "", rootStamp)
            result = ("file:" + d, [FileRecord(path: "", size: rootStamp.size, sha256: d)])
        } else {
            var files: [FileRecord] = []
            var listing = ""
            var stack: [(String, String)] = [(root, "")]
            var ordered: [(path: String, rel: String)] = []
            // Depth-first in sorted order, so the listing (and digest) does not depend on the file system.
            while let (dir, relative) = stack.popLast() {
                let names = try FileSystem.list(dir)
                if names.isEmpty && !relative.isEmpty { ordered.append((dir, relative + "/")) }
                var subdirs: [(String, String)] = []
                for name in names {
                    let path = dir + "/" + name
                    let rel = relative.isEmpty ? name : relative + "/" + name
                    let (s, isSub) = try Self.stamp(path)
                    if isSub { subdirs.append((path, rel)) } else {
                        files.append(FileRecord(path: rel, size: s.size, sha256: try digest(path, rel, s)))
                    }
                }
                stack.append(contentsOf: subdirs.reversed())
            }
            files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            var emptyDirs = ordered.map(\.rel)
            emptyDirs.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for f in files { listing += "f\t\(f.path)\t\(f.size)\t\(f.sha256)\n" }
            for d in emptyDirs { listing += "d\t\(d)\n" }
            result = ("tree:" + Hashing.sha256(listing), files)
        }
        if changed || seen.count != shard.entries.count {
            shard.entries = seen
            shard.dirty = true
        }
        lock.lock()
        shards[root] = shard
        lock.unlock()
        return result
    }
}
