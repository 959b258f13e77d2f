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

/// Content digests of files, memoised by (device, inode, size, mtime, ctime) so unchanged files are not
/// re-read: a 300 000-file dataset is re-checked with one `stat` per file.
///
/// The memo lives in one text file (`<cache>/memo/digests.tsv`); `save()` merges with what other runs wrote.
public final class DigestMemo: @unchecked Sendable {
    struct Stamp: Hashable {
        let device: UInt64, inode: UInt64, size: Int64, mtime: Int64, ctime: Int64
    }

    private let file: URL?
    private let lock = NSLock()
    private var entries: [String: (Stamp, String)] = [:]
    private var added: [String: (Stamp, String)] = [:]

    /// Loads the memo from `file` (nil: memory only).
    public init(file: URL?) {
        self.file = file
        if let file, let text = try? String(contentsOf: file, encoding: .utf8) {
            entries = Self.parse(text)
        }
    }

    private static func parse(_ text: String) -> [String: (Stamp, String)] {
        var out: [String: (Stamp, String)] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", maxSplits: 6, omittingEmptySubsequences: false)
            guard f.count == 7, let dev = UInt64(f[0]), let ino = UInt64(f[1]), let size = Int64(f[2]),
                  let mt = Int64(f[3]), let ct = Int64(f[4]), f[5].count == 64 else { continue }
            out[String(f[6])] = (Stamp(device: dev, inode: ino, size: size, mtime: mt, ctime: ct), String(f[5]))
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

    /// The SHA-256 of a regular file, from the memo when its stamp is unchanged.
    func digest(ofFile path: String, stamp: Stamp) throws(GraphError) -> String {
        lock.lock()
        if let (s, d) = entries[path], s == stamp { lock.unlock(); return d }
        lock.unlock()
        let d = try Hashing.sha256(file: path)
        remember(path, stamp: stamp, digest: d)
        return d
    }

    func remember(_ path: String, stamp: Stamp, digest: String) {
        lock.lock(); defer { lock.unlock() }
        entries[path] = (stamp, digest)
        added[path] = (stamp, digest)
    }

    /// Records a digest known for a file that moved (a committed entry) under its new path.
    func move(from old: String, to new: String) {
        lock.lock(); defer { lock.unlock() }
        if let e = entries.removeValue(forKey: old) {
            added.removeValue(forKey: old)
            entries[new] = e
            added[new] = e
        }
    }

    /// Writes new entries, merged with the file's current content, atomically (under a lock file).
    public func save() throws(GraphError) {
        guard let file else { return }
        lock.lock()
        let fresh = added
        added = [:]
        lock.unlock()
        guard !fresh.isEmpty else { return }
        let dir = file.deletingLastPathComponent()
        try FileSystem.makeDirectory(dir)
        let guardLock = try FileLock(path: file.path + ".lock")
        guardLock.lock()
        defer { guardLock.unlock() }
        var merged = (try? String(contentsOf: file, encoding: .utf8)).map(Self.parse) ?? [:]
        for (k, v) in fresh { merged[k] = v }
        var text = ""
        text.reserveCapacity(merged.count * 160)
        for (path, (s, d)) in merged where FileManager.default.fileExists(atPath: path) {
            text += "\(s.device)\t\(s.inode)\t\(s.size)\t\(s.mtime)\t\(s.ctime)\t\(d)\t\(path)\n"
        }
        try FileSystem.writeAtomically(Data(text.utf8), to: file)
    }

    /// The fingerprint of a file or directory tree and its file records (paths relative to `root`).
    ///
    /// A directory's digest covers every file's relative path and content and every empty directory; symbolic
    /// links are followed. A single file's digest is its content digest.
    public func tree(_ root: String) throws(GraphError) -> (digest: String, files: [FileRecord]) {
        let (rootStamp, isDir) = try Self.stamp(root)
        if !isDir {
            let d = try digest(ofFile: root, stamp: rootStamp)
            return ("file:" + d, [FileRecord(path: "", size: rootStamp.size, sha256: d)])
        }
        var files: [FileRecord] = []
        var listing = ""
        try walk(root, relative: "", files: &files, listing: &listing)
        return ("tree:" + Hashing.sha256(listing), files)
    }

    private func walk(_ dir: String, relative: String, files: inout [FileRecord], listing: inout String) throws(GraphError) {
        let names = try FileSystem.list(dir)
        if names.isEmpty && !relative.isEmpty { listing += "d\t\(relative)\n" }
        for name in names {
            let path = dir + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            let (s, isDir) = try Self.stamp(path)
            if isDir {
                try walk(path, relative: rel, files: &files, listing: &listing)
            } else {
                let d = try digest(ofFile: path, stamp: s)
                files.append(FileRecord(path: rel, size: s.size, sha256: d))
                listing += "f\t\(rel)\t\(s.size)\t\(d)\n"
            }
        }
    }
}
