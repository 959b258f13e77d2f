import Foundation

/// Read access to a remote's objects: named by slash-separated relative keys (`index.json`,
/// `objects/ab/ab12…`), as a static file server, an archive or an object store names them.
///
/// Nothing a remote returns is trusted: `RemoteTransfer` checks every byte against digests before it reaches
/// the cache. Conformers are called from several threads at once (`pull -j`).
public protocol RemoteReader: Sendable {
    /// The remote as the user wrote it, for messages (`/shared/remote`, `https://lab.example/results`).
    var location: String { get }

    /// The whole object at `key` (small objects: the index, entry records), nil when there is none.
    ///
    /// - Parameter limit: the most bytes accepted; a larger object is an error, not a truncated read.
    func read(_ key: String, limit: Int) throws(GraphError) -> Data?

    /// Streams the object at `key` into the new file `file` (created, must not exist), calling `progress` with
    /// each chunk's byte count; false when there is no such object.
    ///
    /// - Parameter limit: the most bytes accepted (the recorded size); a longer object is an error.
    func download(_ key: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool
}

/// Write access as well: what `push` needs. Every write is atomic on the remote (readers see the old object
/// or the new one, never part of one), so an interrupted push leaves only whole objects behind.
public protocol RemoteWriter: RemoteReader {
    /// Whether an object exists at `key`.
    func exists(_ key: String) throws(GraphError) -> Bool

    /// Writes `data` as the object at `key`, replacing any previous one.
    func write(_ data: Data, to key: String) throws(GraphError)

    /// Uploads the local file `file` as the object at `key`, calling `progress` with byte counts as it goes.
    func upload(_ file: URL, to key: String, progress: (Int64) -> Void) throws(GraphError)

    /// The keys of every object whose key starts with `prefix` (any order).
    func list(prefix: String) throws(GraphError) -> [String]
}
