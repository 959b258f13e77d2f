import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// Faults on the test cluster: a job at its time limit requeues itself and resumes from its snapshot; a job whose
/// node goes down is requeued by Slurm and resumes. Neither leaves a half entry, and the submitting run says what
/// happened. (In the `.serialized` suite of `SlurmClusterTests`: one cluster at a time.)
///
/// Slurm holds a requeued job for `cred_expire + 1` seconds (its begin time): slurmd refuses to relaunch a job id
/// within the second its old credential was revoked ("Job credential revoked", and the job ends FAILED). The test
/// cluster sets `cred_expire=5` (the minimum; the default is 120), so a requeued job waits 6 s and the tests leave
/// it to Slurm. Releasing it early with `scontrol update … starttime=now` made this suite fail about one run in three.
extension SlurmClusterTests {
    /// A resumable "training" instance: `epochs` steps of `seconds` each, its progress in `$PALIMPSEST_PARTIAL`
    /// (kept across kills like an epoch snapshot); `starts` records where each attempt began. The next node copies
    /// the result, so a requeue must not break the `afterok` chain.
    static func trainingProject(name: String, epochs: Int, seconds: Int, time: String?) throws -> URL {
        let step = "e=$(cat $PALIMPSEST_PARTIAL/epoch 2>/dev/null || echo 0); echo \\\"start $e\\\" >> $PALIMPSEST_PARTIAL/starts; "
            + "while [ $e -lt \(epochs) ]; do sleep \(seconds); e=$((e+1)); echo $e > $PALIMPSEST_PARTIAL/epoch.new; "
            + "mv $PALIMPSEST_PARTIAL/epoch.new $PALIMPSEST_PARTIAL/epoch; done; "
            + "cp $PALIMPSEST_PARTIAL/epoch $PALIMPSEST_PARTIAL/starts $PALIMPSEST_OUTPUT/"
        return try project("""
        palimpsest: 1
        name: \(name)
        nodes:
          train: {kind: shell, params: {cmd: "\(step)"}\(time.map { ", resources: {time: \"\($0)\"}" } ?? "")}
          after: {kind: shell, inputs: {x: train}, params: {cmd: "cp $PALIMPSEST_INPUT_X/epoch $PALIMPSEST_OUTPUT/epoch"}}
        """)
    }

    /// Runs `palimpsest args…` in `dir` in the background while `watch` is called every 0.2 s (until the run ends);
    /// returns the run's status and output.
    static func runWatching(_ cluster: Cluster, _ args: [String], in dir: URL, watch: () -> Void) throws -> (status: Int32, out: String, err: String) {
        setenv("SLURM_CONF", cluster.conf, 1)
        let (process, out, err) = try RunnerProcessTests.start(args, in: dir)
        while process.isRunning {
            watch()
            Thread.sleep(forTimeInterval: 0.2)
        }
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// `squeue` rows of the experiment's jobs: (id, state, reason, name).
    static func jobs(_ cluster: Cluster) -> [(id: String, state: String, reason: String, name: String)] {
        let (_, out, _) = Cluster.shell(["env", "SLURM_CONF=\(cluster.conf)", "squeue", "-h", "-o", "%i|%T|%r|%j"])
        return out.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            return f.count == 4 ? (f[0], f[1], f[2], f[3]) : nil
        }
    }

