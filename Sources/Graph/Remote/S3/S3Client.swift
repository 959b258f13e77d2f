import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One object of a listing: its key relative to the client's prefix and its size in bytes.
public struct S3Object: Sendable, Hashable {
    public let key: String
    public let size: Int
}

/// A client for one `s3://bucket/prefix` on AWS S3 or an S3-compatible server (MinIO, Ceph, moto), with requests
/// signed by ``AWSSignatureV4``. Synchronous and safe to use from several threads at once.
///
/// Keys are relative to the URL's prefix and `/`-separated; segments `.` and `..` and empty segments are refused
/// (HTTP clients would rewrite such paths). Without an endpoint the client talks to AWS
/// (`https://bucket.s3.region.amazonaws.com`, path style for bucket names with dots); with one it uses path-style
/// addressing (`endpoint/bucket/key`), which every S3-compatible server understands.
///
/// Failures throw `GraphError.io` naming the `s3://` URL and what to check; missing credentials or a malformed URL
/// throw `GraphError.usage`. Server errors 500, 502, 503 and 504 and dropped connections are retried twice.
public final class S3Client: @unchecked Sendable {
    public let url: S3URL
    public let endpoint: URL?
    public let region: String
    public let credentials: S3Credentials
    private let signer: AWSSignatureV4
    private let session: URLSession
    /// Whether a response showed that the bucket exists (a HEAD 404 is then a missing object, not a missing bucket).
    private var bucketSeen = false
    private let lock = NSLock()

    /// - Parameters:
    ///   - endpoint: the server's base URL (`http://127.0.0.1:9000`) for S3-compatible storage; nil for AWS.
    ///   - region: the region that signatures name (`us-east-1` unless the server says otherwise).
    public init(url: S3URL, endpoint: URL?, credentials: S3Credentials, region: String) {
        self.url = url
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        signer = AWSSignatureV4(credentials: credentials, region: region)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    /// A client with the credentials, region and endpoint of the environment and the AWS shared files
    /// (``AWSProfile``).
    public convenience init(url: S3URL, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(GraphError) {
        let profile = AWSProfile(environment: environment)
        self.init(url: url, endpoint: try profile.endpoint(), credentials: try profile.credentials(),
                  region: try profile.region())
    }

    deinit { session.finishTasksAndInvalidate() }

    // MARK: Operations

    /// Creates the bucket (in the client's region); a bucket this account already owns is fine.
    public func createBucket() throws(GraphError) {
        var body = Data()
        if region != "us-east-1" {
            body = Data(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        let (response, data) = try send("PUT", key: nil, body: body.isEmpty ? .none : .data(body))
        if !(200..<300).contains(response.statusCode) {
            let code = S3XMLElement.parse(data)?["Code"]
            guard code == "BucketAlreadyOwnedByYou" else {
                throw failure(response, data, action: "s3:CreateBucket", key: nil)
            }
        }
        markBucketSeen()
    }

    /// Uploads `data` as `key`, replacing any object there.
    public func put(key: String, data: Data) throws(GraphError) {
        try checkKey(key)
        let (response, body) = try send("PUT", key: key, body: .data(data))
        try expectSuccess(response, body, action: "s3:PutObject", key: key)
    }

    /// Uploads the file at `file` as `key`, streaming it from disk (read once for its SHA-256, once to send it).
    public func put(key: String, file: URL) throws(GraphError) {
        try checkKey(key)
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw GraphError.io(path: file.path, reason: GraphError.reason(for: error))
        }
        let digest = try Hashing.sha256(file: file.path)
        let (response, body) = try send("PUT", key: key, body: .file(file, size: size, sha256: digest))
        try expectSuccess(response, body, action: "s3:PutObject", key: key)
    }

    /// The bytes of `key`.
    public func get(key: String) throws(GraphError) -> Data {
        try checkKey(key)
        let (response, body) = try send("GET", key: key)
        try expectSuccess(response, body, action: "s3:GetObject", key: key)
        return body
    }

    /// Downloads `key` into `destination`, streamed to disk: written beside it under a temporary name, checked
    /// against the announced length, then renamed over it (so `destination` is never half-written).
    public func get(key: String, to destination: URL) throws(GraphError) {
        try checkKey(key)
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).s3-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: staging) }
        let (response, body) = try send("GET", key: key, download: staging)
        try expectSuccess(response, body, action: "s3:GetObject", key: key)
        let received = (try? FileManager.default.attributesOfItem(atPath: staging.path)[.size] as? NSNumber)?.intValue
        if let announced = response.value(forHTTPHeaderField: "Content-Length").flatMap(Int.init), received != announced {
            throw GraphError.io(path: url.describe(key), reason: "download truncated: \(received ?? 0) of \(announced) bytes arrived")
        }
        guard rename(staging.path, destination.path) == 0 else {
            throw GraphError.io(path: destination.path, reason: String(cString: strerror(errno)))
        }
    }

