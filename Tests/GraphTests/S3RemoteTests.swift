import Foundation
import Testing
@testable import Graph

/// Push and pull through an S3 remote on the suite's moto server (signature checks on), in the `.serialized`
/// suite of `S3ClientTests` so that one server runs at a time.
extension S3ClientTests {
    @Test func s3RemoteRoundTripIdempotentPushTamperingAndBadAccess() throws {
        let server = try Server()
        defer { server.stop() }
        try server.client("s3://results").createBucket()
        let remote = S3Remote(client: try server.client("s3://results/lab/study"))
        #expect(try RemoteLocation.parse("s3://results/lab/study", base: URL(fileURLWithPath: "/")) == .s3(try S3URL("s3://results/lab/study")))

        // Push from the cache that ran the chain; a second push sends nothing.
        let box = try Sandbox(RemoteTests.chain)
        try box.run()
        let transfer = RemoteTransfer(store: try CacheStore(root: box.cache))
        let pushed = try transfer.push(transfer.entries(of: try box.load()).items, to: remote, jobs: 4)
        #expect(pushed.transferred.count == 3 && pushed.failures.isEmpty && pushed.bytes > 0)
        let again = try transfer.push(transfer.entries(of: try box.load()).items, to: remote, jobs: 4)
        #expect(again.transferred.isEmpty && again.present.count == 3 && again.bytes == 0)

        // Pull into an empty cache: everything up to date, nothing to execute.
        let store = try CacheStore(root: box.dir.appendingPathComponent("cache2"))
        let pulled = try RemoteTransfer(store: store).pull(try box.load(), from: remote, jobs: 3)
        #expect(pulled.transferred.count == 3 && pulled.failures.isEmpty, "\(pulled.failures)")
        #expect(Planner.plan(try box.load(), store: store, lock: nil).allSatisfy { $0.state == .upToDate })
        let before = box.executions().count
        let summary = try Executor(experiment: try box.load(), store: store).run(RunOptions())
        #expect(summary.results.allSatisfy { $0.status == .cached } && box.executions().count == before)

        // A flipped byte in one object on the server: that entry is refused by name, nothing of it is committed.
        let key = try #require(Planner.plan(try box.load(), store: store, lock: nil).first { $0.id == "a" }?.key)
        let record = try JSONDecoder().decode(EntryRecord.self, from: try remote.client.get(key: RemoteLayout.recordKey(key)))
        let file = try #require(record.files.first { $0.path.hasSuffix("value.txt") })
        var bytes = try remote.client.get(key: RemoteLayout.objectKey(file.sha256))
        bytes[0] ^= 1
        try remote.client.put(key: RemoteLayout.objectKey(file.sha256), data: bytes)
        let victim = try CacheStore(root: box.dir.appendingPathComponent("cache3"))
        let refused = try RemoteTransfer(store: victim).pull(try box.load(), from: remote, jobs: 2)
        #expect(refused.failures.contains { $0.key == key && $0.message.contains("a") && $0.message.contains(file.path) }, "\(refused.failures)")
        #expect(!(try victim.allKeys().contains(key)))

        // A wrong secret and a missing bucket: clear errors that say what to check.
        let forged = S3Remote(client: try server.client("s3://results/lab/study",
                                                        credentials: S3Credentials(accessKeyID: remote.client.credentials.accessKeyID,
                                                                                   secretAccessKey: "not-the-secret")))
        let wrongKey: String
        do {
            wrongKey = try transfer.push(transfer.entries(of: try box.load()).items, to: forged).failures.map(\.message).joined(separator: "\n")
        } catch { wrongKey = "\(error)" }
        #expect(wrongKey.contains("secret access key is wrong"), "\(wrongKey)")
        let nowhere = S3Remote(client: try server.client("s3://no-such-bucket/x"))
        let missing = Self.message { try RemoteTransfer(store: victim).pull(try box.load(), from: nowhere) }
        #expect(missing.contains("bucket 'no-such-bucket' does not exist"), "\(missing)")
    }
}
