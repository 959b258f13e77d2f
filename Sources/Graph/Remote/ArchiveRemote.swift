import Foundation

/// A tar archive written by `palimpsest export`, read in place as a remote: its members are the remote layout
/// (`index.json`, `entries/…`, `objects/…`) plus `experiment/<file>` and its lock; nothing is unpacked, objects
/// are read at their offsets.
///
/// Opening reads every header once and refuses the archive if any member is not a regular file or directory
/// (links, devices, extended headers) or has a name that could leave a directory (`..`, absolute paths).
public final class ArchiveRemote: RemoteReader, @unchecked Sendable {
    public let location: String
    private let path: String
    /// Offset of the data and size of each regular member, by name.
    private let members: [String: (offset: Int64, size: Int64)]
    /// A downloaded archive to delete when done (an `http(s)://…tar`).
    private let temporary: URL?

    public init(file: URL, location: String? = nil, deleteWhenDone: Bool = false) throws(GraphError) {
        path = file.path
        self.location = location ?? file.path
        temporary = deleteWhenDone ? file : nil
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GraphError.remote(location: self.location, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var members: [String: (Int64, Int64)] = [:]
        var offset: Int64 = 0
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
        let location = self.location
        while true {
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, TarHeader.blockSize, off_t(offset)) }
            guard n == TarHeader.blockSize else {
                throw GraphError.remote(location: location, reason: n == 0 && !members.isEmpty ? "the archive ends without its end marker (truncated?)" : "not a tar archive (truncated header at byte \(offset))")
            }
            guard let header = try TarHeader.decode(block, location: location) else { break }
            let data = offset + Int64(TarHeader.blockSize)
            let name = header.name.hasSuffix("/") ? String(header.name.dropLast()) : header.name
            if let why = RemoteLayout.unsafePathReason(name) {
                throw GraphError.remote(location: location, reason: "rejected: member '\(header.name)': \(why)")
            }
            switch header.kind {
            case .file:
                guard members[name] == nil else { throw GraphError.remote(location: location, reason: "rejected: member '\(name)' appears twice") }
                members[name] = (data, header.size)
            case .directory:
                break
            case .other(let type):
                let what = type == UInt8(ascii: "1") || type == UInt8(ascii: "2") ? "a link" : "of tar type '\(Character(UnicodeScalar(type)))'"
                throw GraphError.remote(location: location, reason: "rejected: member '\(header.name)' is \(what); an export holds regular files only")
            }
            offset = data + (header.size + 511) / 512 * 512
        }
        self.members = members
    }

    deinit {
        if let temporary { unlink(temporary.path) }
    }

    /// Downloads an archive from an HTTP(S) URL into `directory` (the cache's `tmp/`) and opens it there;
    /// the download is deleted when the remote is released.
    public static func download(_ url: URL, into directory: URL, progress: (Int64) -> Void) throws(GraphError) -> ArchiveRemote {
        let file = directory.appendingPathComponent("download-\(getpid())-\(UUID().uuidString.prefix(8)).tar")
        let found = try HTTPRemote(base: url).download(from: url, label: url.lastPathComponent, to: file, limit: .max, progress: progress)
        guard found else { throw GraphError.remote(location: url.absoluteString, reason: "not found (HTTP 404)") }
        do { return try ArchiveRemote(file: file, location: url.absoluteString, deleteWhenDone: true) } catch {
            unlink(file.path)
            throw error
        }
    }

    /// The names of the archive's regular members.
    public var names: [String] { Array(members.keys) }

    public func read(_ key: String, limit: Int) throws(GraphError) -> Data? {
        guard let member = members[key] else { return nil }
        guard member.size <= Int64(limit) else { throw GraphError.remote(location: location, reason: "\(key) is larger than \(limit) bytes") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GraphError.remote(location: location, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var data = Data(count: Int(member.size))
        let n = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(member.size), off_t(member.offset)) }
        guard n == Int(member.size) else { throw GraphError.remote(location: location, reason: "\(key): the archive is truncated") }
        return data
    }

    public func download(_ key: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        guard let member = members[key] else { return false }
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw GraphError.remote(location: location, reason: String(cString: strerror(errno))) }
        defer { close(source) }
        guard lseek(source, off_t(member.offset), SEEK_SET) == off_t(member.offset) else {
            throw GraphError.remote(location: location, reason: "\(key): \(String(cString: strerror(errno)))")
        }
        // Reads stop at the member's end; a longer member than recorded fails the same check as a remote's.
        let size = min(member.size, limit == .max ? member.size : limit + 1)
        try FileSystem.copy(from: source, count: size, toNew: file, limit: limit, progress: progress) { (reason: String) in
            GraphError.remote(location: location, reason: "\(key): \(reason)")
        }
        return true
    }
}
