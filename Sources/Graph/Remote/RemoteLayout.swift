import Foundation

/// Where things live on a remote (see docs/remotes.md); every key is a plain relative path, so a directory
/// remote can be served as static files as it is:
/// - `index.json` — `RemoteIndex`: the entries the remote holds, with their sizes and output digests;
/// - `entries/<k[0..2]>/<key>.json` — `EntryRecord` of one cache entry (written after its objects);
/// - `objects/<h[0..2]>/<h>` — file contents by SHA-256 `h` (shared by every entry holding the same bytes).
public enum RemoteLayout {
    public static let indexKey = "index.json"
    /// The layout version in `index.json` and entry records.
    public static let format = 1
    /// The most bytes read for an index (a million entries) or an entry record.
    static let indexLimit = 512 << 20
    static let recordLimit = 64 << 20

    static func recordKey(_ key: String) -> String { "entries/\(key.prefix(2))/\(key).json" }
    static func objectKey(_ sha256: String) -> String { "objects/\(sha256.prefix(2))/\(sha256)" }

    /// Lower-case 64-digit hex (a cache key or a SHA-256).
    static func isDigest(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Why a relative path from outside (an entry record, an archive member) may not be used, nil when it
    /// may: it must be non-empty, relative, without `.`/`..`/empty components, NUL or backslash.
    static func unsafePathReason(_ path: String) -> String? {
        if path.isEmpty { return "empty path" }
        if path.hasPrefix("/") { return "absolute path" }
        if path.contains("\0") || path.contains("\\") { return "NUL or backslash in the path" }
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { return "empty path component" }
            if part == "." || part == ".." { return "'\(part)' in the path" }
        }
        return nil
    }
}

/// One file of a remote entry: its path in the entry directory, size in bytes and SHA-256 (its object).
public struct EntryFile: Codable, Sendable, Hashable {
    public let path: String
    public let size: Int64
    public let sha256: String
}

/// `entries/<k[0..2]>/<key>.json`: what makes up a cache entry on a remote. `files` are the entry directory's
/// files (`manifest.json`, `log.txt`, `outputs/<name>/…`); `directories` its empty directories, which output
/// tree digests count.
public struct EntryRecord: Codable, Sendable {
    public let format: Int
    public let key: String
    public let files: [EntryFile]
    public let directories: [String]

    public var bytes: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Checks what a remote sent before any of it is used: this key, the known format, safe unique paths
    /// inside the entry (`manifest.json`, `log.txt`, `outputs/…`), digests that look like digests.
    /// Returns the problem, nil when there is none.
    func problem(expectedKey: String) -> String? {
        guard format == RemoteLayout.format else { return "entry record format \(format); this palimpsest reads \(RemoteLayout.format)" }
        guard key == expectedKey else { return "the entry record is for key \(key.prefix(12)), not \(expectedKey.prefix(12))" }
        var seen = Set<String>()
        for f in files {
            if let why = RemoteLayout.unsafePathReason(f.path) { return "file '\(f.path)': \(why)" }
            guard f.path == "manifest.json" || f.path == "log.txt" || f.path.hasPrefix("outputs/") else {
                return "file '\(f.path)' is outside manifest.json, log.txt and outputs/"
            }
            guard RemoteLayout.isDigest(f.sha256), f.size >= 0 else { return "file '\(f.path)': bad size or SHA-256" }
            guard seen.insert(f.path).inserted else { return "file '\(f.path)' is listed twice" }
        }
        guard seen.contains("manifest.json") else { return "the entry record lists no manifest.json" }
        for d in directories {
            let trimmed = d.hasSuffix("/") ? String(d.dropLast()) : d
            if let why = RemoteLayout.unsafePathReason(trimmed) { return "directory '\(d)': \(why)" }
            guard trimmed.hasPrefix("outputs/") else { return "directory '\(d)' is outside outputs/" }
        }
        return nil
    }
}

/// `index.json`: the entries a remote holds, read first (a static server cannot list directories).
public struct RemoteIndex: Codable, Sendable {
    /// What `status --remote` and `pull` need of an entry without fetching its record.
    public struct Entry: Codable, Sendable {
        public var bytes: Int64
        public var files: Int
        /// Output digests by output name (downstream keys are computed from them before anything is pulled).
        public var outputs: [String: String]
    }

    public var format: Int
    public var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) {
        format = RemoteLayout.format
        self.entries = entries
    }

    /// Reads a remote's index; a remote without one is an error (a mistyped URL, or nothing pushed yet).
    public static func read(from remote: RemoteReader) throws(GraphError) -> RemoteIndex {
        guard let index = try readIfPresent(from: remote) else {
            throw GraphError.remote(location: remote.location, reason: "no index.json: not a Palimpsest remote, or nothing was pushed to it yet")
        }
        return index
    }

    /// Reads a remote's index, nil when it has none (a new remote being pushed to).
    static func readIfPresent(from remote: RemoteReader) throws(GraphError) -> RemoteIndex? {
        guard let data = try remote.read(RemoteLayout.indexKey, limit: RemoteLayout.indexLimit) else { return nil }
        let index: RemoteIndex
        do { index = try JSONDecoder().decode(RemoteIndex.self, from: data) } catch {
            throw GraphError.remote(location: remote.location, reason: "index.json is not a Palimpsest remote index: \(GraphError.describe(error))")
        }
        guard index.format == RemoteLayout.format else {
            throw GraphError.remote(location: remote.location, reason: "index.json has format \(index.format); this palimpsest reads \(RemoteLayout.format)")
        }
        return index
    }

    func encoded() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(self)) ?? Data()
    }
}
