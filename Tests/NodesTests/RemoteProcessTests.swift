import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// A static HTTP server on a loopback port, serving `directory`: Python's `http.server`, or `script` (Python
/// code given the directory and `arguments`, printing its port) for a misbehaving one. Stopped when released.
final class StaticServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init(serving directory: URL, script: String? = nil, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = script.map { ["python3", "-u", "-c", $0, directory.path] + arguments }
            ?? ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "Serving HTTP on 127.0.0.1 port 43117 (http://127.0.0.1:43117/) ..."
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let match = text.firstMatch(of: /port (\d+)/), let port = Int(match.1) else {
            kill(process.processIdentifier, SIGKILL)
            throw NodeFailure("the HTTP server did not start: \(text)")
        }
        self.port = port
    }

    /// SIGKILL: the test runner may block SIGTERM, and its children inherit the mask.
    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// `push`, `pull`, `export`, `run --pull/--push` and `status --remote` driven as a reader would drive them,
/// against a directory remote, a real static HTTP server and an archive.
///
///     a ──▶ b ──▶ c        (shell nodes; b has a param `n` the reader changes)
@Suite struct RemoteProcessTests {
    static let yaml = """
    palimpsest: 1
    remotes: {lab: shared}
    nodes:
      a: {kind: shell, params: {cmd: "echo 1 > $PALIMPSEST_OUTPUT/v; mkdir $PALIMPSEST_OUTPUT/empty"}}
      b: {kind: shell, inputs: {x: a}, params: {cmd: "cat $PALIMPSEST_INPUT_X/v > $PALIMPSEST_OUTPUT/v; echo $N >> $PALIMPSEST_OUTPUT/v", n: 1}}
      c: {kind: shell, inputs: {x: b}, params: {cmd: "cat $PALIMPSEST_INPUT_X/v > $PALIMPSEST_OUTPUT/v"}}
    """

    static func palimpsest(_ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        try RunnerProcessTests.run(args, in: dir)
    }

    /// A project whose chain ran and was pushed to its `lab` remote (`shared/`).
    func published() throws -> ShellProject {
        let p = try ShellProject(Self.yaml)
        #expect(try Self.palimpsest(["run", "exp.yaml"], in: p.dir).status == 0)
        let push = try Self.palimpsest(["push", "exp.yaml", "lab"], in: p.dir)
        #expect(push.status == 0 && push.out.hasPrefix("pushed 3 entries"), "\(push)")
        return p
    }

    @Test func directoryRemoteRoundTrip() throws {
        let p = try published()
        let again = try Self.palimpsest(["push", "exp.yaml", "lab", "-j", "2"], in: p.dir)
        #expect(again.out.hasPrefix("pushed 0 entries") && again.out.contains("3 already on the remote"))

        let reader = ["--cache", "reader-cache"]
        let before = try Self.palimpsest(["status", "exp.yaml", "--remote", "lab"] + reader, in: p.dir)
        #expect(before.out.contains("stale       a: not in this cache [on the remote]"))
        #expect(before.out.contains("3 of 3 stale instances are on lab"))
        let pull = try Self.palimpsest(["pull", "exp.yaml", "file://\(p.dir.path)/shared", "-j", "3"] + reader, in: p.dir)
        #expect(pull.status == 0 && pull.out.hasPrefix("pulled 3 entries"), "\(pull)")
        let status = try Self.palimpsest(["status", "exp.yaml"] + reader, in: p.dir)
        #expect(status.out.contains("exp.yaml: 3 of 3 instances up to date"))
        let run = try Self.palimpsest(["run", "exp.yaml"] + reader, in: p.dir)
        #expect(run.out.contains("0 executed, 3 cached"))

        let changed = try Self.palimpsest(["run", "exp.yaml", "--set", "b.n=2", "--pull", "lab", "--push", "lab"] + ["--cache", "fresh-cache"], in: p.dir)
        #expect(changed.status == 0)
        #expect(changed.out.contains("2 executed, 0 cached, 1 pulled"), "\(changed)")
        #expect(changed.err.contains("⇣ a: pulled") && changed.err.contains("▶ b: running (params.n 1→2)"))
        #expect(changed.out.contains("pushed 2 entries") && changed.out.contains("0 already on the remote"), "b and c are new; a came from it")
        let third = try Self.palimpsest(["run", "exp.yaml", "--set", "b.n=2", "--pull", "lab", "--cache", "third-cache"], in: p.dir)
        #expect(third.out.contains("0 executed, 0 cached, 3 pulled"), "\(third)")
    }