    /// The size in bytes of `key`, or nil when there is no such object (in a bucket that exists).
    public func head(key: String) throws(GraphError) -> Int? {
        try checkKey(key)
        let (response, _) = try send("HEAD", key: key)
        switch response.statusCode {
        case 200..<300:
            markBucketSeen()
            return response.value(forHTTPHeaderField: "Content-Length").flatMap(Int.init) ?? 0
        case 404:
            if !lock.withLock({ bucketSeen }) { try checkBucket() }
            return nil
        default:
            // HEAD answers have no body, so no error code: ask again with a GET of one byte to get one.
            let (again, body) = try send("GET", key: key, headers: ["Range": "bytes=0-0"])
            throw failure(again, body, action: "s3:GetObject", key: key, status: response.statusCode)
        }
    }

    /// The keys under `prefix` (relative to the client's prefix), in S3's order (by UTF-8 bytes).
    public func list(prefix: String = "", pageSize: Int = 1000) throws(GraphError) -> [String] {
        try objects(prefix: prefix, pageSize: pageSize).map(\.key)
    }

    /// The objects under `prefix` with their sizes, fetched `pageSize` keys per request (ListObjectsV2; S3 returns
    /// at most 1000 per page).
    public func objects(prefix: String = "", pageSize: Int = 1000) throws(GraphError) -> [S3Object] {
        precondition(pageSize > 0, "pageSize must be positive")
        let full = url.objectKey(prefix)
        let lead = url.prefix.isEmpty ? "" : url.prefix + "/"
        var result: [S3Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", full), ("max-keys", String(pageSize))]
            if let token { query.append(("continuation-token", token)) }
            let (response, body) = try send("GET", key: nil, query: query)
            try expectSuccess(response, body, action: "s3:ListBucket", key: nil)
            guard let page = S3XMLElement.parse(body), page.name == "ListBucketResult" else {
                throw GraphError.io(path: url.description, reason: "the server's listing is not a ListBucketResult XML document")
            }
            for item in page.children where item.name == "Contents" {
                guard let key = item["Key"], key.hasPrefix(lead) else { continue }
                result.append(S3Object(key: String(key.dropFirst(lead.count)), size: item["Size"].flatMap(Int.init) ?? 0))
            }
            token = page["IsTruncated"] == "true" ? page["NextContinuationToken"] : nil
        } while token != nil
        return result
    }

    /// Deletes `key`; deleting an object that is not there is not an error (S3 answers 204 either way).
    public func delete(key: String) throws(GraphError) {
        try checkKey(key)
        let (response, body) = try send("DELETE", key: key)
        try expectSuccess(response, body, action: "s3:DeleteObject", key: key)
    }

    /// Throws the server's error if the bucket is missing or not readable with these credentials.
    public func checkBucket() throws(GraphError) {
        let (response, body) = try send("GET", key: nil, query: [("list-type", "2"), ("max-keys", "1")])
        try expectSuccess(response, body, action: "s3:ListBucket", key: nil)
    }

    // MARK: Requests

    /// What a request sends.
    enum Body {
        case none
        case data(Data)
        case file(URL, size: Int, sha256: String)
    }

