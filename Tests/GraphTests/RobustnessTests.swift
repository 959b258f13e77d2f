import Foundation
import Testing
@testable import Graph

/// The cache under faults: silent bit rot found by `verify`, a full disk at several fill levels, wide gathers.
@Suite struct RobustnessTests {
    static let pair = """
    palimpsest: 1
    nodes:
      a: {kind: emit, params: {value: 3}}
      b: {kind: emit, inputs: {from: a}, params: {value: 4}}

    """

    /// Flips one byte of `path` and makes the digest memo vouch for the new bytes, as a flip that keeps size,
    /// inode, mtime and ctime would: a lookup then trusts the file.
    static func rot(_ path: String, memoRoot: String, store: CacheStore) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[0] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        let (stamp, _) = try DigestMemo.stamp(path)
        let h = Hashing.sha256(memoRoot)
        let shard = store.root.appendingPathComponent("memo/\(h.prefix(2))/\(h).tsv")
        let text = try String(contentsOf: shard, encoding: .utf8)
        let lines = text.split(separator: "\n").map { line -> String in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 7, memoRoot + "/" + f[6] == path else { return String(line) }
            return ["\(stamp.device)", "\(stamp.inode)", "\(stamp.size)", "\(stamp.mtime)", "\(stamp.ctime)", String(f[5]), String(f[6])]
                .joined(separator: "\t")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: shard, atomically: true, encoding: .utf8)
    }

    @Test func verifyFindsRotThatLookupsTrustAndTheNextRunRecomputes() throws {
        let sandbox = try Sandbox(Self.pair)
        try sandbox.run()
        let store = try CacheStore(root: sandbox.cache)
        let plan = Planner.plan(try sandbox.load(), store: store, lock: nil)
        let keyA = try #require(plan.first { $0.id == "a" }?.key)
        let outputs = store.entryDirectory(keyA).appendingPathComponent("outputs/out").path
        try Self.rot(outputs + "/value.txt", memoRoot: outputs, store: store)
        guard case .hit = try CacheStore(root: sandbox.cache).lookup(keyA) else {
            Issue.record("the rotted entry should still look valid to a lookup (that is the blind spot verify covers)")
            return
        }

        let verifier = Verifier(store: try CacheStore(root: sandbox.cache))
        let progress = ProgressLog()
        let results = verifier.verify(verifier.keys(of: try sandbox.load())) { done, total, _, _ in progress.add(done, total) }
        #expect(results.count == 2 && progress.steps == [(1, 2), (2, 2)].map { "\($0)/\($1)" })
        let damaged = results.filter { $0.damage != nil }
        #expect(damaged.count == 1 && damaged[0].key == keyA && damaged[0].instances == ["a"])
        #expect(damaged[0].damage?.contains("value.txt does not match its SHA-256") ?? false, "\(damaged)")
        let moved = try #require(damaged[0].quarantined)
        #expect(FileManager.default.fileExists(atPath: moved + "/manifest.json") && !FileSystem.exists(store.entryDirectory(keyA)))

        let (_, executed) = try sandbox.run()
        #expect(executed == ["a"], "a is recomputed to the same bytes, so b stays cached (early cut-off)")
        #expect(try sandbox.value("a") == 3 && sandbox.value("b") == 7)
        let again = Verifier(store: try CacheStore(root: sandbox.cache))
        #expect(again.verify(again.keys(of: nil)).allSatisfy { $0.damage == nil })
    }

    @Test func tenThousandInstanceGather() throws {
        let values = (0..<100).map(String.init).joined(separator: ", ")
        let labels = (0..<100).map { "l\($0)" }.joined(separator: ", ")
        let sandbox = try Sandbox("""
        palimpsest: 1
        nodes:
          a: {kind: emit, matrix: {value: [\(values)], label: [\(labels)]}}
          all: {kind: collect, inputs: {items: "a[*]"}}

        """)
        let (summary, executed) = try sandbox.run(RunOptions(jobs: 2))
        #expect(!summary.failed && executed.count == 10_001)
        let store = try CacheStore(root: sandbox.cache)
        let key = try #require(Planner.plan(try sandbox.load(), store: store, lock: nil).first { $0.id == "all" }?.key)
        let list = try String(contentsOf: store.entryDirectory(key).appendingPathComponent("outputs/out/list.txt"), encoding: .utf8)
        let lines = list.split(separator: "\n")
        #expect(lines.count == 10_000 && lines.map { Int($0.split(separator: "=").last!)! }.reduce(0, +) == 100 * 99 / 2 * 100)
    }

    /// Runs `pair` with its cache on a tmpfs of `pages` pages filled to leave `free` bytes: whatever fails,
    /// no staging stays behind, and once space is back the rerun gives the clean run's values.
    @Test(arguments: [0, 4096, 8192, 12_288, 16_384, 24_576, 40_960])
    func fullDiskLeavesNoStagingAndRecovers(free: Int) throws {
        guard getuid() == 0 else {
            print("skipped: mounting a small tmpfs needs root")
            return
        }
        let sandbox = try Sandbox(Self.pair)
        let mount = sandbox.dir.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        guard Self.shell("mount -t tmpfs -o size=256k tmpfs '\(mount.path)'") == 0 else {
            print("skipped: cannot mount a tmpfs here")
            return
        }
        defer { _ = Self.shell("umount '\(mount.path)'") }
        let root = mount.appendingPathComponent("cache")
        let store = try CacheStore(root: root)
        let filler = mount.appendingPathComponent("filler")
        var info = statvfs()
        statvfs(mount.path, &info)
        let available = Int(info.f_bavail) * Int(info.f_frsize)
        try Data(count: max(0, available - free)).write(to: filler)

        let events = EventLog()
        let summary = try Executor(experiment: try sandbox.load(), store: store, observer: events).run(RunOptions(writeLockFile: false))
        #expect(try FileSystem.list(root.appendingPathComponent("tmp").path).isEmpty, "staging left with \(free) bytes free")
        for result in summary.results where result.status == .failed {
            #expect(!(result.reason ?? "").contains("Error Domain="), "\(result.reason ?? "")")
        }
        let warnings = events.all.compactMap { if case .warning(let w) = $0 { return w }; return nil }
        for w in warnings { #expect(w.contains("No space left on device"), "\(w)") }

        try FileManager.default.removeItem(at: filler)
        let rerun = try Executor(experiment: try sandbox.load(), store: try CacheStore(root: root)).run(RunOptions(writeLockFile: false))
        #expect(!rerun.failed)
        for (id, value) in [("a", 3), ("b", 7)] {
            let key = try #require(rerun.results.first { $0.id == id }?.key)
            #expect(try readValue(store.entryDirectory(key).appendingPathComponent("outputs/out")) == value)
        }
    }

    static func shell(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// Progress callbacks as `done/total` strings.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [String] = []
    func add(_ done: Int, _ total: Int) { lock.lock(); all.append("\(done)/\(total)"); lock.unlock() }
    var steps: [String] { lock.lock(); defer { lock.unlock() }; return all }
}