    @Test func httpRemoteServedByAStaticServer() throws {
        let p = try published()
        let server = try StaticServer(serving: p.dir.appendingPathComponent("shared"))
        let reader = ["--cache", "reader-cache"]
        let status = try Self.palimpsest(["status", "exp.yaml", "--remote", server.url + "/"] + reader, in: p.dir)
        #expect(status.out.contains("3 of 3 stale instances are on"), "\(status)")
        let pull = try Self.palimpsest(["pull", "exp.yaml", server.url, "--only", "b"] + reader, in: p.dir)
        #expect(pull.status == 0 && pull.out.hasPrefix("pulled 2 entries"), "--only b brings b and a: \(pull)")
        let run = try Self.palimpsest(["run", "exp.yaml", "--set", "b.n=5", "--pull", server.url] + reader, in: p.dir)
        #expect(run.out.contains("2 executed, 1 cached, 0 pulled"), "\(run)")
        let push = try Self.palimpsest(["push", "exp.yaml", server.url] + reader, in: p.dir)
        #expect(push.status == 2 && push.err.contains("read-only"))
        let missing = try Self.palimpsest(["pull", "exp.yaml", server.url + "/nothing-here"] + reader, in: p.dir)
        #expect(missing.status == 1 && missing.err.contains("no index.json"), "\(missing)")
    }

    @Test func exportArchiveImportsFromAPathAndAURL() throws {
        let p = try ShellProject(Self.yaml)
        #expect(try Self.palimpsest(["run", "exp.yaml"], in: p.dir).status == 0)
        let export = try Self.palimpsest(["export", "exp.yaml", "--out", "site/results.tar"], in: p.dir)
        #expect(export.status == 1 && export.err.contains("cannot create the archive"), "the directory does not exist yet: \(export)")
        try FileManager.default.createDirectory(at: p.dir.appendingPathComponent("site"), withIntermediateDirectories: true)
        let exported = try Self.palimpsest(["export", "exp.yaml", "--out", "site/results.tar"], in: p.dir)
        #expect(exported.status == 0 && exported.out.contains("exported 3 entries"), "\(exported)")
        let members = try ArchiveRemote(file: p.dir.appendingPathComponent("site/results.tar")).names
        #expect(members.contains("experiment/exp.yaml") && members.contains("experiment/exp.yaml.lock"))

        let local = try Self.palimpsest(["pull", "exp.yaml", "site/results.tar", "--cache", "c1"], in: p.dir)
        #expect(local.out.hasPrefix("pulled 3 entries"), "\(local)")
        let server = try StaticServer(serving: p.dir.appendingPathComponent("site"))
        let remote = try Self.palimpsest(["pull", "exp.yaml", server.url + "/results.tar", "--cache", "c2"], in: p.dir)
        #expect(remote.out.hasPrefix("pulled 3 entries"), "\(remote)")
        #expect(try FileSystem.list(p.dir.appendingPathComponent("c2/tmp").path).isEmpty, "the downloaded archive is removed")
        #expect(try Self.palimpsest(["run", "exp.yaml", "--cache", "c2"], in: p.dir).out.contains("0 executed, 3 cached"))
    }

