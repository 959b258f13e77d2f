import Foundation
import Testing
@testable import Graph

@Suite struct CacheStoreTests {
    static let chain = """
    palimpsest: 1
    nodes:
      a: {kind: emit, params: {value: 2}}
      b: {kind: emit, params: {value: 3}, inputs: {from: a}}
    """

    func key(_ box: Sandbox, _ id: String) throws -> String {
        let plan = Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: nil)
        return try #require(plan.first { $0.id == id }?.key)
    }

    @Test func corruptedOutputIsDetectedAndRecomputed() throws {
        let box = try Sandbox(Self.chain)
        try box.run()
        let store = try CacheStore(root: box.cache)
        let aKey = try key(box, "a")
        let file = store.entryDirectory(aKey).appendingPathComponent("outputs/out/value.txt")
        try "9\n".write(to: file, atomically: false, encoding: .utf8)
        guard case .corrupt(let reason) = store.lookup(aKey) else { Issue.record("corruption not detected"); return }
        #expect(reason.contains("value.txt"))
        let events = EventLog()
        let summary = try Executor(experiment: try box.load(), store: try CacheStore(root: box.cache), observer: events).run(RunOptions())
        #expect(summary.results.map(\.status) == [.executed, .cached])
        #expect(events.all.contains { if case .corrupt(let id, _, _) = $0 { return id == "a" }; return false })
        #expect(try box.value("b") == 5)
        guard case .hit = try CacheStore(root: box.cache).lookup(aKey) else { Issue.record("not recomputed"); return }
    }

    @Test func missingOrForeignManifestIsCorrupt() throws {
        let box = try Sandbox(Self.chain)
        try box.run()
        let store = try CacheStore(root: box.cache)
        let aKey = try key(box, "a"), bKey = try key(box, "b")
        let aManifest = store.entryDirectory(aKey).appendingPathComponent("manifest.json")
        try FileManager.default.removeItem(at: store.entryDirectory(bKey).appendingPathComponent("manifest.json"))
        try FileManager.default.copyItem(at: aManifest, to: store.entryDirectory(bKey).appendingPathComponent("manifest.json"))
        guard case .corrupt = store.lookup(bKey) else { Issue.record("foreign manifest accepted"); return }
        try FileManager.default.removeItem(at: aManifest)
        guard case .corrupt = store.lookup(aKey) else { Issue.record("missing manifest accepted"); return }
        #expect(try box.run().executed == ["a", "b"])
    }

    @Test func extraFileInAnEntryIsCorrupt() throws {
        let box = try Sandbox(Self.chain)
        try box.run()
        let store = try CacheStore(root: box.cache)
        let aKey = try key(box, "a")
        try "x".write(to: store.entryDirectory(aKey).appendingPathComponent("outputs/out/stray.txt"), atomically: false, encoding: .utf8)
        guard case .corrupt = store.lookup(aKey) else { Issue.record("extra file accepted"); return }
    }

    @Test func twoConcurrentRunsNeverExecuteAnInstanceTwice() throws {
        var yaml = "palimpsest: 1\nnodes:\n"
        for i in 0..<6 { yaml += "  n\(i): {kind: emit, params: {value: \(i), sleep_ms: 60}\(i > 0 ? ", inputs: {from: n\(i - 1)}" : "")}\n" }
        for i in 0..<4 { yaml += "  side\(i): {kind: emit, params: {value: \(100 + i), sleep_ms: 60}}\n" }
        let box = try Sandbox(yaml)
        let experiment = try box.load()
        let group = DispatchGroup()
        let results = ResultBox()
        for jobs in [1, 2] {
            group.enter()
            Thread {
                do {
                    let summary = try Executor(experiment: experiment, store: try CacheStore(root: box.cache))
                        .run(RunOptions(jobs: jobs, writeLockFile: false))
                    results.add(summary)
                } catch { results.add(error) }
                group.leave()
            }.start()
        }
        group.wait()
        let executed = box.executions()
        #expect(executed.count == 10)
        #expect(Set(executed).count == 10)
        #expect(results.summaries.count == 2)
        let total = results.summaries.reduce(0) { $0 + $1.count(.executed) }
        #expect(total == 10)
        #expect(results.summaries.allSatisfy { !$0.failed })
    }

    @Test func digestMemoReusesUnchangedFilesAndNoticesChanges() throws {
        let box = try Sandbox("palimpsest: 1\nnodes: {}\n")
        let tree = box.dir.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try "one".write(to: tree.appendingPathComponent("a.txt"), atomically: false, encoding: .utf8)
        try "two".write(to: tree.appendingPathComponent("sub/b.txt"), atomically: false, encoding: .utf8)
        let memoDir = box.dir.appendingPathComponent("memo")
        let memo = DigestMemo(directory: memoDir)
        let first = try memo.tree(tree.path)
        #expect(first.files.map(\.path) == ["a.txt", "sub/b.txt"])
        // Oracle: SHA-256 of "one" from the reference value.
        #expect(first.files[0].sha256 == "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")
        try memo.save()
        let reloaded = DigestMemo(directory: memoDir)
        #expect(try reloaded.tree(tree.path).digest == first.digest)
        try "TWO".write(to: tree.appendingPathComponent("sub/b.txt"), atomically: false, encoding: .utf8)
        #expect(try reloaded.tree(tree.path).digest != first.digest)
        try "two".write(to: tree.appendingPathComponent("sub/b.txt"), atomically: false, encoding: .utf8)
        #expect(try reloaded.tree(tree.path).digest == first.digest)
    }

    @Test func gcKeepsReachableAndLockedEntries() throws {
        let box = try Sandbox(Self.chain)
        try box.run()
        try box.write(Self.chain.replacingOccurrences(of: "value: 3}", with: "value: 4}"))
        try box.run()
        let store = try CacheStore(root: box.cache)
        #expect(store.allKeys().count == 3)
        let keep = try GarbageCollector.reachableKeys(try box.load(), store: store)
        #expect(keep.count == 2)
        let dry = try GarbageCollector.collect(store: store, keep: keep, dryRun: true)
        #expect(dry.removed.count == 1 && store.allKeys().count == 3)
        func shards() -> Int {
            (FileManager.default.enumerator(atPath: box.cache.appendingPathComponent("memo").path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".tsv") }.count
        }
        #expect(shards() == 3, "one memo shard per entry output")
        let real = try GarbageCollector.collect(store: store, keep: keep, dryRun: false)
        #expect(real.removed == dry.removed && store.allKeys().count == 2)
        #expect(shards() == 2, "the removed entry's memo shard went with it")
        #expect(try box.run().executed.isEmpty)
    }

    @Test func defaultCacheRootFollowsFlagThenEnvironmentThenProject() throws {
        let box = try Sandbox("palimpsest: 1\nnodes: {}\n")
        let sub = box.dir.appendingPathComponent("experiments")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: box.dir.appendingPathComponent(".git"), withIntermediateDirectories: true)
        let file = sub.appendingPathComponent("e.yaml")
        #expect(CacheStore.defaultRoot(explicit: "/x/c", experimentFile: file, environment: [:]).path == "/x/c")
        #expect(CacheStore.defaultRoot(explicit: nil, experimentFile: file, environment: ["PALIMPSEST_CACHE": "/y"]).path == "/y")
        #expect(CacheStore.defaultRoot(explicit: nil, experimentFile: file, environment: [:]).path == box.dir.appendingPathComponent("cache").standardizedFileURL.path)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var summaries: [RunSummary] = []
    private(set) var errors: [Error] = []
    func add(_ s: RunSummary) { lock.lock(); summaries.append(s); lock.unlock() }
    func add(_ e: Error) { lock.lock(); errors.append(e); lock.unlock() }
}
