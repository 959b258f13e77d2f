import Foundation
import Testing
@testable import Graph

/// Push and pull through a directory remote and an export archive, in process; tampered remotes rejected.
///
///     a ──▶ b ──▶ total (gathers a, b)
@Suite struct RemoteTests {
    static let chain = """
    palimpsest: 1
    nodes:
      a: {kind: emit, params: {value: 2}}
      b: {kind: emit, params: {value: 3}, inputs: {from: a}}
      total: {kind: emit, inputs: {from: [a, b]}}
    """

    /// A sandbox whose chain ran once, and an empty remote directory beside it.
    func published() throws -> (Sandbox, DirectoryRemote, RemoteTransfer) {
        let box = try Sandbox(Self.chain)
        try box.run()
        let remote = try DirectoryRemote(root: box.dir.appendingPathComponent("remote"), create: true)
        let transfer = RemoteTransfer(store: try CacheStore(root: box.cache))
        let report = try transfer.push(transfer.entries(of: try box.load()).items, to: remote, jobs: 2)
        #expect(report.transferred.count == 3 && report.failures.isEmpty)
        return (box, remote, transfer)
    }

    func key(_ box: Sandbox, _ id: String) throws -> String {
        try #require(Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: nil).first { $0.id == id }?.key)
    }

    /// The record of `key` on the remote and the path of the object holding the entry file `path`.
    func object(_ remote: DirectoryRemote, _ key: String, _ path: String) throws -> (EntryRecord, URL) {
        let data = try Data(contentsOf: remote.root.appendingPathComponent(RemoteLayout.recordKey(key)))
        let record = try JSONDecoder().decode(EntryRecord.self, from: data)
        let file = try #require(record.files.first { $0.path == path })
        return (record, remote.root.appendingPathComponent(RemoteLayout.objectKey(file.sha256)))
    }

    @Test func pushThenPullIntoAnEmptyCacheLeavesNothingToRun() throws {
        let (box, remote, transfer) = try published()
        let index = try RemoteIndex.read(from: remote)
        #expect(index.entries.count == 3)
        #expect(index.entries[try key(box, "a")]?.outputs["out"]?.hasPrefix("tree:") == true)

        let again = try transfer.push(transfer.entries(of: try box.load()).items, to: remote)
        #expect(again.transferred.isEmpty && again.present.count == 3 && again.bytes == 0, "a second push sends nothing")

        let other = box.dir.appendingPathComponent("cache2")
        let store = try CacheStore(root: other)
        let pulled = try RemoteTransfer(store: store).pull(try box.load(), from: remote, jobs: 2)
        #expect(pulled.transferred.count == 3 && pulled.failures.isEmpty)
        #expect(Planner.plan(try box.load(), store: store, lock: nil).allSatisfy { $0.state == .upToDate })
        let before = box.executions().count
        let summary = try Executor(experiment: try box.load(), store: store).run(RunOptions())
        #expect(summary.results.allSatisfy { $0.status == .cached })
        #expect(box.executions().count == before, "nothing executed after the pull")
        #expect(try readValue(store.entryDirectory(try key(box, "total")).appendingPathComponent("outputs/out")) == 7)

        let twice = try RemoteTransfer(store: store).pull(try box.load(), from: remote)
        #expect(twice.transferred.isEmpty && twice.bytes == 0, "a second pull sends nothing")
    }

    @Test func runWithFetchExecutesOnlyTheChangedChain() throws {
        let (box, remote, _) = try published()
        let store = try CacheStore(root: box.dir.appendingPathComponent("cache2"))
        let transfer = RemoteTransfer(store: store)
        let index = try RemoteIndex.read(from: remote)
        var options = RunOptions()
        options.fetch = { key, instance throws(GraphError) in
            index.entries[key] != nil ? try transfer.fetch(key, instance: instance, from: remote) : false
        }
        let before = box.executions().count
        let summary = try Executor(experiment: try box.load(["b.value=4"]), store: store).run(options)
        #expect(summary.results.map(\.status) == [.pulled, .executed, .executed])
        #expect(Array(box.executions().dropFirst(before)) == ["b", "total"])
    }

    @Test func statusPlanSaysWhatTheRemoteHasBeforeAnythingIsPulled() throws {
        let (box, remote, _) = try published()
        let store = try CacheStore(root: box.dir.appendingPathComponent("cache2"))
        let plan = Planner.plan(try box.load(["b.value=4"]), store: store, lock: nil, remote: try RemoteIndex.read(from: remote))
        // b's key changed; total's key is computed from b's new output, which nobody has yet.
        #expect(plan.map(\.onRemote) == [true, false, nil])
        #expect(plan.map(\.state) == [.stale, .stale, .waiting])
    }

