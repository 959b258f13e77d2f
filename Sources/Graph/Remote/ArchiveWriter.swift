import Foundation

/// Writes a tar archive as a push target (`palimpsest export`): each object becomes one member, appended in
/// the order written. The archive is built as `<out>.<pid>.tmp` and renamed to `out` by `finish()`, so an
/// interrupted export leaves no archive that looks complete.
public final class ArchiveWriter: RemoteWriter, @unchecked Sendable {
    public let location: String
    private let output: URL
    private let temporary: URL
    private let handle: FileHandle
    private let lock = NSLock()
    /// Data offset and size of each member written so far.
    private var written: [String: (offset: Int64, size: Int64)] = [:]
    private var end: Int64 = 0
    private let mtime = Int64(Date().timeIntervalSince1970)

    public init(output: URL) throws(GraphError) {
        self.output = output.standardizedFileURL
        location = self.output.path
        temporary = self.output.deletingLastPathComponent().appendingPathComponent(".\(self.output.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let h = FileHandle(forWritingAtPath: temporary.path) else {
            throw GraphError.io(path: temporary.path, reason: "cannot create the archive: \(String(cString: strerror(errno)))")
        }
        handle = h
    }

    public func exists(_ key: String) throws(GraphError) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return written[key] != nil
    }

    public func list(prefix: String) throws(GraphError) -> [String] {
        lock.lock(); defer { lock.unlock() }
        return written.keys.filter { $0.hasPrefix(prefix) }
    }

    /// A member written so far, read back from the unfinished archive.
    public func read(_ key: String, limit: Int) throws(GraphError) -> Data? {
        lock.lock()
        let member = written[key]
        lock.unlock()
        guard let member else { return nil }
        guard member.size <= Int64(limit) else { throw GraphError.remote(location: location, reason: "\(key) is larger than \(limit) bytes") }
        let fd = open(temporary.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GraphError.io(path: temporary.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var data = Data(count: Int(member.size))
        let n = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(member.size), off_t(member.offset)) }
        guard n == Int(member.size) else { throw GraphError.io(path: temporary.path, reason: "short read") }
        return data
    }

    /// A member written so far, copied out of the unfinished archive.
    public func download(_ key: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        guard let data = try read(key, limit: Int(min(limit, Int64(Int.max)))) else { return false }
        do { try data.write(to: file, options: .withoutOverwriting) } catch {
            throw GraphError.io(path: file.path, reason: GraphError.reason(for: error))
        }
        progress(Int64(data.count))
        return true
    }

    public func write(_ data: Data, to key: String) throws(GraphError) {
        lock.lock(); defer { lock.unlock() }
        try append(key, size: Int64(data.count)) { () throws(GraphError) in try put(data) }
    }

    public func upload(_ file: URL, to key: String, progress: (Int64) -> Void) throws(GraphError) {
        let source = open(file.path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw GraphError.io(path: file.path, reason: String(cString: strerror(errno))) }
        defer { close(source) }
        var st = stat()
        guard fstat(source, &st) == 0 else { throw GraphError.io(path: file.path, reason: String(cString: strerror(errno))) }
        let size = Int64(st.st_size)
        lock.lock(); defer { lock.unlock() }
        try append(key, size: size) { () throws(GraphError) in
            var left = size
            while left > 0 {
                let chunk: Data
                do { chunk = try FileHandle(fileDescriptor: source, closeOnDealloc: false).read(upToCount: Int(min(left, 1 << 20))) ?? Data() } catch {
                    throw GraphError.io(path: file.path, reason: GraphError.reason(for: error))
                }
                guard !chunk.isEmpty else { throw GraphError.io(path: file.path, reason: "the file shrank while it was archived") }
                try put(chunk)
                left -= Int64(chunk.count)
                progress(Int64(chunk.count))
            }
        }
    }

    /// Adds the local file `file` as member `name` (the experiment file and its lock).
    public func add(_ file: URL, as name: String) throws(GraphError) {
        try upload(file, to: name) { _ in }
    }

    /// Writes the end marker, fsyncs and renames the archive into place.
    public func finish() throws(GraphError) {
        lock.lock(); defer { lock.unlock() }
        try put(Data(count: 2 * TarHeader.blockSize))
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw GraphError.io(path: temporary.path, reason: GraphError.reason(for: error))
        }
        guard rename(temporary.path, output.path) == 0 else {
            throw GraphError.io(path: output.path, reason: String(cString: strerror(errno)))
        }
    }

    /// Removes the unfinished archive (after a failed export).
    public func abandon() {
        try? handle.close()
        unlink(temporary.path)
    }

    /// Appends a header, the body `body` writes, and the padding to the next block. Call with `lock` held.
    private func append(_ key: String, size: Int64, body: () throws(GraphError) -> Void) throws(GraphError) {
        guard key.utf8.count <= 100 else { throw GraphError.usage("archive member name \(key) is longer than 100 bytes") }
        try put(Data(TarHeader.encode(name: key, size: size, mtime: mtime)))
        let offset = end
        try body()
        let padding = Int((TarHeader.blockSize - Int(size % Int64(TarHeader.blockSize))) % TarHeader.blockSize)
        if padding > 0 { try put(Data(count: padding)) }
        written[key] = (offset, size)
    }

    private func put(_ data: Data) throws(GraphError) {
        end += Int64(data.count)
        do { try handle.write(contentsOf: data) } catch {
            throw GraphError.io(path: temporary.path, reason: "cannot write the archive: " + GraphError.reason(for: error))
        }
    }
}
