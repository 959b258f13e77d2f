import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// The `palimpsest` binary under faults: killed mid-command, an alias bomb, wide gathers, rotted entries.
@Suite struct RunnerFaultTests {
    /// A command that records its pid and its child's, then waits `$NAP` seconds (taken from the runner's
    /// environment, so the key does not change between the killed run and the rerun).
    static let napping = """
    palimpsest: 1
    nodes:
      nap:
        kind: shell
        params:
          cmd: 'echo $$ >> "$PIDS"; sleep "$NAP" & echo $! >> "$PIDS"; wait; echo rested > $PALIMPSEST_OUTPUT/v'

    """

    static func start(_ args: [String], in dir: URL, environment: [String: String]) throws -> Process {
        let p = Process()
        p.executableURL = try RunnerProcessTests.binary()
        p.arguments = args
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func pids(_ file: URL) -> [pid_t] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// True while `pid` runs (a zombie, dead but not yet reaped by init, does not count).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    @Test(arguments: [SIGKILL, SIGINT, SIGTERM])
    func commandsDieWithTheRunner(signal: Int32) throws {
        let p = try ShellProject(Self.napping)
        let pidFile = p.dir.appendingPathComponent("pids")
        let runner = try Self.start(["run", "exp.yaml"], in: p.dir, environment: ["NAP": "60", "PIDS": pidFile.path])
        let deadline = Date().addingTimeInterval(20)
        while Self.pids(pidFile).count < 2 && Date() < deadline { usleep(20_000) }
        let commands = Self.pids(pidFile)
        #expect(commands.count == 2, "the command did not start")
        kill(runner.processIdentifier, signal)
        runner.waitUntilExit()
        if signal != SIGKILL {
            #expect(runner.terminationReason == .exit && runner.terminationStatus == 128 + signal)
        }
        sleep(1)
        let alive = commands.filter(Self.isRunning)
        #expect(alive.isEmpty, "still running 1 s after the runner got signal \(signal): \(alive)")
        if signal != SIGKILL {
            let staging = try FileSystem.list(p.cache.appendingPathComponent("tmp").path)
            #expect(staging.isEmpty, "staging left: \(staging)")
        }

        let rerun = try Self.start(["run", "exp.yaml"], in: p.dir, environment: ["NAP": "0", "PIDS": pidFile.path])
        rerun.waitUntilExit()
        #expect(rerun.terminationStatus == 0)
        #expect(try p.output("nap", "v") == "rested\n")
        #expect(try FileSystem.list(p.cache.appendingPathComponent("tmp").path).isEmpty)
    }

    /// An in-process training node does not stop on a signal; the runner removes its staging and exits anyway,
    /// within `InterruptHandler.patience` (13 s) and not after the node's minutes of training. (It used to hang in
    /// exit, in OpenBLAS's destructor joining threads that the training kept busy.)
    @Test(arguments: [SIGINT, SIGTERM])
    func inProcessTrainingStopsOnASignal(signal: Int32) throws {
        let p = try ShellProject("""
        palimpsest: 1
        seed: 1
        model: {input: 32, channels: 3, width: 0.125, head: [32, 32], dropout: 0.2}
        nodes:
          emotions: {kind: synth_faces, params: {like: affectnet, images: 400, test_per_class: 4, identities: 40, size: 32, balanced: true}}
          base: {kind: train_base, inputs: {data: emotions}, params: {epochs: 2000, batch_size: 32, optimizer: adam, lr: 0.0005, patience: 0}}
        """)
        let runner = try Self.start(["run", "exp.yaml"], in: p.dir, environment: [:])
        let partial = p.cache.appendingPathComponent("partial")
        let deadline = Date().addingTimeInterval(120)
        while ((try? FileSystem.list(partial.path)) ?? []).isEmpty && runner.isRunning && Date() < deadline { usleep(100_000) }
        try #require(runner.isRunning, "the runner ended before training started")
        sleep(2)
        kill(runner.processIdentifier, signal)
        let stop = Date().addingTimeInterval(60)
        while runner.isRunning && Date() < stop { usleep(100_000) }
        let stopped = !runner.isRunning
        if !stopped { kill(runner.processIdentifier, SIGKILL) }
        runner.waitUntilExit()
        #expect(stopped, "still training 60 s after signal \(signal)")
        #expect(runner.terminationReason == .exit && runner.terminationStatus == 128 + signal)
        #expect(try FileSystem.list(p.cache.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func aliasBombFailsFastUnderAMemoryCap() throws {
        var yaml = "palimpsest: 1\nnodes:\n  s:\n    kind: shell\n    params:\n      cmd: 'true'\n"
        yaml += "      l0: &a0 [\(Array(repeating: "lol", count: 10).joined(separator: ", "))]\n"
        for level in 1..<10 {
            yaml += "      l\(level): &a\(level) [\(Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", "))]\n"
        }
        let p = try ShellProject(yaml)
        // 1 GiB of address space: the runner needs a few hundred MiB; the expanded bomb needs far more.
        for command in ["run", "status", "dag", "verify"] {
            let sh = Process()
            sh.executableURL = URL(fileURLWithPath: "/bin/sh")
            sh.arguments = ["-c", "ulimit -v 1048576; exec \"$0\" \(command) exp.yaml 2> err.txt", try RunnerProcessTests.binary().path]
            sh.currentDirectoryURL = p.dir
            try sh.run()
            sh.waitUntilExit()
            let err = try String(contentsOf: p.dir.appendingPathComponent("err.txt"), encoding: .utf8)
            #expect(sh.terminationStatus == 2, "\(command): \(err)")
            #expect(err.contains("exp.yaml:8:16: error: YAML aliases (*a0) are not supported"), "\(command): \(err)")
        }
    }

    @Test func wideGatherReachesTheCommandThroughItsListFile() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          a: {kind: shell, matrix: {i: [\((0..<40).map(String.init).joined(separator: ","))], j: [\((0..<30).map(String.init).joined(separator: ","))]}, params: {cmd: 'echo 1 > $PALIMPSEST_OUTPUT/v'}}
          all:
            kind: shell
            inputs: {items: "a[*]"}
            params:
              cmd: 'test -z "${PALIMPSEST_INPUT_ITEMS+set}" && while read -r d; do cat "$d/v"; done < "$PALIMPSEST_INPUT_ITEMS_LIST" | wc -l > $PALIMPSEST_OUTPUT/n'
          b: {kind: shell, matrix: {k: [0, 1, 2]}, params: {cmd: 'echo $K > $PALIMPSEST_OUTPUT/v'}}
          few:
            kind: shell
            inputs: {items: "b[*]"}
            params:
              cmd: 'printf "%s\\n" "$PALIMPSEST_INPUT_ITEMS" | cmp - "$PALIMPSEST_INPUT_ITEMS_LIST" && wc -l < "$PALIMPSEST_INPUT_ITEMS_LIST" > $PALIMPSEST_OUTPUT/n'

        """)
        let (status, _, err) = try RunnerProcessTests.run(["run", "exp.yaml", "-j", "2"], in: p.dir)
        #expect(status == 0, "\(err.suffix(2000))")
        #expect(try p.output("all", "n").trimmingCharacters(in: .whitespacesAndNewlines) == "1200")
        #expect(try p.output("few", "n").trimmingCharacters(in: .whitespacesAndNewlines) == "3")
    }

    @Test func verifyCommandQuarantinesARottedEntry() throws {
        let p = try ShellProject("palimpsest: 1\nnodes:\n  a: {kind: shell, params: {cmd: 'echo 12345 > $PALIMPSEST_OUTPUT/v'}}\n")
        #expect(try RunnerProcessTests.run(["run", "exp.yaml"], in: p.dir).status == 0)
        let store = try CacheStore(root: p.cache)
        let key = try #require(store.allKeys().first)
        let file = store.entryDirectory(key).appendingPathComponent("outputs/out/v")
        // Same size, same mtime (restored with utimes): only the ctime tells, and verify does not look at it.
        var before = stat()
        stat(file.path, &before)
        var bytes = try Data(contentsOf: file)
        bytes[0] = UInt8(ascii: "9")
        let fd = open(file.path, O_WRONLY)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, 1, 0) }
        close(fd)
        var times = [timeval(tv_sec: before.st_atim.tv_sec, tv_usec: before.st_atim.tv_nsec / 1000),
                     timeval(tv_sec: before.st_mtim.tv_sec, tv_usec: before.st_mtim.tv_nsec / 1000)]
        utimes(file.path, &times)

        let verify = try RunnerProcessTests.run(["verify", "exp.yaml", "--json"], in: p.dir)
        #expect(verify.status == 1)
        #expect(verify.out.contains(#""checked":1"#) && verify.out.contains(#""damaged":1"#) && verify.out.contains("does not match its SHA-256"),
                "\(verify.out)")
        #expect(verify.err.contains("✗ \(key.prefix(12)) (a):"))
        let rerun = try RunnerProcessTests.run(["run", "exp.yaml"], in: p.dir)
        #expect(rerun.status == 0 && rerun.err.contains("▶ a: running"))
        #expect(try p.output("a", "v") == "12345\n")
        let clean = try RunnerProcessTests.run(["verify"], in: p.dir)
        #expect(clean.status == 0 && clean.out.contains("verified 1 entries") && clean.out.contains("0 damaged"), "\(clean.out)")
    }
}