    /// Pulls `a` from a remote whose entry was altered by `tamper`; checks the error names `a` and `what`, and that
    /// nothing reached the cache.
    func expectRejected(_ what: String, _ tamper: (Sandbox, DirectoryRemote) throws -> Void) throws {
        let (box, remote, _) = try published()
        try tamper(box, remote)
        let store = try CacheStore(root: box.dir.appendingPathComponent("cache2"))
        let report = try RemoteTransfer(store: store).pull(try box.load(), selected: [0], from: remote)
        #expect(report.transferred.isEmpty)
        let message = try #require(report.failures.first?.message)
        #expect(message.contains("a (key ") && message.contains(what), "\(message)")
        #expect(store.allKeys().isEmpty)
        #expect(try FileSystem.list(store.root.appendingPathComponent("tmp").path).isEmpty, "no staging left")
    }

    @Test func flippedByteIsRejected() throws {
        try expectRejected("object outputs/out/value.txt") { box, remote in
            let (_, file) = try object(remote, try key(box, "a"), "outputs/out/value.txt")
            try "3\n".write(to: file, atomically: false, encoding: .utf8)
        }
    }

    @Test func truncatedObjectIsRejected() throws {
        try expectRejected("truncated (1 of 2 bytes)") { box, remote in
            let (_, file) = try object(remote, try key(box, "a"), "outputs/out/value.txt")
            try "2".write(to: file, atomically: false, encoding: .utf8)
        }
    }

    @Test func manifestClaimingAnotherKeyIsRejected() throws {
        try expectRejected("manifest.json claims key") { box, remote in
            let aKey = try key(box, "a"), bKey = try key(box, "b")
            let (bRecord, _) = try object(remote, bKey, "manifest.json")
            let (aRecord, _) = try object(remote, aKey, "manifest.json")
            let forged = EntryRecord(format: 1, key: aKey,
                                     files: aRecord.files.filter { $0.path != "manifest.json" } + bRecord.files.filter { $0.path == "manifest.json" },
                                     directories: [])
            try JSONEncoder().encode(forged).write(to: remote.root.appendingPathComponent(RemoteLayout.recordKey(aKey)))
        }
    }

    @Test func recordPathsLeavingTheEntryAreRejected() throws {
        for path in ["../../../escaped", "/tmp/escaped", "outputs/out/../../x", "notes.txt"] {
            try expectRejected("rejected") { box, remote in
                let aKey = try key(box, "a")
                let (record, _) = try object(remote, aKey, "manifest.json")
                let bad = EntryRecord(format: 1, key: aKey, files: record.files + [EntryFile(path: path, size: 2, sha256: record.files[0].sha256)],
                                      directories: [])
                try JSONEncoder().encode(bad).write(to: remote.root.appendingPathComponent(RemoteLayout.recordKey(aKey)))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/escaped"))
    }

    @Test func interruptedPushResumesAndHealsTheIndex() throws {
        let (box, remote, transfer) = try published()
        let aKey = try key(box, "a")
        // As if killed after a's objects and before its record and the index: the remote does not list it.
        try FileManager.default.removeItem(at: remote.root.appendingPathComponent(RemoteLayout.recordKey(aKey)))
        try Data("{\"format\":1,\"entries\":{}}".utf8).write(to: remote.root.appendingPathComponent("index.json"))
        let report = try transfer.push(transfer.entries(of: try box.load()).items.filter { $0.key == aKey }, to: remote)
        #expect(report.transferred == [aKey])
        #expect(report.bytes == 0, "a's objects were already there")
        #expect(try RemoteIndex.read(from: remote).entries.count == 3, "b's and total's records, missing from the index, are added back")
    }

    @Test func exportArchiveIsPulledInPlace() throws {
        let box = try Sandbox(Self.chain)
        try box.run()
        let transfer = RemoteTransfer(store: try CacheStore(root: box.cache))
        let tar = box.dir.appendingPathComponent("results.tar")
        let writer = try ArchiveWriter(output: tar)
        _ = try transfer.push(transfer.entries(of: try box.load()).items, to: writer)
        try writer.add(box.file, as: "experiment/exp.yaml")
        try writer.finish()
        let archive = try ArchiveRemote(file: tar)
        #expect(archive.names.contains("experiment/exp.yaml") && archive.names.contains("index.json"))
        let store = try CacheStore(root: box.dir.appendingPathComponent("cache2"))
        let report = try RemoteTransfer(store: store).pull(try box.load(), from: archive)
        #expect(report.transferred.count == 3 && report.failures.isEmpty)
        #expect(Planner.plan(try box.load(), store: store, lock: nil).allSatisfy { $0.state == .upToDate })
    }

    /// A tar of one member `name` with `body`, as another tool might write it.
    func tar(_ name: String, _ body: String, type: UInt8 = UInt8(ascii: "0")) -> Data {
        var header = TarHeader.encode(name: name, size: Int64(body.utf8.count), mtime: 0)
        header[156] = type
        for i in 148..<156 { header[i] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        let digits = Array(String(format: "%06o", sum).utf8)
        for i in 0..<6 { header[148 + i] = digits[i] }
        header[154] = 0
        var data = Data(header) + Data(body.utf8)
        data += Data(count: (512 - body.utf8.count % 512) % 512 + 1024)
        return data
    }

    @Test func archivesWithEscapingNamesOrLinksAreRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tar-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, UInt8, String)] = [
            ("../evil", UInt8(ascii: "0"), "'..' in the path"),
            ("/etc/evil", UInt8(ascii: "0"), "absolute path"),
            ("objects/ab/link", UInt8(ascii: "2"), "is a link"),
        ]
        for (name, type, expected) in cases {
            let file = dir.appendingPathComponent("bad.tar")
            try tar(name, "x", type: type).write(to: file)
            let error = #expect(throws: GraphError.self) { try ArchiveRemote(file: file) }
            #expect(error?.plainDescription.contains("rejected: member '\(name)'") == true)
            #expect(error?.plainDescription.contains(expected) == true, "\(String(describing: error))")
        }
        let good = dir.appendingPathComponent("good.tar")
        try tar("index.json", "{}").write(to: good)
        #expect(try ArchiveRemote(file: good).read("index.json", limit: 10) == Data("{}".utf8))
    }

