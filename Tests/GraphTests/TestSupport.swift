import Foundation
@testable import Graph

/// A test kind: writes `value + sum of its inputs' values` to `out/value.txt` and appends its instance id to
/// `executions.log` beside the experiment file, so tests can count what actually ran.
struct Emit: NodeKind {
    static let kind = "emit"
    static let version = 1
    static let summary = "Test kind: value plus the sum of its inputs."
    static let params: [ParamSpec] = [
        .int("value", default: 0, doc: "The number to emit."),
        .string("label", default: "", doc: "Ignored by the output (changes the key, not the bytes)."),
        .bool("fail", default: false, doc: "Throw instead of producing output."),
        .int("sleep_ms", default: 0, range: 0...10_000, doc: "Wait this long first (to make runs overlap)."),
        .int("blocks", default: 0, range: 0...5, doc: "A checked matrix axis."),
        .string("mode", default: "plain", allowed: ["plain", "double"], doc: "How to combine."),
        ParamSpec("model", .record([.int("input", default: 64, doc: "Input size."), .number("width", default: 0.25, doc: "Width.")]),
                  shared: "model", doc: "Shared model block."),
    ]
    static let inputs: [PortSpec] = [PortSpec("from", gather: true, optional: true, doc: "Numbers to add.")]
    static let outputs: [OutputSpec] = [OutputSpec("out", doc: "value.txt")]

    static func run(_ context: NodeContext) throws {
        Self.record(context)
        usleep(UInt32(try context.params.int("sleep_ms") * 1000))
        if try context.params.bool("fail") { throw NodeFailure("asked to fail") }
        var total = try context.params.int("value")
        for input in context.inputs["from"] ?? [] { total += try readValue(input.directory) }
        if try context.params.string("mode") == "double" { total *= 2 }
        context.log("total \(total)")
        context.metric("total", Double(total))
        try "\(total)\n".write(to: context.output().appendingPathComponent("value.txt"), atomically: false, encoding: .utf8)
    }

    static func record(_ context: NodeContext) {
        let log = context.params.baseDirectory.appendingPathComponent("executions.log").path
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        _ = (context.instance + "\n").withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}

/// A test kind with two plain ports: writes a − b.
struct Subtract: NodeKind {
    static let kind = "subtract"
    static let version = 1
    static let summary = "Test kind: a − b."
    static let params: [ParamSpec] = []
    static let inputs: [PortSpec] = [PortSpec("a", doc: "Minuend."), PortSpec("b", doc: "Subtrahend.")]
    static let outputs: [OutputSpec] = [OutputSpec("out", doc: "value.txt"), OutputSpec("extra", doc: "Unused second output.")]

    static func run(_ context: NodeContext) throws {
        Emit.record(context)
        let v = try readValue(try context.input("a").directory) - readValue(try context.input("b").directory)
        try "\(v)\n".write(to: context.output().appendingPathComponent("value.txt"), atomically: false, encoding: .utf8)
    }
}

/// A test kind gathering instances: writes `coordinates=value` lines.
struct Collect: NodeKind {
    static let kind = "collect"
    static let version = 1
    static let summary = "Test kind: lists its gathered inputs."
    static let params: [ParamSpec] = []
    static let inputs: [PortSpec] = [PortSpec("items", gather: true, doc: "Anything.")]
    static let outputs: [OutputSpec] = [OutputSpec("out", doc: "list.txt")]

    static func run(_ context: NodeContext) throws {
        Emit.record(context)
        var text = ""
        for item in context.inputs["items"] ?? [] { text += "\(item.instance)=\(try readValue(item.directory))\n" }
        try text.write(to: context.output().appendingPathComponent("list.txt"), atomically: false, encoding: .utf8)
    }
}

/// A test kind that reads an external file (`path` param) and copies it.
struct ReadFile: NodeKind {
    static let kind = "read_file"
    static let version = 1
    static let summary = "Test kind: copies an external file."
    static let params: [ParamSpec] = [.path("source", doc: "A file outside the cache.")]
    static let inputs: [PortSpec] = []
    static let outputs: [OutputSpec] = [OutputSpec("out", doc: "value.txt")]
    static let usesSeed = false