    @Test func tamperedHTTPRemoteIsRejectedByName() throws {
        let p = try published()
        let shared = p.dir.appendingPathComponent("shared")
        let store = try CacheStore(root: p.cache)
        let experiment = try Experiment.load(file: p.file, kinds: NodeRegistry.all)
        let key = try #require(Planner.plan(experiment, store: store, lock: nil)[0].key)
        let record = try JSONDecoder().decode(EntryRecord.self, from: Data(contentsOf: shared.appendingPathComponent(RemoteLayout.recordKey(key))))
        let v = try #require(record.files.first { $0.path == "outputs/out/v" })
        try "7\n".write(to: shared.appendingPathComponent(RemoteLayout.objectKey(v.sha256)), atomically: false, encoding: .utf8)
        let server = try StaticServer(serving: shared)
        let pull = try Self.palimpsest(["pull", "exp.yaml", server.url, "--cache", "reader-cache"], in: p.dir)
        #expect(pull.status == 1)
        #expect(pull.err.contains("a (key \(key.prefix(12)))") && pull.err.contains("rejected object outputs/out/v"), "\(pull.err)")
        #expect(pull.out.contains("pulled 2 entries") && pull.out.contains("1 failed"), "b and c are keyed by a's recorded digest: \(pull.out)")
        #expect(try CacheStore(root: p.dir.appendingPathComponent("reader-cache")).allKeys().count == 2)
        let run = try Self.palimpsest(["run", "exp.yaml", "--pull", server.url, "--cache", "run-cache"], in: p.dir)
        #expect(run.err.contains("warning: remote \(server.url)") && run.err.contains("computing a here instead"), "\(run.err)")
        #expect(run.out.contains("1 executed, 0 cached, 2 pulled"), "a computed gives a's true digest, so b and c are pulled: \(run.out)")
    }

    /// A server that sends half of one object and then stalls, so the pull is killed mid-transfer.
    static let stallingServer = """
    import http.server, sys, time
    root, stall = sys.argv[1], sys.argv[2]
    class H(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k): super().__init__(*a, directory=root, **k)
        def copyfile(self, src, dst):
            if self.path.endswith(stall):
                data = src.read()
                dst.write(data[: len(data) // 2]); dst.flush(); time.sleep(60)
            super().copyfile(src, dst)
        def log_message(self, *a): pass
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    print("port", s.server_address[1], flush=True)
    s.serve_forever()
    """

