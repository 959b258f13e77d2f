import Foundation

/// What a node asks a batch scheduler for (`resources:` in an experiment file). Not part of any cache key:
/// where and with how many CPUs a node ran does not change what it computes.
///
/// In YAML, a top-level `resources:` holds defaults for every node and, under a kind's name, defaults for that
/// kind; a node's own `resources:` wins field by field:
/// ```yaml
/// resources: {time: "1:00:00", mem: 4G, train_base: {cpus: 8, mem: 16G, time: "12:00:00", gres: "gpu:1"}}
/// nodes:
///   base: {kind: train_base, resources: {partition: long}, ...}
/// ```
public struct Resources: Sendable, Equatable, Codable {
    /// CPUs per task (`--cpus-per-task`).
    public var cpus: Int?
    /// Memory per node in Slurm's notation (`--mem`): `16G`, `4000M`, `512` (megabytes).
    public var mem: String?
    /// Time limit in Slurm's notation (`--time`): `30`, `1:00:00`, `2-00:00:00`.
    public var time: String?
    public var partition: String?
    /// Generic resources (`--gres`), e.g. `gpu:1`.
    public var gres: String?

    public static let fields = ["cpus", "mem", "time", "partition", "gres"]

    public init(cpus: Int? = nil, mem: String? = nil, time: String? = nil, partition: String? = nil, gres: String? = nil) {
        self.cpus = cpus
        self.mem = mem
        self.time = time
        self.partition = partition
        self.gres = gres
    }

    /// These resources with the unset fields taken from `defaults`.
    public func over(_ defaults: Resources) -> Resources {
        Resources(cpus: cpus ?? defaults.cpus, mem: mem ?? defaults.mem, time: time ?? defaults.time,
                  partition: partition ?? defaults.partition, gres: gres ?? defaults.gres)
    }

    /// The `sbatch` options these resources translate to.
    public var sbatchArguments: [String] {
        var args: [String] = []
        if let cpus { args.append("--cpus-per-task=\(cpus)") }
        if let mem { args.append("--mem=\(mem)") }
        if let time { args.append("--time=\(time)") }
        if let partition { args.append("--partition=\(partition)") }
        if let gres { args.append("--gres=\(gres)") }
        return args
    }

    /// Checks one field's value; returns the problem, or nil.
    static func problem(field: String, value: ParamValue) -> String? {
        switch field {
        case "cpus":
            guard case .int(let n) = value, n >= 1 else { return "expected a positive integer" }
        case "mem":
            guard let s = scalarText(value), s.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) != nil else {
                return "expected a size such as 16G, 4000M or 512 (megabytes)"
            }
        case "time":
            // A string only: YAML 1.1 reads an unquoted 1:00:00 as the integer 3600, which Slurm would take as minutes.
            guard case .string(let s) = value,
                  s.range(of: #"^([0-9]+-)?[0-9]+(:[0-9]{1,2}){0,2}$"#, options: .regularExpression) != nil else {
                return "expected a quoted time limit such as \"30\", \"1:00:00\" or \"2-00:00:00\""
            }
        case "partition", "gres":
            guard case .string(let s) = value, !s.isEmpty, !s.contains(where: \.isWhitespace) else {
                return "expected a non-empty word"
            }
        default:
            return "unknown resource; expected one of: \(fields.joined(separator: ", "))"
        }
        return nil
    }

    /// Sets one field from a checked value.
    mutating func set(_ field: String, _ value: ParamValue) {
        switch field {
        case "cpus": cpus = value.intValue
        case "mem": mem = Self.scalarText(value)
        case "time": time = value.stringValue
        case "partition": partition = value.stringValue
        case "gres": gres = value.stringValue
        default: break
        }
    }

    /// Integers and strings as text (YAML reads `mem: 512` as an integer and `time: 30` likewise).
    private static func scalarText(_ value: ParamValue) -> String? {
        switch value {
        case .int(let i): return String(i)
        case .string(let s): return s
        default: return nil
        }
    }
}
