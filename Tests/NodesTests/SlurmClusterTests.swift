import Foundation
import Testing
@testable import Nodes
@testable import Graph

/// `run --executor slurm` against a real one-node Slurm cluster started on this machine by
/// `scripts/slurm-cluster` (munged, slurmctld and slurmd as plain processes; stopped afterwards, also on failure).
@Suite(.serialized) struct SlurmClusterTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A running test cluster; `stop()` cancels its jobs and stops the daemons.
    final class Cluster {
        let dir: URL
        let conf: String

        init() throws {
            dir = URL(fileURLWithPath: "/tmp/pslurm-\(UUID().uuidString.prefix(8))")
            let (status, out, err) = Self.shell(["bash", SlurmClusterTests.repository.appendingPathComponent("scripts/slurm-cluster").path, "start", dir.path])
            conf = dir.appendingPathComponent("slurm.conf").path
            guard status == 0 else {
                stop()
                throw NodeFailure("cannot start the test Slurm cluster (needs root and `scripts/setup slurmctld slurmd slurm-client munge`): \(out) \(err)")
            }
        }

        func stop() {
            _ = Self.shell(["bash", SlurmClusterTests.repository.appendingPathComponent("scripts/slurm-cluster").path, "stop", dir.path])
            try? FileManager.default.removeItem(at: dir)
        }

        /// Runs `palimpsest args…` in `dir` with this cluster's configuration.
        func palimpsest(_ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
            setenv("SLURM_CONF", conf, 1)
            return try RunnerProcessTests.run(args, in: dir)
        }

        /// `scontrol show job -o ID` as fields.
        func job(_ id: String) -> [String: String] {
            let (_, out, _) = Self.shell(["env", "SLURM_CONF=\(conf)", "scontrol", "show", "job", "-o", id])
            var fields: [String: String] = [:]
            for word in out.split(whereSeparator: \.isWhitespace) {
                let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            return fields
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

    /// A fresh project directory holding `exp.yaml`.
    static func project(_ yaml: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try yaml.write(to: dir.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    static let chain = """
    palimpsest: 1
    name: chain
    resources: {time: "10", shell: {mem: 100M}}
    nodes:
      prep: {kind: shell, params: {cmd: "seq 1 5 > $PALIMPSEST_OUTPUT/lines.txt"}}
      head: {kind: shell, inputs: {text: prep}, matrix: {n: [1, 3]}, resources: {cpus: 1, mem: 50M},
             params: {cmd: "head -n $N $PALIMPSEST_INPUT_TEXT/lines.txt > $PALIMPSEST_OUTPUT/head.txt"}}
      total: {kind: shell, inputs: {parts: "head[*]"},
              params: {cmd: "for d in $PALIMPSEST_INPUT_PARTS; do cat $d/head.txt; done | awk '{s+=$1} END {print s}' > $PALIMPSEST_OUTPUT/sum.txt"}}
    """

    /// Replicates on the cluster: one job per seed, the gather across seeds after them, and a new seed given with
    /// `--set` submits only its own job and the gather's (the override reaches the jobs).
    @Test func replicatesRunAsOneJobPerSeed() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let dir = try Self.project("""
        palimpsest: 1
        name: reps
        seeds: [1, 2]
        nodes:
          draw: {kind: shell, params: {cmd: "echo $PALIMPSEST_SEED > $PALIMPSEST_OUTPUT/seed.txt"}}
          total: {kind: shell, inputs: {parts: "draw[seed=*]"},
                  params: {cmd: "for d in $PALIMPSEST_INPUT_PARTS; do cat $d/seed.txt; done | awk '{s+=$1} END {print s}' > $PALIMPSEST_OUTPUT/sum.txt"}}
        """)
        let first = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2"], in: dir)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.err.contains("draw[seed=2]") && first.out.contains("3 executed, 0 cached"), "\(first.out)\(first.err)")
        let lock = try #require(try LockFile.read(dir.appendingPathComponent("exp.yaml.lock")))
        #expect(lock.seeds == [1, 2] && Set(lock.instances.keys) == ["draw[seed=1]", "draw[seed=2]", "total"])
        func sum(_ overrides: [String]) throws -> String {
            let e = try Experiment.load(file: dir.appendingPathComponent("exp.yaml"), kinds: NodeRegistry.all, overrides: overrides)
            let store = try CacheStore(root: dir.appendingPathComponent("cache"))
            let key = try #require(Planner.plan(e, store: store, lock: nil).first { $0.id == "total" }?.key)
            return try String(contentsOf: store.entryDirectory(key).appendingPathComponent("outputs/out/sum.txt"), encoding: .utf8)
        }
        #expect(try sum([]) == "3\n")
        let third = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2", "--set", "seeds=[1, 2, 3]"], in: dir)
        #expect(third.status == 0, "\(third.err)")
        #expect(third.err.components(separatedBy: "submitted as Slurm job").count - 1 == 2, "\(third.err)")
        #expect(third.out.contains("2 executed, 2 cached"), "\(third.out)")
        #expect(try sum(["seeds=[1, 2, 3]"]) == "6\n")
    }

    @Test func slurmRunsMatchLocalRunsAndFailuresCancelDownstream() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }

        // Same results and keys as a local run; a second submission submits nothing.
        let local = try Self.project(Self.chain)
        let remote = try Self.project(Self.chain)
        #expect(try cluster.palimpsest(["run", "exp.yaml"], in: local).status == 0)
        let first = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2"], in: remote)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.err.components(separatedBy: "submitted as Slurm job").count - 1 == 4)
        #expect(first.out.contains("4 executed, 0 cached"))
        let localLock = try #require(try LockFile.read(local.appendingPathComponent("exp.yaml.lock")))
        let remoteLock = try #require(try LockFile.read(remote.appendingPathComponent("exp.yaml.lock")))
        #expect(localLock.instances.count == 4)
        for (id, entry) in localLock.instances {
            #expect(remoteLock.instances[id]?.key == entry.key, "key of \(id)")
            #expect(remoteLock.instances[id]?.outputs == entry.outputs, "outputs of \(id)")
        }
        let sum = try String(contentsOf: try CacheStore(root: remote.appendingPathComponent("cache"))
            .entryDirectory(#require(remoteLock.instances["total"]?.key)).appendingPathComponent("outputs/out/sum.txt"), encoding: .utf8)
        #expect(sum == "7\n", "1 + (1 + 2 + 3)")
        let again = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm"], in: remote)
        #expect(again.status == 0)
        #expect(!again.err.contains("submitted"))
        #expect(again.out.contains("0 executed, 4 cached"))

        // Resources from the file reach sbatch: node over kind over file defaults.
        let record = try #require(SlurmRecord.read(SlurmRecord.url(store: CacheStore(root: remote.appendingPathComponent("cache")),
                                                                     experimentFile: remote.appendingPathComponent("exp.yaml"))))
        let head = cluster.job(try #require(record.jobs["head[n=1]"]?.id))
        let prep = cluster.job(try #require(record.jobs["prep"]?.id))
        #expect(head["MinMemoryNode"] == "50M" && head["TimeLimit"] == "00:10:00")
        #expect(prep["MinMemoryNode"] == "100M")

        // A failing node: its job FAILED with id and log; Slurm cancels everything downstream; no entries.
        let failing = try Self.project("""
        palimpsest: 1
        name: failing
        nodes:
          ok: {kind: shell, params: {cmd: "echo fine > $PALIMPSEST_OUTPUT/v"}}
          bad: {kind: shell, inputs: {x: ok}, params: {cmd: "echo broke on purpose; exit 3"}}
          after: {kind: shell, inputs: {x: bad}, params: {cmd: "true"}}
          last: {kind: shell, inputs: {x: after}, params: {cmd: "true"}}
        """)
        let failed = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2"], in: failing)
        #expect(failed.status == 1)
        #expect(failed.err.contains("bad: FAILED: Slurm job") && failed.err.contains("FAILED (NonZeroExitCode); log "), "\(failed.err)")
        #expect(failed.err.contains("| broke on purpose"))
        #expect(failed.err.contains("after: skipped (Slurm cancelled job") && failed.err.contains("last: skipped (Slurm cancelled job"))
        #expect(failed.out.contains("1 executed, 0 cached, 1 failed, 2 skipped"))
        #expect(try CacheStore(root: failing.appendingPathComponent("cache")).allKeys().count == 1)

        // Detached: returns at once; status shows the queued jobs; a later run reuses them instead of resubmitting.
        let detached = try Self.project("""
        palimpsest: 1
        name: detached
        nodes:
          slow: {kind: shell, params: {cmd: "sleep 3; echo done > $PALIMPSEST_OUTPUT/v"}}
          next: {kind: shell, inputs: {x: slow}, params: {cmd: "cat $PALIMPSEST_INPUT_X/v > $PALIMPSEST_OUTPUT/v"}}
        """)
        let submitted = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--detach"], in: detached)
        #expect(submitted.status == 0)
        #expect(submitted.out.contains("submitted; follow with `palimpsest status exp.yaml`"))
        let status = try cluster.palimpsest(["status", "exp.yaml"], in: detached)
        #expect(status.out.contains("slow") && status.out.contains("[Slurm job "), "\(status.out)")
        let follow = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2"], in: detached)
        #expect(follow.status == 0, "\(follow.err)")
        #expect(follow.err.contains("already queued as Slurm job"))
        #expect(!follow.err.contains("submitted as Slurm job"))
        #expect(follow.out.contains("2 executed"))
        let done = try cluster.palimpsest(["status", "exp.yaml"], in: detached)
        #expect(done.out.contains("2 of 2 instances up to date"))
    }

    /// `run --pull` pulls before submitting, so a reader submits only what the remote lacks; with `--push` each job
    /// pushes the entry it made.
    @Test func pullBeforeSubmittingAndJobsPush() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let dir = try Self.project(Self.chain)
        let published = try cluster.palimpsest(["run", "exp.yaml", "--push", "shared"], in: dir)
        #expect(published.status == 0 && published.out.contains("pushed 4 entries"), "\(published)")
        let reader = try cluster.palimpsest(["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2", "--cache", "reader",
                                             "--set", "head.matrix.n=[1, 2]", "--pull", "shared", "--push", "shared"], in: dir)
        #expect(reader.status == 0, "\(reader.err)")
        #expect(reader.out.contains("pulled 2 entries"), "prep and head[n=1]: \(reader.out)")
        #expect(reader.err.components(separatedBy: "submitted as Slurm job").count - 1 == 2, "head[n=2] and total: \(reader.err)")
        let index = try RemoteIndex.read(from: DirectoryRemote(root: dir.appendingPathComponent("shared"), create: false))
        #expect(index.entries.count == 6, "the jobs pushed head[n=2] and the new total")
    }

    @Test func resourcesAreValidatedWithLocations() throws {
        let dir = try Self.project("""
        palimpsest: 1
        resources: {time: 1:00:00, memory: 4G, shell: {cpus: 0}}
        nodes:
          a: {kind: shell, params: {cmd: "true"}, resources: {mem: lots}}
        """)
        let result = try RunnerProcessTests.run(["run", "exp.yaml", "--dry-run"], in: dir)
        #expect(result.status == 2)
        #expect(result.err.contains("exp.yaml:2:19: error: resources.time: expected a quoted time limit"), "\(result.err)")
        #expect(result.err.contains("exp.yaml:2:28: error: resources.memory: unknown resource"))
        #expect(result.err.contains("resources.shell.cpus: expected a positive integer"))
        #expect(result.err.contains("exp.yaml:4:60: error: node 'a': resources.mem: expected a size such as 16G"))
    }
}
