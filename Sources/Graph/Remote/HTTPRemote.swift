import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A read-only remote on any static HTTP(S) server (a lab web server, a data repository's file listing):
/// objects are `GET <base>/<key>`; 404 means absent. Bodies stream to disk in the chunks the server sends.
public final class HTTPRemote: RemoteReader, @unchecked Sendable {
    public let base: URL
    public let location: String
    private let session: URLSession
    private let delegate: Delegate

    /// - Parameter timeout: seconds without a byte before a request fails.
    public init(base: URL, timeout: Double = 60) {
        self.base = base
        location = base.absoluteString
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 16
        delegate = Delegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    func url(_ key: String) -> URL {
        precondition(RemoteLayout.unsafePathReason(key) == nil, "remote key \(key) is not a plain relative path")
        return key.split(separator: "/").reduce(base) { $0.appendingPathComponent(String($1)) }
    }

    public func read(_ key: String, limit: Int) throws(GraphError) -> Data? {
        let transfer = Transfer(sink: .memory(Data()), limit: Int64(limit))
        guard try get(key, transfer, progress: { _ in }) else { return nil }
        if case .memory(let data) = transfer.sink { return data }
        return nil
    }

    public func download(_ key: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        try download(from: url(key), label: key, to: file, limit: limit, progress: progress)
    }

    /// Streams any URL (an archive's, query included) into the new file `file`; false on 404.
    func download(from source: URL, label: String, to file: URL, limit: Int64, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GraphError.io(path: file.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let found: Bool
        do { found = try get(source, label: label, Transfer(sink: .file(fd), limit: limit), progress: progress) } catch {
            unlink(file.path)
            throw error
        }
        if !found { unlink(file.path) }
        return found
    }

    private func get(_ key: String, _ transfer: Transfer, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        try get(url(key), label: key, transfer, progress: progress)
    }

    /// Runs one GET, reporting bytes from this thread as they arrive; false on 404 (or 410).
    private func get(_ source: URL, label key: String, _ transfer: Transfer, progress: (Int64) -> Void) throws(GraphError) -> Bool {
        let task = session.dataTask(with: URLRequest(url: source))
        delegate.register(task.taskIdentifier, transfer)
        task.resume()
        var reported: Int64 = 0
        while transfer.done.wait(timeout: .now() + 0.1) == .timedOut {
            let received = transfer.received
            if received > reported { progress(received - reported); reported = received }
        }
        delegate.unregister(task.taskIdentifier)
        if transfer.received > reported { progress(transfer.received - reported) }
        if transfer.status == 404 || transfer.status == 410 { return false }
        if let failure = transfer.failure { throw GraphError.remote(location: location, reason: "\(key): \(failure)") }
        return true
    }

    /// The state of one request, shared between the waiting thread and the session's delegate queue.
    final class Transfer: @unchecked Sendable {
        enum Sink { case memory(Data), file(Int32) }
        private let lock = NSLock()
        var sink: Sink
        let limit: Int64
        let done = DispatchSemaphore(value: 0)
        private var _received: Int64 = 0
        var status = 0
        var failure: String?

        init(sink: Sink, limit: Int64) {
            self.sink = sink
            self.limit = limit
        }

        var received: Int64 { lock.lock(); defer { lock.unlock() }; return _received }

        /// Stores a chunk; false (with `failure` set) when the body is longer than `limit` or the write fails.
        func append(_ data: Data) -> Bool {
            guard Int64(data.count) + received <= limit else {
                failure = "longer than the \(limit) bytes expected"
                return false
            }
            switch sink {
            case .memory(var buffer):
                buffer.append(data)
                sink = .memory(buffer)
            case .file(let fd):
                let ok = data.withUnsafeBytes { raw -> Bool in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 { if errno == EINTR { continue }; return false }
                        offset += n
                    }
                    return true
                }
                guard ok else {
                    failure = "cannot write the download: \(String(cString: strerror(errno)))"
                    return false
                }
            }
            lock.lock()
            _received += Int64(data.count)
            lock.unlock()
            return true
        }
    }

    final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var transfers: [Int: Transfer] = [:]

        func register(_ id: Int, _ t: Transfer) { lock.lock(); transfers[id] = t; lock.unlock() }
        func unregister(_ id: Int) { lock.lock(); transfers[id] = nil; lock.unlock() }
        private func transfer(_ id: Int) -> Transfer? { lock.lock(); defer { lock.unlock() }; return transfers[id] }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            guard let t = transfer(dataTask.taskIdentifier) else { return completionHandler(.cancel) }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            t.status = status
            if status == 200 { return completionHandler(.allow) }
            if status != 404 && status != 410 { t.failure = "HTTP status \(status)" }
            completionHandler(.cancel)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard let t = transfer(dataTask.taskIdentifier) else { return }
            if !t.append(data) { dataTask.cancel() }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            guard let t = transfer(task.taskIdentifier) else { return }
            if let error, t.failure == nil, t.status == 200 || t.status == 0 {
                t.failure = (error as NSError).localizedDescription
            }
            t.done.signal()
        }
    }
}