    @Test func pullKilledMidTransferLeavesNoEntryAndTheNextPullCompletes() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          big: {kind: shell, params: {cmd: "head -c 3000000 /dev/urandom > $PALIMPSEST_OUTPUT/blob; echo x > $PALIMPSEST_OUTPUT/small"}}
        """)
        #expect(try Self.palimpsest(["run", "exp.yaml"], in: p.dir).status == 0)
        #expect(try Self.palimpsest(["push", "exp.yaml", "shared"], in: p.dir).status == 0)
        let store = try CacheStore(root: p.cache)
        let key = try #require(store.allKeys().first)
        let blob = try #require(store.manifest(key)?.outputs["out"]?.files.first { $0.path == "blob" })

        let stalling = try StaticServer(serving: p.dir.appendingPathComponent("shared"), script: Self.stallingServer, arguments: [blob.sha256])
        let (pull, _, _) = try RunnerProcessTests.start(["pull", "exp.yaml", stalling.url, "--cache", "reader-cache"], in: p.dir)
        let tmp = p.dir.appendingPathComponent("reader-cache/tmp")
        var waited = 0
        func partialBlob() -> Bool {
            for staging in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] {
                let attributes = try? FileManager.default.attributesOfItem(atPath: tmp.path + "/\(staging)/outputs/out/blob")
                if ((attributes?[.size] as? Int) ?? 0) > 0 { return true }
            }
            return false
        }
        while !partialBlob() && waited < 1000 { usleep(10_000); waited += 1 }
        #expect(partialBlob(), "the pull started writing the blob")
        kill(pull.processIdentifier, SIGKILL)
        pull.waitUntilExit()

        let reader = try CacheStore(root: p.dir.appendingPathComponent("reader-cache"))
        #expect(reader.allKeys().isEmpty, "nothing half-pulled is visible")
        let server = try StaticServer(serving: p.dir.appendingPathComponent("shared"))
        let again = try Self.palimpsest(["pull", "exp.yaml", server.url, "--cache", "reader-cache"], in: p.dir)
        #expect(again.status == 0 && again.out.hasPrefix("pulled 1 entry "), "\(again)")
        guard case .hit = reader.lookup(key) else { Issue.record("the resumed pull did not commit a verified entry"); return }
        #expect(try FileSystem.list(tmp.path).isEmpty, "the killed pull's staging was removed")
    }

    /// Every entry a remote lists is whole: each record's objects exist and hash to their names, each index entry
    /// has a record, no object is partial. Returns the number of records.
    func checkConsistent(_ remote: URL) throws -> Int {
        let store = try DirectoryRemote(root: remote, create: false)
        let index = try RemoteIndex.read(from: store)
        var records = 0
        for key in try store.list(prefix: "entries/") {
            let record = try JSONDecoder().decode(EntryRecord.self, from: Data(contentsOf: remote.appendingPathComponent(key)))
            for file in record.files {
                let object = remote.appendingPathComponent(RemoteLayout.objectKey(file.sha256))
                #expect(try Hashing.sha256(file: object.path) == file.sha256, "object of \(file.path) in \(key)")
            }
            records += 1
        }
        for key in index.entries.keys {
            #expect(FileManager.default.fileExists(atPath: remote.appendingPathComponent(RemoteLayout.recordKey(key)).path))
        }
        for object in try store.list(prefix: "objects/") {
            #expect(try Hashing.sha256(file: remote.appendingPathComponent(object).path) == String(object.split(separator: "/").last!))
        }
        return records
    }

    @Test func pushKilledMidTransferLeavesWholeObjectsAndTheNextPushCompletes() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          many: {kind: shell, matrix: {i: [1, 2, 3, 4]},
                 params: {cmd: "for f in $(seq 60); do head -c 200000 /dev/urandom > $PALIMPSEST_OUTPUT/f$f; done"}}
        """)
        #expect(try Self.palimpsest(["run", "exp.yaml", "-j", "2"], in: p.dir).status == 0)
        // A first push creates the index (the remote exists), then a second push of the rest is killed.
        #expect(try Self.palimpsest(["push", "exp.yaml", "shared", "--only", "many[i=1]"], in: p.dir).status == 0)
        let shared = p.dir.appendingPathComponent("shared")
        let (push, _, _) = try RunnerProcessTests.start(["push", "exp.yaml", "shared", "-j", "1"], in: p.dir)
        var waited = 0
        while ((try? FileSystem.list(shared.appendingPathComponent("objects").path).count) ?? 0) < 80 && waited < 2000 { usleep(2_000); waited += 1 }
        kill(push.processIdentifier, SIGKILL)
        push.waitUntilExit()
        let before = try checkConsistent(shared)
        #expect(before >= 1 && before < 4, "killed mid-push: \(before)")
        let again = try Self.palimpsest(["push", "exp.yaml", "shared"], in: p.dir)
        #expect(again.status == 0 && again.out.contains("pushed \(4 - before) entr"), "\(again)")
        #expect(try checkConsistent(shared) == 4)
        #expect(try RemoteIndex.read(from: DirectoryRemote(root: shared, create: false)).entries.count == 4)
        let pull = try Self.palimpsest(["pull", "exp.yaml", "shared", "--cache", "reader-cache"], in: p.dir)
        #expect(pull.status == 0 && pull.out.hasPrefix("pulled 4 entries"), "\(pull)")
    }
}
