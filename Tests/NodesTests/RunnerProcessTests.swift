import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// The built `palimpsest` binary driven as users drive it: exit statuses, SIGKILL mid-node, concurrent runs.
@Suite struct RunnerProcessTests {
    /// The `palimpsest` executable next to the test bundle (SwiftPM builds both into one directory).
    static func binary() throws -> URL {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/release"),
        ].compactMap { $0?.appendingPathComponent("palimpsest") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NodeFailure("palimpsest binary not found in \(candidates.map(\.path))")
        }
        return found
    }

    /// Starts `palimpsest args…` in `dir`, capturing output into files.
    static func start(_ args: [String], in dir: URL) throws -> (Process, URL, URL) {
        let p = Process()
        p.executableURL = try binary()
        p.arguments = args
        p.currentDirectoryURL = dir
        let out = dir.appendingPathComponent("out-\(UUID().uuidString.prefix(6)).txt")
        let err = dir.appendingPathComponent("err-\(UUID().uuidString.prefix(6)).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return (p, out, err)
    }

    static func run(_ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        let (p, out, err) = try start(args, in: dir)
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// `PALIMPSEST_DIRECT_ISA` names an instruction set this CPU runs, or the command stops with status 2 before
    /// doing anything.
    @Test func directKernelInstructionSetFromTheEnvironment() throws {
        func kinds(_ value: String) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = try Self.binary()
            p.arguments = ["kinds"]
            p.environment = ProcessInfo.processInfo.environment.merging(["PALIMPSEST_DIRECT_ISA": value]) { $1 }
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let bad = try kinds("avx1024")
        #expect(bad.0 == 2)
        #expect(bad.1.contains("error: PALIMPSEST_DIRECT_ISA=avx1024: expected one of scalar"), "\(bad.1)")
        #expect(try kinds("scalar").0 == 0)
    }

    @Test func exitStatusesAndMessages() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          ok: {kind: shell, params: {cmd: "echo 1 > $PALIMPSEST_OUTPUT/v"}}
          bad: {kind: shell, inputs: {x: ok}, params: {cmd: "echo went wrong; exit 4"}}
        """)
        let failed = try Self.run(["run", "exp.yaml"], in: p.dir)
        #expect(failed.status == 1)
        #expect(failed.err.contains("bad: FAILED: command exited with status 4") && failed.err.contains("| went wrong"))
        try "palimpsest: 1\nnodes:\n  a: {kind: shel}\n".write(to: p.file, atomically: true, encoding: .utf8)
        let invalid = try Self.run(["run", "exp.yaml"], in: p.dir)
        #expect(invalid.status == 2)
        #expect(invalid.err.contains("exp.yaml:3:13: error: node 'a': unknown kind 'shel' (did you mean 'shell'?)"))
        let keysAfterInvalid = try CacheStore(root: p.cache).allKeys().count
        #expect(keysAfterInvalid == 1, "a validation error writes nothing")
        let json = try Self.run(["run", "exp.yaml", "--json", "--set", "a.kind=shell", "--set", "a.cmd='true'"], in: p.dir)
        #expect(json.status == 0)
        #expect(json.out.contains("\"status\":\"executed\""))
    }

    /// Argument-parser's own errors exit 2 like every usage error; `stats` reads paired CSV files by id; an
    /// unreadable file exits 1.
    @Test func usageErrorsAndStatsCommands() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.run(["--no-such-flag"], in: dir).status == 2)
        #expect(try Self.run(["run"], in: dir).status == 2)
        #expect(try Self.run(["--version"], in: dir).status == 0)

        // b = 2 (A right, B wrong: s1, s2), c = 0: exact p = 2 · 2⁻² = 0.5; χ² = (2 − 1)² / 2 = 0.5.
        try "id,correct\ns1,1\ns2,1\ns3,0\ns4,1\n".write(to: dir.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try "id,correct\ns4,1\ns3,0\ns2,0\ns1,0\n".write(to: dir.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        let mcnemar = try Self.run(["stats", "mcnemar", "a.csv", "b.csv", "--json"], in: dir)
        #expect(mcnemar.status == 0)
        #expect(mcnemar.out.contains(#""b":2"#) && mcnemar.out.contains(#""c":0"#) && mcnemar.out.contains(#""p_exact":0.5"#)
                && mcnemar.out.contains(#""chi2":0.5"#))
        try "id,correct\ns1,1\ns9,0\n".write(to: dir.appendingPathComponent("c.csv"), atomically: true, encoding: .utf8)
        let mismatched = try Self.run(["stats", "mcnemar", "a.csv", "c.csv"], in: dir)
        #expect(mismatched.status == 2)
        #expect(mismatched.err.contains("only in A: s2, s3, s4; only in B: s9"))

        // Differences 1, 2, 3: t = 2√3 ≈ 3.4641, df = 2.
        try "id,score\nr1,1\nr2,2\nr3,3\n".write(to: dir.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        try "id,score\nr3,0\nr2,0\nr1,0\n".write(to: dir.appendingPathComponent("y.csv"), atomically: true, encoding: .utf8)
        let ttest = try Self.run(["stats", "ttest", "x.csv", "y.csv"], in: dir)
        #expect(ttest.status == 0)
        #expect(ttest.out.contains("t = 3.4641, df = 2"))

        // Unreadable files are failures at run time (1), not usage errors (2); bad arguments stay 2.
        let missing = try Self.run(["status", "missing.yaml"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.err.contains("missing.yaml: cannot read the experiment file: No such file or directory"))
        let csv = try Self.run(["stats", "ttest", "none.csv", "none.csv"], in: dir)
        #expect(csv.status == 1 && csv.err.contains("none.csv: cannot read the file"))
        #expect(try Self.run(["run", "missing.yaml", "--jobs", "0"], in: dir).status == 2)
    }

    @Test func sigkillMidNodeLeavesTheCacheConsistentAndTheNextRunCompletes() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          first: {kind: shell, params: {cmd: "echo 1 > $PALIMPSEST_OUTPUT/v.txt"}}
          slow:
            kind: shell
            inputs: {x: first}
            params:
              cmd: "echo try >> $PALIMPSEST_PARTIAL/attempts; echo partial > $PALIMPSEST_OUTPUT/v.txt; touch $MARKER; sleep 2; cat $PALIMPSEST_PARTIAL/attempts > $PALIMPSEST_OUTPUT/v.txt"
              marker: started.flag
          after: {kind: shell, inputs: {x: slow}, params: {cmd: "cat $PALIMPSEST_INPUT_X/v.txt > $PALIMPSEST_OUTPUT/v.txt"}}
        """)
        let marker = p.dir.appendingPathComponent("started.flag")
        let (runner, _, _) = try Self.start(["run", "exp.yaml", "--set", "slow.marker=\(marker.path)"], in: p.dir)
        var waited = 0
        while !FileManager.default.fileExists(atPath: marker.path) && waited < 600 { usleep(20_000); waited += 1 }
        #expect(FileManager.default.fileExists(atPath: marker.path))
        kill(runner.processIdentifier, SIGKILL)
        runner.waitUntilExit()
        #expect(runner.terminationReason == .uncaughtSignal)

        // Only complete entries are visible, and each verifies.
        let store = try CacheStore(root: p.cache)
        let keys = store.allKeys()
        #expect(keys.count == 1, "only 'first' was committed")
        for key in keys { guard case .hit = store.lookup(key) else { Issue.record("entry \(key) does not verify"); continue } }

        let rerun = try Self.run(["run", "exp.yaml", "--set", "slow.marker=\(marker.path)", "--json"], in: p.dir)
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(rerun.out.contains("\"id\":\"first\",\"key\"") && rerun.out.contains("\"cached\""))
        let out = try p.output("after", "v.txt", overrides: ["slow.marker=\(marker.path)"])
        #expect(out == "try\ntry\n", "the partial directory survived the kill, then the node completed")
        let after = try CacheStore(root: p.cache)
        #expect(after.allKeys().count == 3)
        #expect(try FileSystem.list(p.cache.appendingPathComponent("partial").path).isEmpty)
    }

    @Test func concurrentProcessesNeverExecuteAnInstanceTwice() throws {
        var yaml = "palimpsest: 1\nnodes:\n"
        for i in 0..<4 {
            yaml += "  n\(i): {kind: shell, params: {i: \(i), cmd: \"echo $PALIMPSEST_INSTANCE >> $LOG; sleep 0.3; echo $I > $PALIMPSEST_OUTPUT/v\", log: LOGPATH}\(i > 1 ? ", inputs: {x: n\(i - 2)}" : "")}\n"
        }
        let p = try ShellProject("")
        let log = p.dir.appendingPathComponent("executions.log")
        try yaml.replacingOccurrences(of: "LOGPATH", with: log.path).write(to: p.file, atomically: true, encoding: .utf8)
        let a = try Self.start(["run", "exp.yaml", "--jobs", "2"], in: p.dir)
        let b = try Self.start(["run", "exp.yaml"], in: p.dir)
        a.0.waitUntilExit()
        b.0.waitUntilExit()
        #expect(a.0.terminationStatus == 0 && b.0.terminationStatus == 0)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(Set(lines).count == 4)
    }

    @Test func benchDemoRunsTheExperimentColdWithOneSeedInATemporaryCache() throws {
        let p = try ShellProject("""
        palimpsest: 1
        seeds: [1, 2]
        nodes:
          a: {kind: shell, params: {cmd: "echo $PALIMPSEST_SEED > $PALIMPSEST_OUTPUT/v"}}
          b: {kind: shell, inputs: {x: a}, params: {cmd: "cat $PALIMPSEST_INPUT_X/v > $PALIMPSEST_OUTPUT/v"}}
        """)
        let r = try Self.run(["bench", "--only", "graph", "--demo", "--demo-file", "exp.yaml", "--demo-seed", "3", "--json"], in: p.dir)
        #expect(r.status == 0, "\(r.err)")
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let demo = try #require(object?["demo"] as? [String: Any])
        #expect(demo["seed"] as? Int == 3)
        #expect(demo["instances"] as? Int == 2)
        let nodes = try #require(demo["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["node"] as? String } == ["a", "b"])
        #expect(nodes.map { $0["instances"] as? Int } == [1, 1])
        #expect(r.err.contains("a[seed=3]"))
        #expect(!FileManager.default.fileExists(atPath: p.cache.path) && !FileManager.default.fileExists(atPath: p.file.path + ".lock"),
                "the run leaves neither a cache nor a lock file in the project")
        let missing = try Self.run(["bench", "--demo", "--demo-file", "none.yaml"], in: p.dir)
        #expect(missing.status == 2 && missing.err.contains("--demo-file 'none.yaml' does not exist"))
    }

    /// A failing instance is a failure at run time (status 1, as `run` gives), not a usage error.
    @Test func benchDemoWithAFailingInstanceExitsOne() throws {
        let p = try ShellProject("""
        palimpsest: 1
        seeds: [1]
        nodes:
          a: {kind: shell, params: {cmd: "exit 3"}}
        """)
        let r = try Self.run(["bench", "--only", "graph", "--demo", "--demo-file", "exp.yaml"], in: p.dir)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains("bench --demo: 1 instances of") && r.err.contains("the figure is not measured"))
    }
}
