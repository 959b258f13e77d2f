import Foundation

/// Small POSIX helpers: durable writes, directory listing and an advisory `flock` lock.
enum FileSystem {
    static func makeDirectory(_ url: URL) throws(GraphError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw GraphError.io(path: url.path, reason: "cannot create the directory: " + GraphError.reason(for: error))
        }
    }

    /// Sorted names in a directory (byte order, so digests do not depend on the locale).
    static func list(_ dir: String) throws(GraphError) -> [String] {
        guard let d = opendir(dir) else { throw GraphError.io(path: dir, reason: String(cString: strerror(errno))) }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Flushes a file or directory to stable storage.
    static func fsync(_ path: String) throws(GraphError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GraphError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else { throw GraphError.io(path: path, reason: "fsync: " + String(cString: strerror(errno))) }
    }

    /// fsyncs every file and directory under `root`, children before parents.
    static func fsyncTree(_ root: String) throws(GraphError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else { return }
        if isDir.boolValue {
            for name in try list(root) { try fsyncTree(root + "/" + name) }
        }
        try fsync(root)
    }

    /// Writes via a temporary sibling, fsync and rename, so readers see the old or the new file, never a mix.
    static func writeAtomically(_ data: Data, to url: URL) throws(GraphError) {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UUID().uuidString.prefix(8)).tmp")
        do { try data.write(to: tmp) } catch {
            unlink(tmp.path)
            throw GraphError.io(path: tmp.path, reason: "cannot write: " + GraphError.reason(for: error))
        }
        do { try fsync(tmp.path) } catch {
            unlink(tmp.path)
            throw error
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw GraphError.io(path: url.path, reason: reason)
        }
        try? fsync(url.deletingLastPathComponent().path)
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    static func exists(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.path)
    }
}

/// An exclusive advisory lock on a file (`flock`), released on `unlock` or when the process dies.
///
/// Each `FileLock` opens its own descriptor (close-on-exec, so child commands do not inherit it), so two
/// locks on one path conflict even inside one process.
final class FileLock: @unchecked Sendable {
    private let fd: Int32
    let path: String

    init(path: String) throws(GraphError) {
        self.path = path
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GraphError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    /// Blocks until the lock is held.
    func lock() {
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    /// Takes the lock if free; false when another holder has it.
    func tryLock() -> Bool {
        flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    func unlock() {
        flock(fd, LOCK_UN)
    }
}