    @Test func remotesAreNamedInTheFileAndNotPartOfAnyKey() throws {
        let box = try Sandbox(Self.chain)
        let plain = Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: nil).map(\.key)
        try box.write(Self.chain.replacingOccurrences(of: "nodes:", with: "remotes: {lab: ../shared, web: 'https://lab.example/r'}\nnodes:"))
        let named = try box.load()
        #expect(named.remotes == ["lab": "../shared", "web": "https://lab.example/r"])
        #expect(Planner.plan(named, store: try CacheStore(root: box.cache), lock: nil).map(\.key) == plain)
        #expect(try RemoteLocation.resolve("lab", experiment: named, configured: [:])
                == .directory(box.dir.deletingLastPathComponent().appendingPathComponent("shared").standardizedFileURL))
        #expect(try RemoteLocation.resolve("web", experiment: named, configured: [:]) == .http(URL(string: "https://lab.example/r")!))
        #expect(try RemoteLocation.resolve("x.tar", experiment: named, configured: ["x.tar": "/srv/y.tar"]) == .archive(URL(fileURLWithPath: "/srv/y.tar")))
        let bad = diagnostics(Self.chain.replacingOccurrences(of: "nodes:", with: "remotes: {lab: 3}\nnodes:"))
        #expect(bad.map(\.message) == ["remotes.lab: expected a directory, file://, http(s):// URL or .tar archive, found an integer"])
    }

    @Test func configFileNamesRemotesTooAndTheExperimentWins() throws {
        let box = try Sandbox(Self.chain.replacingOccurrences(of: "nodes:", with: "remotes: {lab: mine}\nnodes:"))
        let config = box.dir.appendingPathComponent("config.yaml")
        try "remotes:\n  lab: /srv/theirs\n  web: https://lab.example/r\n".write(to: config, atomically: true, encoding: .utf8)
        #expect(RemoteLocation.configFile(environment: ["PALIMPSEST_CONFIG": config.path]) == config)
        #expect(RemoteLocation.configFile(environment: ["XDG_CONFIG_HOME": "/x"]).path == "/x/palimpsest/config.yaml")
        let configured = try RemoteLocation.configuredRemotes(file: config)
        #expect(configured == ["lab": "/srv/theirs", "web": "https://lab.example/r"])
        #expect(try RemoteLocation.resolve("lab", experiment: try box.load(), configured: configured) == .directory(box.dir.appendingPathComponent("mine")))
        #expect(try RemoteLocation.resolve("web", experiment: try box.load(), configured: configured) == .http(URL(string: "https://lab.example/r")!))
        #expect(try RemoteLocation.configuredRemotes(file: box.dir.appendingPathComponent("absent.yaml")).isEmpty)
        try "remote:\n  lab: /srv\n".write(to: config, atomically: true, encoding: .utf8)
        let error = #expect(throws: GraphError.self) { try RemoteLocation.configuredRemotes(file: config) }
        #expect(error?.description.contains("unknown key 'remote'; expected: remotes") == true)
        let scheme = #expect(throws: GraphError.self) { try RemoteLocation.parse("ftp://host/x", base: box.dir) }
        #expect(scheme?.plainDescription.contains("unknown scheme 'ftp'") == true)
    }
}
