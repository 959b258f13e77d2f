import Foundation

/// A remote in S3-compatible object storage (`s3://bucket/prefix`), read and write, through ``S3Client``:
/// credentials, region and endpoint from the environment and `~/.aws` (docs/s3.md). Objects are single PUTs,
/// which S3 makes atomic (a reader sees the old object or the new one).
public struct S3Remote: RemoteWriter {
    public let client: S3Client
    public var location: String { client.url.description }

    public init(client: S3Client) {
        self.client = client
    }

    public func read(_ key: String, limit: Int) throws(GraphError) -> Data? {
        guard let size = try client.head(key: key) else { return nil }
        guard size <= limit else {
            throw GraphError.remote(location: client.url.describe(key), reason: "object of \(size) bytes, more than the \(limit) expected")
        }
        return try client.get(key: key)
    }

    public func download(_ key: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        guard let size = try client.head(key: key) else { return false }
        guard Int64(size) <= limit else {
            throw GraphError.remote(location: client.url.describe(key), reason: "object of \(size) bytes, more than the \(limit) recorded")
        }
        try client.get(key: key, to: file)
        progress(Int64(size))
        return true
    }

    public func exists(_ key: String) throws(GraphError) -> Bool { try client.head(key: key) != nil }

    public func write(_ data: Data, to key: String) throws(GraphError) { try client.put(key: key, data: data) }

    public func upload(_ file: URL, to key: String, progress: (Int64) -> Void) throws(GraphError) {
        try client.put(key: key, file: file)
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0
        progress(size)
    }

    public func list(prefix: String) throws(GraphError) -> [String] { try client.list(prefix: prefix) }
}