    /// Sends a signed request (retrying server errors 500, 502, 503, 504 and dropped connections) and returns the
    /// response with its body; with `download`, a successful body goes to that file instead.
    private func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [String: String] = [:],
                      body: Body = .none, download: URL? = nil) throws(GraphError) -> (HTTPURLResponse, Data) {
        let target = requestURL(objectKey: key.map(url.objectKey), query: query)
        let payload: AWSSignatureV4.Payload
        // Identity: a compressed answer would not match its Content-Length once the HTTP client unpacked it.
        var sent = headers.merging(["Accept-Encoding": "identity"]) { given, _ in given }
        switch body {
        case .none:
            payload = .empty
        case .data(let data):
            payload = .of(data)
            sent["Content-Length"] = String(data.count)
            sent["Content-Type"] = "application/octet-stream"
        case .file(_, let size, let digest):
            payload = .sha256(digest)
            sent["Content-Length"] = String(size)
            sent["Content-Type"] = "application/octet-stream"
        }
        let attempts = 3
        for attempt in 1...attempts {
            var request = URLRequest(url: target)
            request.httpMethod = method
            for (name, value) in sent { request.setValue(value, forHTTPHeaderField: name) }
            for (name, value) in signer.sign(method: method, url: target, headers: headers, payload: payload, date: Date()) {
                request.setValue(value, forHTTPHeaderField: name)
            }
            let outcome = perform(request, body: body, download: download)
            if let error = outcome.error {
                let code = (error as? URLError)?.code
                if attempt < attempts, code == .networkConnectionLost || code == .timedOut {
                    usleep(UInt32(200_000 * attempt * attempt))
                    continue
                }
                throw networkFailure(error, key: key)
            }
            guard let response = outcome.response else {
                throw GraphError.io(path: key.map(url.describe) ?? url.description, reason: "no HTTP response from \(server)")
            }
            if attempt < attempts, [500, 502, 503, 504].contains(response.statusCode) {
                usleep(UInt32(200_000 * attempt * attempt))
                continue
            }
            if let problem = outcome.fileProblem {
                throw GraphError.io(path: download?.path ?? "", reason: problem)
            }
            return (response, outcome.data)
        }
        preconditionFailure("the last attempt returns or throws")
    }

    /// What one exchange produced; written by the session's callback before it signals, read after the wait.
    private final class Outcome: @unchecked Sendable {
        var response: HTTPURLResponse?
        var data = Data()
        var error: (any Error)?
        var fileProblem: String?
    }

    /// One HTTP exchange, waited for.
    private func perform(_ request: URLRequest, body: Body, download: URL?) -> Outcome {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let finish: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
            outcome.data = data ?? Data()
            outcome.response = response as? HTTPURLResponse
            outcome.error = error
            done.signal()
        }
        let task: URLSessionTask
        if let download {
            task = session.downloadTask(with: request) { file, response, error in
                // The session deletes `file` when this returns: keep it (success) or read it (an error document).
                if let file, let http = response as? HTTPURLResponse {
                    if (200..<300).contains(http.statusCode) {
                        try? FileManager.default.removeItem(at: download)
                        do { try FileManager.default.moveItem(at: file, to: download) } catch {
                            outcome.fileProblem = "cannot write the download: \(GraphError.reason(for: error))"
                        }
                    } else {
                        outcome.data = (try? Data(contentsOf: file)) ?? Data()
                    }
                }
                outcome.response = response as? HTTPURLResponse
                outcome.error = error
                done.signal()
            }
        } else {
            switch body {
            case .none: task = session.dataTask(with: request, completionHandler: finish)
            case .data(let data): task = session.uploadTask(with: request, from: data, completionHandler: finish)
            case .file(let file, _, _): task = session.uploadTask(with: request, fromFile: file, completionHandler: finish)
            }
        }
        task.resume()
        done.wait()
        return outcome
    }

    /// The URL of an object (or of the bucket when `objectKey` is nil) with a query, encoded as it is signed.
    func requestURL(objectKey: String?, query: [(String, String)]) -> URL {
        var components = URLComponents()
        var path: String
        if let endpoint {
            components.scheme = endpoint.scheme
            components.host = endpoint.host
            components.port = endpoint.port
            let base = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
            path = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + url.bucket
        } else if url.bucket.contains(".") {
            components.scheme = "https"
            components.host = "s3.\(region).amazonaws.com"
            path = "/" + url.bucket
        } else {
            components.scheme = "https"
            components.host = "\(url.bucket).s3.\(region).amazonaws.com"
            path = ""
        }
        if let objectKey { path += "/" + AWSSignatureV4.uriEncode(objectKey, keepSlash: true) }
        components.percentEncodedPath = path.isEmpty ? "/" : path
        if !query.isEmpty {
            components.percentEncodedQuery = query.map { AWSSignatureV4.uriEncode($0.0) + "=" + AWSSignatureV4.uriEncode($0.1) }
                .joined(separator: "&")
        }
        guard let result = components.url else { preconditionFailure("cannot build a URL from \(components)") }
        return result
    }

    /// Checks an endpoint URL from the user: `http(s)://host[:port][/path]`.
    static func endpointURL(_ text: String, origin: String) throws(GraphError) -> URL {
        guard let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty, parsed.query == nil else {
            throw GraphError.usage("\(origin): '\(text)' is not an endpoint URL such as http://127.0.0.1:9000 or https://s3.example.org")
        }
        return parsed
    }

    /// Keys must be relative and free of `.`, `..` and empty segments.
    private func checkKey(_ key: String) throws(GraphError) {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw GraphError.usage("object key '\(key)' under \(url): expected a relative path without empty, '.' or '..' segments")
        }
    }

    func markBucketSeen() { lock.withLock { bucketSeen = true } }

    /// Throws the mapped S3 error unless the response is a success (and remembers that the bucket exists if it is).
    private func expectSuccess(_ response: HTTPURLResponse, _ body: Data, action: String, key: String?) throws(GraphError) {
        guard (200..<300).contains(response.statusCode) else { throw failure(response, body, action: action, key: key) }
        markBucketSeen()
    }

    /// The server as users configured it, for messages.
    var server: String { endpoint?.absoluteString ?? "AWS S3 (\(region))" }
}