    /// What the finished instance wrote and how many entries the cache holds.
    static func outcome(_ dir: URL) throws -> (epoch: String, starts: [String], entries: Int, partials: Int) {
        let store = try CacheStore(root: dir.appendingPathComponent("cache"))
        let e = try Experiment.load(file: dir.appendingPathComponent("exp.yaml"), kinds: NodeRegistry.all)
        let key = try #require(Planner.plan(e, store: store, lock: nil).first { $0.id == "train" }?.key)
        let out = store.entryDirectory(key).appendingPathComponent("outputs/out")
        let starts = try String(contentsOf: out.appendingPathComponent("starts"), encoding: .utf8).split(separator: "\n").map(String.init)
        let partials = (try? FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("partial").path))?.count ?? 0
        return (try String(contentsOf: out.appendingPathComponent("epoch"), encoding: .utf8), starts, try store.allKeys().count, partials)
    }

    @Test func aJobAtItsTimeLimitRequeuesItselfAndResumes() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        // 40 s of work under a 1-minute limit; Slurm signals between grace and grace + 30 s before the end (its
        // check runs every 30 s), so each attempt makes at least 10 s of progress.
        let dir = try Self.trainingProject(name: "timelimit", epochs: 20, seconds: 2, time: "1")
        let run = try Self.runWatching(cluster, ["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2",
                                                 "--requeue-grace", "20", "--max-requeues", "6"], in: dir) {}
        #expect(run.status == 0, "\(run.out)\(run.err)")
        #expect(run.out.contains("2 executed, 0 cached, 0 failed"), "\(run.out)")
        #expect(run.err.contains("train: Slurm job") && run.err.contains("requeued (its time limit was near); it resumes from its last snapshot"), "\(run.err)")
        let result = try Self.outcome(dir)
        #expect(result.epoch == "20\n")
        // The first attempt started at 0, a later one where the snapshot left off.
        #expect(result.starts.first == "start 0" && result.starts.count >= 2, "\(result.starts)")
        #expect(result.starts.dropFirst().allSatisfy { $0 != "start 0" }, "a requeued attempt restarted from scratch: \(result.starts)")
        #expect(result.entries == 2 && result.partials == 0)
    }

    @Test func aJobAtItsTimeLimitStopsAfterItsRequeues() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let dir = try Self.trainingProject(name: "nolimit", epochs: 200, seconds: 1, time: "1")
        let run = try Self.runWatching(cluster, ["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2",
                                                 "--requeue-grace", "20", "--max-requeues", "0"], in: dir) {}
        #expect(run.status == 1)
        #expect(run.err.contains("train: FAILED: Slurm job") && run.err.contains("TIMEOUT"), "\(run.err)")
        #expect(run.err.contains("the time limit ended it after 0 requeues at the limit (raise resources.time or --max-requeues"), "\(run.err)")
        #expect(run.err.contains("after: skipped"), "\(run.err)")
        let store = try CacheStore(root: dir.appendingPathComponent("cache"))
        #expect(try store.allKeys().isEmpty)
        // The snapshot stays for the next run.
        let partials = try FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("partial").path)
        #expect(partials.count == 1)
    }

    @Test func aJobWhoseNodeGoesDownIsRequeuedAndResumes() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let dir = try Self.trainingProject(name: "nodedown", epochs: 12, seconds: 1, time: nil)
        let node = Cluster.shell(["hostname", "-s"]).1.trimmingCharacters(in: .whitespacesAndNewlines)
        var downed = false
        let run = try Self.runWatching(cluster, ["run", "exp.yaml", "--executor", "slurm", "--poll", "0.2"], in: dir) {
            // Once the training job has made progress, take its node down (Slurm kills the job and requeues it).
            if !downed, Self.jobs(cluster).contains(where: { $0.name.hasSuffix(":train") && $0.state == "RUNNING" }),
               let epoch = try? String(contentsOf: Self.partialEpochFile(dir), encoding: .utf8), Int(epoch.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 3 {
                _ = Cluster.shell(["env", "SLURM_CONF=\(cluster.conf)", "scontrol", "update", "nodename=\(node)", "state=down", "reason=palimpsest-test"])
                downed = true
                return
            }
            if downed {
                _ = Cluster.shell(["env", "SLURM_CONF=\(cluster.conf)", "scontrol", "update", "nodename=\(node)", "state=resume"])
            }
        }
        #expect(downed)
        #expect(run.status == 0, "\(run.out)\(run.err)")
        #expect(run.err.contains("requeued (its node failed); it resumes from its last snapshot"), "\(run.err)")
        #expect(run.out.contains("2 executed, 0 cached, 0 failed"), "\(run.out)")
        let result = try Self.outcome(dir)
        #expect(result.epoch == "12\n")
        #expect(result.starts.first == "start 0" && result.starts.count == 2 && result.starts[1] != "start 0", "\(result.starts)")
        #expect(result.entries == 2 && result.partials == 0)
    }

    /// The progress file of the training instance's snapshot directory (`partial/<key>/epoch`).
    static func partialEpochFile(_ dir: URL) throws -> URL {
        let partial = dir.appendingPathComponent("cache/partial")
        let keys = try FileManager.default.contentsOfDirectory(atPath: partial.path)
        guard let key = keys.first else { throw NodeFailure("no snapshot yet") }
        return partial.appendingPathComponent(key).appendingPathComponent("epoch")
    }
}
