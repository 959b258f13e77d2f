import Foundation
import Graph

/// `shell`: runs a user's command as a node, like a DVC stage.
///
/// The command runs with `/bin/sh -c` in a fresh directory (empty but for `.palimpsest/`, the input lists), in a
/// process group of its own that is killed with the runner (Ctrl-C, SIGTERM, or SIGKILL of the runner). Environment:
/// - `PALIMPSEST_OUTPUT`: the directory to write results into (the node's output);
/// - `PALIMPSEST_INPUT_<PORT>`: upstream output directories, one per line when a port gathers several (unset when
///   the paths are too long for the environment, about 100 kB);
/// - `PALIMPSEST_INPUT_<PORT>_LIST`: always, a file listing the same directories one per line (any size);
/// - `PALIMPSEST_PARTIAL`: a directory kept across kills (for resumable scripts); `PALIMPSEST_SEED`;
///   `PALIMPSEST_INSTANCE`;
/// - every other param and every matrix axis, upper-cased (`n` → `$N`); lists are space-separated.
/// `deps` are external files or directories whose content is part of the key. A non-zero exit fails the node
/// and keeps nothing; a `metrics.json` object of numbers in the output becomes the node's headline metrics.
public struct ShellNode: NodeKind {
    public static let kind = "shell"
    public static let version = 1
    public static let summary = "Run a shell command; upstream outputs and params arrive as environment variables."
    public static let params: [ParamSpec] = [
        .string("cmd", doc: "The command, run with /bin/sh -c in a fresh temporary directory."),
        ParamSpec("deps", .list(.path), default: .list([]), doc: "External files or directories whose content is part of the key."),
        ParamSpec("outputs", .list(.string), default: .list([]), doc: "Files the command must create under $PALIMPSEST_OUTPUT."),
    ]
    public static let inputs: [PortSpec] = []
    public static let outputs: [OutputSpec] = [OutputSpec("out", doc: "Whatever the command wrote under $PALIMPSEST_OUTPUT.")]
    public static let acceptsUndeclaredParams = true
    public static let acceptsUndeclaredInputs = true

    public static func validate(_ params: [String: ParamValue]) -> [String] {
        var problems: [String] = []
        if params["cmd"]?.stringValue?.trimmingCharacters(in: .whitespaces).isEmpty ?? false { problems.append("cmd: the command is empty") }
        for name in params.keys where environmentName(name).hasPrefix("PALIMPSEST_") {
            problems.append("param '\(name)' would shadow a PALIMPSEST_ variable")
        }
        return problems
    }

    /// The longest gathered-paths variable set (Linux refuses any one environment string over 128 KiB).
    static let maxVariableBytes = 100_000
    /// The most bytes of input paths put in the environment in all (the whole environment shares `ARG_MAX`).
    static let maxInputBytes = 1_000_000

    /// The environment variable a param, axis or port name maps to.
    static func environmentName(_ name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// A value as an environment string: scalars bare, lists space-separated, mappings as JSON.
    static func environmentValue(_ value: ParamValue) -> String {
        switch value {
        case .list(let items): return items.map(environmentValue).joined(separator: " ")
        case .map: return value.canonicalJSON
        case .null: return ""
        default: return value.description
        }
    }

    /// The declared params, read once (the undeclared ones, named freely, become environment variables as they are).
    struct Params {
        var cmd: String, outputs: [String]

        init(_ p: ParamSet) throws {
            cmd = try p.string("cmd")
            outputs = (p["outputs"]?.listValue ?? []).compactMap(\.stringValue)
        }
    }

    public static func run(_ context: NodeContext) throws {
        let p = try Params(context.params)
        var env = ProcessInfo.processInfo.environment
        for (name, value) in context.coordinates { env[environmentName(name)] = environmentValue(value) }
        for (name, value) in context.params.values where name != "cmd" {
            if name == "deps", let items = value.listValue {
                env["DEPS"] = items.compactMap(\.stringValue).map { context.params.resolve($0).path }.joined(separator: " ")
            } else {
                env[environmentName(name)] = environmentValue(value)
            }
        }
        let lists = context.workDirectory.appendingPathComponent(".palimpsest")
        try FileManager.default.createDirectory(at: lists, withIntermediateDirectories: true)
        var environmentBytes = 0
        for (port, artifacts) in context.inputs.sorted(by: { $0.key < $1.key }) {
            let name = "PALIMPSEST_INPUT_" + environmentName(port)
            let paths = artifacts.map(\.directory.path).joined(separator: "\n")
            let list = lists.appendingPathComponent("\(port).list")
            do { try Data((paths + "\n").utf8).write(to: list) } catch {
                throw NodeFailure("cannot write \(list.path): \(GraphError.reason(for: error))")
            }
            env[name + "_LIST"] = list.path
            environmentBytes += paths.utf8.count
            if paths.utf8.count <= maxVariableBytes && environmentBytes <= maxInputBytes {
                env[name] = paths
            } else {
                context.log("\(name) is not set: its \(artifacts.count) paths (\(paths.utf8.count) bytes) are too long for the environment; read $\(name)_LIST")
            }
        }
        env["PALIMPSEST_OUTPUT"] = context.output().path
        env["PALIMPSEST_PARTIAL"] = context.partialDirectory.path
        env["PALIMPSEST_SEED"] = String(context.seed)
        env["PALIMPSEST_INSTANCE"] = context.instance

        let command = p.cmd
        context.log("$ \(command)")
        let log: FileHandle
        do { log = try FileHandle(forWritingTo: context.logFile) } catch {
            throw NodeFailure("cannot open \(context.logFile.path): \(GraphError.reason(for: error))")
        }
        try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = context.workDirectory
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        if CommandGroups.shared.interrupted { throw NodeFailure("not started: the run was interrupted") }
        do { try process.run() } catch {
            throw NodeFailure("cannot start /bin/sh for the command: \(GraphError.reason(for: error))")
        }
        // Foundation makes the command the leader of its own process group; it dies with the runner.
        let started = CommandGroups.shared.register(process.processIdentifier)
        process.waitUntilExit()
        CommandGroups.shared.unregister(process.processIdentifier)
        try? log.close()
        if !started || CommandGroups.shared.interrupted { throw NodeFailure("stopped: the run was interrupted") }
        if process.terminationReason == .uncaughtSignal {
            throw NodeFailure("command terminated by signal \(process.terminationStatus)")
        }
        guard process.terminationStatus == 0 else { throw NodeFailure("command exited with status \(process.terminationStatus)") }

        for file in p.outputs {
            guard FileManager.default.fileExists(atPath: context.output().appendingPathComponent(file).path) else {
                throw NodeFailure("declared output '\(file)' was not created under $PALIMPSEST_OUTPUT")
            }
        }
        let metricsURL = context.output().appendingPathComponent("metrics.json")
        if let data = try? Data(contentsOf: metricsURL) {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw NodeFailure("metrics.json is not a JSON object")
            }
            for (name, value) in object { if let n = value as? NSNumber { context.metric(name, n.doubleValue) } }
        }
    }
}
