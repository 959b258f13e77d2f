import Crypto
import Foundation
import Testing
@testable import Graph

/// The S3 client against a real S3-compatible server on loopback: moto, started by `scripts/s3-server` with
/// signature checks on (a request signed with a wrong secret is refused), stopped afterwards, also on failure.
@Suite(.serialized) struct S3ClientTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A running moto server; `stop()` ends it.
    final class Server {
        let dir: URL
        let endpoint: URL
        /// The environment that points the client at this server: its endpoint and its credentials file (profile
        /// `default`: an IAM user's key; `session`: temporary credentials with a session token; `readonly`: a key
        /// allowed only to read).
        let environment: [String: String]

        init() throws {
            dir = URL(fileURLWithPath: "/tmp/ps3-\(UUID().uuidString.prefix(8))")
            let (status, out, err) = Self.shell(["bash", S3ClientTests.repository.appendingPathComponent("scripts/s3-server").path, "start", dir.path])
            guard status == 0, let text = try? String(contentsOf: dir.appendingPathComponent("endpoint"), encoding: .utf8),
                  let endpoint = URL(string: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                _ = Self.shell(["bash", S3ClientTests.repository.appendingPathComponent("scripts/s3-server").path, "stop", dir.path])
                throw NodeFailure("cannot start the test S3 server (needs python3 with venv and pip): \(out) \(err)")
            }
            self.endpoint = endpoint
            environment = ["HOME": dir.path, "AWS_ENDPOINT_URL": endpoint.absoluteString,
                           "AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path]
        }

        func stop() {
            _ = Self.shell(["bash", S3ClientTests.repository.appendingPathComponent("scripts/s3-server").path, "stop", dir.path])
            try? FileManager.default.removeItem(at: dir)
        }

        /// A client for `url` with this server's credentials (profile `profile`), or with `credentials`.
        func client(_ url: String, profile: String = "default", credentials: S3Credentials? = nil) throws -> S3Client {
            var environment = self.environment
            environment["AWS_PROFILE"] = profile
            let url = try S3URL(url)
            guard let credentials else { return try S3Client(url: url, environment: environment) }
            return S3Client(url: url, endpoint: endpoint, credentials: credentials, region: "us-east-1")
        }

        static func shell(_ args: [String]) -> (Int32, String, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            do { try p.run() } catch { return (127, "", "\(error)") }
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
        }
    }

    /// Messages collected from several threads.
    final class Problems: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.withLock { messages.append(message) } }
        var all: [String] { lock.withLock { messages } }
    }

    static func message<T>(_ body: () throws -> T) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func roundTripsListsInPagesAndRePutsIdempotently() throws {
        let server = try Server()
        defer { server.stop() }
        let root = try server.client("s3://palimpsest-test")
        try root.createBucket()
        try root.createBucket()  // already ours: fine
        let client = try server.client("s3://palimpsest-test/remote/v1")

        try client.put(key: "entries/ab/manifest.json", data: Data("{\"a\": 1}".utf8))
        #expect(try client.get(key: "entries/ab/manifest.json") == Data("{\"a\": 1}".utf8))
        #expect(try client.head(key: "entries/ab/manifest.json") == 8)
        #expect(try client.head(key: "entries/ab/missing") == nil)
        #expect(Self.message { try client.get(key: "entries/ab/missing") }
            == "error: s3://palimpsest-test/remote/v1/entries/ab/missing: no such object")

        // Reserved characters and UTF-8 in keys are signed and sent alike.
        let odd = "entries/ab/outputs/a b+c$d=e(é)~.txt"
        try client.put(key: odd, data: Data("odd".utf8))
        #expect(try client.get(key: odd) == Data("odd".utf8))
        #expect(try root.head(key: "remote/v1/" + odd) == 3, "the prefix is part of the object key")

        // Idempotent re-put: same bytes, same single object.
        try client.put(key: "entries/ab/manifest.json", data: Data("{\"a\": 1}".utf8))
        #expect(try client.list(prefix: "entries/ab/") == ["entries/ab/manifest.json", odd])

        // More than one page: 7 keys at 3 per page; the listing does not leak out of the prefix.
        let keys = (0..<7).map { "objects/\(String(format: "%02d", $0))" }
        for (i, key) in keys.enumerated() { try client.put(key: key, data: Data(repeating: UInt8(i), count: i)) }
        try root.put(key: "remote/v1-other/objects/99", data: Data())
        #expect(try client.list(prefix: "objects/", pageSize: 3) == keys)
        #expect(try client.objects(prefix: "objects/", pageSize: 3).map(\.size) == Array(0..<7))
        #expect(try client.list(pageSize: 2).count == 9)
        #expect(try root.list(prefix: "remote/").count == 10)
        #expect(try client.list(prefix: "nothing/") == [])

        try client.delete(key: "objects/03")
        try client.delete(key: "objects/03")  // already gone: fine
        #expect(try client.head(key: "objects/03") == nil)
        #expect(try client.list(prefix: "objects/", pageSize: 4).count == 6)

        // Sixteen transfers from eight threads at once through one client (remotes transfer in parallel).
        let problems = Problems()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let bytes = Data(repeating: UInt8(i), count: 1000 + i)
            do {
                try client.put(key: "parallel/\(i)", data: bytes)
                if try client.get(key: "parallel/\(i)") != bytes { problems.add("parallel/\(i) came back different") }
            } catch { problems.add("\(error)") }
        }
        #expect(problems.all.isEmpty, "\(problems.all)")
        #expect(try client.objects(prefix: "parallel/").map(\.size).sorted() == Array(1000..<1016))

        // Temporary credentials: the session token is signed and checked.
        let session = try server.client("s3://palimpsest-test/remote/v1", profile: "session")
        #expect(session.credentials.sessionToken != nil)
        #expect(try session.get(key: "objects/06") == Data(repeating: 6, count: 6))
        #expect(Self.message { try client.put(key: "../escape", data: Data()) }
            == "error: object key '../escape' under s3://palimpsest-test/remote/v1: expected a relative path without empty, '.' or '..' segments")
    }

    @Test func wrongKeysAndMissingBucketsGiveClearErrors() throws {
        let server = try Server()
        defer { server.stop() }
        let good = try server.client("s3://palimpsest-test/p")
        try good.createBucket()
        try good.put(key: "x", data: Data("x".utf8))

        let keyID = good.credentials.accessKeyID
        let wrongSecret = try server.client("s3://palimpsest-test/p", credentials: S3Credentials(
            accessKeyID: keyID, secretAccessKey: "not-the-secret", source: "AWS_ACCESS_KEY_ID"))
        let signature = "error: s3://palimpsest-test/p/x: \(server.endpoint.absoluteString) rejected the request signature of "
            + "access key '\(keyID)' (from AWS_ACCESS_KEY_ID): the secret access key is wrong "
            + "(check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)"
        #expect(Self.message { try wrongSecret.get(key: "x") } == signature)
        #expect(Self.message { try wrongSecret.put(key: "x", data: Data("y".utf8)) } == signature)
        #expect(Self.message { try wrongSecret.head(key: "x") } == signature, "HEAD answers have no body; the client asks again")
        #expect(try good.get(key: "x") == Data("x".utf8), "nothing was overwritten")

        let unknown = try server.client("s3://palimpsest-test/p", credentials: S3Credentials(
            accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever", source: "test"))
        #expect(Self.message { try unknown.list() } == "error: s3://palimpsest-test/p: \(server.endpoint.absoluteString) does not know "
            + "access key 'AKIAUNKNOWNKEY000000' (from test): check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id, "
            + "and that the endpoint is the server the key belongs to")

        let readonly = try server.client("s3://palimpsest-test/p", profile: "readonly")
        #expect(try readonly.get(key: "x") == Data("x".utf8))
        #expect(Self.message { try readonly.put(key: "x", data: Data("y".utf8)) } == "error: s3://palimpsest-test/p/x: access denied to "
            + "access key '\(readonly.credentials.accessKeyID)' (from \(server.dir.path)/credentials [readonly]): its policy or the "
            + "bucket's policy must allow s3:PutObject on bucket 'palimpsest-test'")

        let session = try server.client("s3://palimpsest-test/p", profile: "session").credentials
        let badToken = try server.client("s3://palimpsest-test/p", credentials: S3Credentials(
            accessKeyID: session.accessKeyID, secretAccessKey: session.secretAccessKey, sessionToken: "bogus", source: "test"))
        #expect(Self.message { try badToken.get(key: "x") } == "error: s3://palimpsest-test/p/x: the session token of access key "
            + "'\(session.accessKeyID)' (from test) is invalid or has expired: get new temporary credentials (AWS_SESSION_TOKEN)")

        let missing = try server.client("s3://no-such-bucket/p")
        let noBucket = "bucket 'no-such-bucket' does not exist at \(server.endpoint.absoluteString): create it, or check the bucket "
            + "name and the endpoint (AWS_ENDPOINT_URL)"
        #expect(Self.message { try missing.get(key: "x") } == "error: s3://no-such-bucket/p/x: " + noBucket)
        #expect(Self.message { try missing.put(key: "x", data: Data()) } == "error: s3://no-such-bucket/p/x: " + noBucket)
        #expect(Self.message { try missing.list() } == "error: s3://no-such-bucket/p: " + noBucket)
        #expect(Self.message { try missing.head(key: "x") } == "error: s3://no-such-bucket/p: " + noBucket,
                "a HEAD 404 in a bucket not yet seen checks the bucket")

        let stopped = try server.client("s3://palimpsest-test/p")
        server.stop()
        #expect(Self.message { try stopped.get(key: "x") } == "error: s3://palimpsest-test/p/x: cannot reach "
            + "\(server.endpoint.absoluteString): connection refused (is the server running, and is the endpoint's port right?)")
    }

    @Test func streamsFilesBothWays() throws {
        let server = try Server()
        defer { server.stop() }
        let client = try server.client("s3://palimpsest-test/big")
        try client.createBucket()
        let dir = server.dir.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // 5 MiB + 123 bytes of xorshift noise (every byte position distinct enough to catch reordering).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = Data((0..<(5 << 20) + 123).map { _ -> UInt8 in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        })
        let source = dir.appendingPathComponent("weights.safetensors")
        try bytes.write(to: source)

        try client.put(key: "weights.safetensors", file: source)
        #expect(try client.head(key: "weights.safetensors") == bytes.count)
        let copy = dir.appendingPathComponent("copy.safetensors")
        try Data("old".utf8).write(to: copy)
        try client.get(key: "weights.safetensors", to: copy)
        #expect(try Data(contentsOf: copy) == bytes, "replaced in place")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["copy.safetensors", "weights.safetensors"],
                "no staging file left")

        let absent = dir.appendingPathComponent("absent.bin")
        #expect(Self.message { try client.get(key: "absent.bin", to: absent) } == "error: s3://palimpsest-test/big/absent.bin: no such object")
        #expect(!FileManager.default.fileExists(atPath: absent.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 2)
    }

    /// A scripted HTTP server (Python's http.server): answer `i` follows `plan[i]` (the last one repeats): `503`, a
    /// SlowDown error; `short`, a body cut off after 10 of 100 announced bytes; `ok`, the body `ok`.
    final class ScriptedServer {
        let process = Process()
        let endpoint: URL

        static let script = """
        import http.server, sys
        plan, count = sys.argv[2].split(","), [0]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                what = plan[min(count[0], len(plan) - 1)]
                count[0] += 1
                if what == "503":
                    body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                    self.send_response(503)
                elif what == "short":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b"x" * 10)
                    self.close_connection = True
                    return
                else:
                    body = b"ok"
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        with open(sys.argv[1], "w") as f:
            f.write(str(server.server_address[1]))
        server.serve_forever()
        """

        init(plan: String) throws {
            let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("s3-scripted-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: portFile) }
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", Self.script, portFile.path, plan]
            try process.run()
            for _ in 0..<200 {
                if let port = try? String(contentsOf: portFile, encoding: .utf8), !port.isEmpty { break }
                usleep(25_000)
            }
            let port = try String(contentsOf: portFile, encoding: .utf8)
            endpoint = try #require(URL(string: "http://127.0.0.1:\(port)"))
        }

        func client() throws -> S3Client {
            S3Client(url: try S3URL("s3://scripted/p"), endpoint: endpoint,
                     credentials: S3Credentials(accessKeyID: "AKID", secretAccessKey: "secret"), region: "us-east-1")
        }

        /// SIGKILL: children of the test process may inherit a signal mask that blocks SIGTERM.
        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func retriesServerErrorsAndRejectsTruncatedDownloads() throws {
        let flaky = try ScriptedServer(plan: "503,503,ok")
        defer { flaky.stop() }
        #expect(try flaky.client().get(key: "k") == Data("ok".utf8), "the third attempt succeeds")

        let busy = try ScriptedServer(plan: "503")
        defer { busy.stop() }
        #expect(Self.message { try busy.client().get(key: "k") }
            == "error: s3://scripted/p/k: \(busy.endpoint.absoluteString) answered HTTP 503 SlowDown: Please reduce your request rate.")

        let cut = try ScriptedServer(plan: "short")
        defer { cut.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("s3-cut-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let failure = Self.message { try cut.client().get(key: "k", to: dir.appendingPathComponent("k.bin")) }
        #expect(failure.hasPrefix("error: s3://scripted/p/k: the exchange with \(cut.endpoint.absoluteString) failed: "), "\(failure)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [], "neither the file nor a staging file")
    }
}