    static func run(_ context: NodeContext) throws {
        Emit.record(context)
        let data = try Data(contentsOf: try context.params.path("source"))
        try data.write(to: context.output().appendingPathComponent("value.txt"))
    }
}

/// A seeded test kind: writes `value + seed + sum of its inputs`, so replicates differ.
struct Draw: NodeKind {
    static let kind = "draw"
    static let version = 1
    static let summary = "Test kind: value plus the seed plus its inputs."
    static let params: [ParamSpec] = [.int("value", default: 0, doc: "The number to add.")]
    static let inputs: [PortSpec] = [PortSpec("from", gather: true, optional: true, doc: "Numbers to add.")]
    static let outputs: [OutputSpec] = [OutputSpec("out", doc: "value.txt")]

    static func run(_ context: NodeContext) throws {
        Emit.record(context)
        var total = try context.params.int("value") + Int(context.seed)
        for input in context.inputs["from"] ?? [] { total += try readValue(input.directory) }
        try "\(total)\n".write(to: context.output().appendingPathComponent("value.txt"), atomically: false, encoding: .utf8)
    }
}

/// An unseeded test kind (like data readers or `freeze`): writes `value + blocks + sum of its inputs`.
struct Relay: NodeKind {
    static let kind = "relay"
    static let version = 1
    static let summary = "Test kind: deterministic sum."
    static let params: [ParamSpec] = [
        .int("value", default: 0, doc: "The number to add."),
        .int("blocks", default: 0, range: 0...5, doc: "A matrix axis, added too."),
    ]
    static let inputs: [PortSpec] = [PortSpec("from", gather: true, optional: true, doc: "Numbers to add.")]
    static let outputs: [OutputSpec] = [OutputSpec("out", doc: "value.txt")]
    static let usesSeed = false

    static func run(_ context: NodeContext) throws {
        Emit.record(context)
        var total = try context.params.int("value") + context.params.int("blocks")
        for input in context.inputs["from"] ?? [] { total += try readValue(input.directory) }
        try "\(total)\n".write(to: context.output().appendingPathComponent("value.txt"), atomically: false, encoding: .utf8)
    }
}

func readValue(_ dir: URL) throws -> Int {
    let text = try String(contentsOf: dir.appendingPathComponent("value.txt"), encoding: .utf8)
    guard let v = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw NodeFailure("bad value.txt") }
    return v
}

let testKinds = [KindRef(Emit.self), KindRef(Subtract.self), KindRef(Collect.self), KindRef(ReadFile.self),
                 KindRef(Draw.self), KindRef(Relay.self)]

/// A temporary project directory with an experiment file and a cache.
final class Sandbox: @unchecked Sendable {
    let dir: URL
    var file: URL { dir.appendingPathComponent("exp.yaml") }
    var cache: URL { dir.appendingPathComponent("cache") }

    init(_ yaml: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("graph-test-\(UUID().uuidString.prefix(10))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try write(yaml)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ yaml: String) throws {
        try yaml.write(to: file, atomically: true, encoding: .utf8)
    }

    func load(_ overrides: [String] = []) throws -> Experiment {
        try Experiment.load(file: file, kinds: testKinds, overrides: overrides)
    }

    /// Runs and returns the ids executed in this run (from executions.log), in order.
    @discardableResult
    func run(_ options: RunOptions = RunOptions(), overrides: [String] = []) throws -> (summary: RunSummary, executed: [String]) {
        let before = executions()
        let summary = try Executor(experiment: try load(overrides), store: try CacheStore(root: cache)).run(options)
        return (summary, Array(executions().dropFirst(before.count)))
    }

    func executions() -> [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("executions.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// The emitted value of an instance, read through its cache entry.
    func value(_ id: String) throws -> Int {
        let exp = try load()
        let plan = Planner.plan(exp, store: try CacheStore(root: cache), lock: nil)
        guard let key = plan.first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        return try readValue(CacheStore(root: cache).entryDirectory(key).appendingPathComponent("outputs/out"))
    }
}

/// The diagnostics a load produces (empty when it validates).
func diagnostics(_ yaml: String, overrides: [String] = []) -> [Diagnostic] {
    do {
        _ = try Experiment.parse(yaml, label: "exp.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds, overrides: overrides)
        return []
    } catch {
        if case .invalid(let d) = error { return d }
        return [Diagnostic(SourceLocation(file: "?", line: 0, column: 0), "\(error)")]
    }
}

/// Collects run events for assertions.
final class EventLog: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RunEvent] = []
    func handle(_ event: RunEvent) { lock.lock(); events.append(event); lock.unlock() }
    var all: [RunEvent] { lock.lock(); defer { lock.unlock() }; return events }
}
