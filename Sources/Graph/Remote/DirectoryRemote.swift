import Foundation

/// A remote in a local or mounted directory (a lab share, a mounted bucket): objects are files under `root`,
/// written to `root/tmp/` first, fsynced and renamed into place, so a killed push leaves whole objects only.
public struct DirectoryRemote: RemoteWriter {
    public let root: URL
    public let location: String

    /// - Parameter create: make the directory when it does not exist (push); a pull from a missing one fails.
    public init(root: URL, location: String? = nil, create: Bool) throws(GraphError) {
        self.root = root.standardizedFileURL
        self.location = location ?? self.root.path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: self.root.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw GraphError.remote(location: self.location, reason: "not a directory") }
        } else if create {
            try FileSystem.makeDirectory(self.root)
        } else {
            throw GraphError.remote(location: self.location, reason: "no such directory")
        }
    }

    private func url(_ key: String) -> URL {
        precondition(RemoteLayout.unsafePathReason(key) == nil, "remote key \(key) is not a plain relative path")
        return root.appendingPathComponent(key)
    }

    public func read(_ key: String, limit: Int) throws(GraphError) -> Data? {
        let fd = open(url(key).path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw GraphError.remote(location: location, reason: "\(key): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let data: Data
        do { data = try handle.read(upToCount: limit + 1) ?? Data() } catch {
            throw GraphError.remote(location: location, reason: "\(key): \(GraphError.reason(for: error))")
        }
        guard data.count <= limit else { throw GraphError.remote(location: location, reason: "\(key) is larger than \(limit) bytes") }
        return data
    }

    public func download(_ key: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        let source = open(url(key).path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else {
            if errno == ENOENT { return false }
            throw GraphError.remote(location: location, reason: "\(key): \(String(cString: strerror(errno)))")
        }
        defer { close(source) }
        try FileSystem.copy(from: source, toNew: file, limit: limit, progress: progress) { (reason: String) in
            GraphError.remote(location: location, reason: "\(key): \(reason)")
        }
        return true
    }

    public func exists(_ key: String) throws(GraphError) -> Bool {
        FileManager.default.fileExists(atPath: url(key).path)
    }

    public func write(_ data: Data, to key: String) throws(GraphError) {
        let staged = try temporaryFile()
        do { try data.write(to: staged) } catch {
            unlink(staged.path)
            throw GraphError.remote(location: location, reason: "cannot write \(key): \(GraphError.reason(for: error))")
        }
        try publish(staged, as: key)
    }

    public func upload(_ file: URL, to key: String, progress: (Int64) -> Void) throws(GraphError) {
        let source = open(file.path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw GraphError.io(path: file.path, reason: String(cString: strerror(errno))) }
        defer { close(source) }
        let staged = try temporaryFile()
        do {
            try FileSystem.copy(from: source, toNew: staged, limit: .max, progress: progress) { (reason: String) in
                GraphError.remote(location: location, reason: "cannot write \(key): \(reason)")
            }
        } catch {
            unlink(staged.path)
            throw error
        }
        try publish(staged, as: key)
    }

    public func list(prefix: String) throws(GraphError) -> [String] {
        var out: [String] = []
        var stack = [""]
        while let relative = stack.popLast() {
            let dir = relative.isEmpty ? root.path : root.path + "/" + relative
            guard let names = try? FileSystem.list(dir) else { continue }
            for name in names {
                let rel = relative.isEmpty ? name : relative + "/" + name
                guard rel.hasPrefix(prefix) || prefix.hasPrefix(rel + "/") else { continue }
                let (_, isDirectory) = try DigestMemo.stamp(dir + "/" + name)
                if isDirectory { stack.append(rel) } else { out.append(rel) }
            }
        }
        return out
    }

    private func temporaryFile() throws(GraphError) -> URL {
        let tmp = root.appendingPathComponent("tmp")
        try FileSystem.makeDirectory(tmp)
        return tmp.appendingPathComponent("\(getpid())-\(UUID().uuidString.prefix(12))")
    }

    /// fsyncs a staged file and renames it to `key` (replacing any previous object).
    private func publish(_ staged: URL, as key: String) throws(GraphError) {
        let target = url(key)
        do {
            try FileSystem.fsync(staged.path)
            try FileSystem.makeDirectory(target.deletingLastPathComponent())
        } catch {
            unlink(staged.path)
            throw GraphError.remote(location: location, reason: "cannot write \(key): \(error.plainDescription)")
        }
        guard rename(staged.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(staged.path)
            throw GraphError.remote(location: location, reason: "cannot write \(key): \(reason)")
        }
        try? FileSystem.fsync(target.deletingLastPathComponent().path)
    }
}
